#!/usr/bin/env bash
# Starts the local Redis (127.0.0.1:6379) when it does not answer: the rate-limit tests share buckets
# through it (REDIS_TEST_URL overrides). Installs redis-server with apt-get when it is missing.
set -euo pipefail
HOST=${REDIS_HOST:-127.0.0.1}
PORT=${REDIS_PORT:-6379}
ping() { redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null 2>&1 && ping; then
  echo "redis: running"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO apt-get install -y -qq redis-server >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server >/dev/null; }
fi
service redis-server start >/dev/null 2>&1 || redis-server --daemonize yes --bind "$HOST" --port "$PORT" >/dev/null
for _ in $(seq 1 30); do
  ping && { echo "redis: started"; exit 0; }
  sleep 1
done
echo "redis: not reachable on $HOST:$PORT" >&2
exit 1
