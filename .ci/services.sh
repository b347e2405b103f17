#!/usr/bin/env bash
# Install (from Debian's packages) and start the servers the suite's server legs use, on
# loopback only, then print the environment lines that point the suite at them.
# Usage: eval "$(bash .ci/services.sh)"
set -euo pipefail

PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"
STATE="${SERVICES_DIR:-/tmp/drf_paseto_services}"

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  else
    echo "services: missing ${need[*]} and not root; skipping" >&2
    exit 0
  fi
fi
mkdir -p "$STATE"

# Redis: no persistence, loopback only.
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" >&2
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# PostgreSQL: a throwaway cluster owned by the postgres user, trust auth on loopback.
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
PG_DATA="$STATE/pgdata"
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE"
  run_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! run_pg "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE"
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$STATE/postgres.log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $STATE -c fsync=off -c full_page_writes=off" start >&2
fi

echo "export DRF_PASETO_TEST_POSTGRES=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export DRF_PASETO_TEST_REDIS=redis://127.0.0.1:$REDIS_PORT/0"
