#!/usr/bin/env bash
# The end of `make test`: which server legs and browser test did not run, and how to run them.
# Reads the variables `make services` (or .ci/services.sh and .ci/redis-cluster.sh) set.
set -uo pipefail

skipped=""
[ -n "${DRF_PASETO_TEST_POSTGRES:-}" ] || skipped="$skipped PostgreSQL"
[ -n "${DRF_PASETO_TEST_REDIS:-}" ] || skipped="$skipped Redis"
[ -n "${DRF_PASETO_TEST_REDIS_CLUSTER:-}" ] || skipped="$skipped Redis-Cluster"
[ -n "${DRF_PASETO_TEST_REDIS_SENTINEL:-}" ] || skipped="$skipped Redis-Sentinel"
if [ -n "$skipped" ]; then
  echo "make test: skipped the server legs:$skipped (run: make services && make test)"
fi
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "make test: skipped the browser test: chromium not found (run: bash .ci/browser.sh)"
elif ! "${VENV:-.venv}/bin/python" -c "import playwright" >/dev/null 2>&1; then
  echo "make test: skipped the browser test: playwright is not installed in ${VENV:-.venv}"
fi
