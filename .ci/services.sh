#!/usr/bin/env bash
# Install (from Debian's packages, as root) and start the servers the suite's server legs use,
# on loopback only, then print the environment lines that point the suite at them.
# Usage: eval "$(bash .ci/services.sh)"; `bash .ci/services.sh stop` stops them.
# Overrides: PG_PORT (54329), REDIS_PORT (63799), SERVICES_DIR (/tmp/drf_paseto_services).
set -euo pipefail

PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"
STATE="${SERVICES_DIR:-/tmp/drf_paseto_services}"

pg_bin() {
  local initdb
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] || initdb=$(command -v initdb || true)
  [ -n "$initdb" ] && dirname "$initdb"
}
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  if [ -e "$STATE/redis.pid" ]; then
    pid=$(cat "$STATE/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$STATE/redis.pid"
  fi
  if [ -s "$STATE/pgdata/PG_VERSION" ] && PG_BIN=$(pg_bin); then
    run_pg "$PG_BIN/pg_ctl" -D "$STATE/pgdata" -m fast -w stop >&2 2>/dev/null || true
  fi
  exit 0
fi

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
pg_bin >/dev/null || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  else
    {
      echo "services: ${need[*]} not installed, and installing needs root. Install them, then run this again:"
      echo "  Debian/Ubuntu: sudo apt-get install postgresql redis-server"
      echo "  Fedora:        sudo dnf install postgresql-server redis"
      echo "  macOS:         brew install postgresql redis"
    } >&2
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
PG_BIN=$(pg_bin)
PG_DATA="$STATE/pgdata"
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
