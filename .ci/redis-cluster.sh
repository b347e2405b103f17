#!/usr/bin/env bash
# Start a three-node Redis Cluster and a Sentinel (watching a master of its own) on loopback,
# from Debian's redis-server, then print the variables that point the revocation tests' cluster
# and sentinel legs at them. `bash .ci/redis-cluster.sh stop` stops them all.
# Usage: eval "$(bash .ci/redis-cluster.sh)"
# Overrides: REDIS_CLUSTER_PORTS ("17001 17002 17003"), REDIS_SENTINEL_MASTER_PORT (17010),
# REDIS_SENTINEL_PORT (17011), REDIS_CLUSTER_DIR (/tmp/drf_paseto_redis_cluster).
set -euo pipefail

PORTS="${REDIS_CLUSTER_PORTS:-17001 17002 17003}"   # each also uses port + 10000 (cluster bus)
MASTER_PORT="${REDIS_SENTINEL_MASTER_PORT:-17010}"
SENTINEL_PORT="${REDIS_SENTINEL_PORT:-17011}"
STATE="${REDIS_CLUSTER_DIR:-/tmp/drf_paseto_redis_cluster}"

stop() {
  for pidfile in "$STATE"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
  rm -f "$STATE"/nodes-*.conf "$STATE"/sentinel.conf
}
if [ "${1:-}" = stop ]; then stop; exit 0; fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "redis-cluster: redis-server/redis-cli not found (run .ci/services.sh first); skipping" >&2
  exit 0
fi
mkdir -p "$STATE"

wait_ping() {
  for _ in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-cluster: nothing answers on port $1" >&2
  return 1
}

nodes=()
for port in $PORTS; do
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --cluster-enabled yes --cluster-config-file "$STATE/nodes-$port.conf" \
      --daemonize yes --pidfile "$STATE/cluster-$port.pid" --logfile "$STATE/cluster-$port.log" >&2
  fi
  wait_ping "$port"
  nodes+=("127.0.0.1:$port")
done
first="${nodes[0]#*:}"
if ! redis-cli -p "$first" cluster info | grep -q "cluster_state:ok"; then
  if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes \
    >"$STATE/cluster-create.log" 2>&1; then
    cat "$STATE/cluster-create.log" >&2
    exit 1
  fi
  for _ in $(seq 100); do
    redis-cli -p "$first" cluster info | grep -q "cluster_state:ok" && break
    sleep 0.1
  done
fi

# Sentinel: a master of its own, and one sentinel watching it as "mymaster".
if ! redis-cli -p "$MASTER_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$MASTER_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$STATE/master.pid" --logfile "$STATE/master.log" >&2
fi
wait_ping "$MASTER_PORT"
if ! redis-cli -p "$SENTINEL_PORT" ping >/dev/null 2>&1; then
  printf 'port %s\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 %s 1\n' \
    "$SENTINEL_PORT" "$MASTER_PORT" >"$STATE/sentinel.conf"
  redis-server "$STATE/sentinel.conf" --sentinel \
    --daemonize yes --pidfile "$STATE/sentinel.pid" --logfile "$STATE/sentinel.log" >&2
fi
wait_ping "$SENTINEL_PORT"

echo "export DRF_PASETO_TEST_REDIS_CLUSTER=redis://127.0.0.1:$first"
echo "export DRF_PASETO_TEST_REDIS_SENTINEL=redis://127.0.0.1:$SENTINEL_PORT"
