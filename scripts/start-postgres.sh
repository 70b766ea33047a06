#!/usr/bin/env bash
# Starts the local PostgreSQL cluster when it is not accepting connections (Debian's pg_ctlcluster).
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
if pg_isready -h "$PGHOST" -q 2>/dev/null; then
  echo "postgres: running"
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -n | tail -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do
  pg_isready -h "$PGHOST" -q && { echo "postgres: started"; exit 0; }
  sleep 1
done
echo "postgres: not reachable on $PGHOST:5432" >&2
exit 1
