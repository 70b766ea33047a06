#!/usr/bin/env bash
# Starts the local NATS (with JetStream, 127.0.0.1:4222) and RabbitMQ (127.0.0.1:5672) when they do
# not answer: the broker tests publish to and consume from both (NATS_TEST_URL / RABBITMQ_TEST_URL
# override the addresses). Installs nats-server / rabbitmq-server with apt-get when missing.
set -euo pipefail
NATS_HOST=${NATS_HOST:-127.0.0.1}
NATS_PORT=${NATS_PORT:-4222}
NATS_STORE_DIR=${NATS_STORE_DIR:-/var/lib/nats-server}
RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)

open_port() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
# The first line a NATS server sends is its INFO, which says whether JetStream is on.
nats_info() { timeout 3 bash -c "exec 3<>/dev/tcp/$NATS_HOST/$NATS_PORT && head -n 1 <&3" 2>/dev/null || true; }
install() { command -v "$2" >/dev/null 2>&1 || [ -x "/usr/sbin/$2" ] || $SUDO apt-get install -y -qq "$1" >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$1" >/dev/null; }; }
wait_for() { # name, seconds, check command...
  local name=$1 seconds=$2
  shift 2
  for _ in $(seq 1 "$seconds"); do
    "$@" && { echo "$name: started"; return 0; }
    sleep 1
  done
  echo "$name: not reachable" >&2
  return 1
}
nats_ready() { nats_info | grep -q '"jetstream":true'; }

if open_port "$NATS_HOST" "$NATS_PORT"; then
  nats_ready || { echo "nats: running on $NATS_HOST:$NATS_PORT without JetStream (start it with -js)" >&2; exit 1; }
  echo "nats: running (JetStream)"
else
  install nats-server nats-server
  $SUDO mkdir -p "$NATS_STORE_DIR"
  # The machine's own start command (its env notes), with a pid file per port.
  $SUDO start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "/run/nats-server-$NATS_PORT.pid" --exec /usr/sbin/nats-server -- \
    -a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE_DIR" -l "/var/log/nats-server-$NATS_PORT.log"
  wait_for nats 30 nats_ready
fi

if open_port "$RABBITMQ_HOST" "$RABBITMQ_PORT"; then
  echo "rabbitmq: running"
else
  install rabbitmq-server rabbitmq-server
  $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for rabbitmq 90 open_port "$RABBITMQ_HOST" "$RABBITMQ_PORT"
fi
