#!/usr/bin/env bash
# A second local PostgreSQL cluster for a parallel test run (TEST_DB_PORTS=5432,5433 npm test: one
# jest worker per cluster, README "Run the tests"). Debian's pg_createcluster, so the same version,
# binaries and extensions (pgvector) as the main cluster; trust on 127.0.0.1 and autovacuum off like the
# machines' main cluster; fsync off, since only test databases live there. Creates it once, then
# starts it when it is down. Needs root (or the postgres user), like scripts/start-postgres.sh.
set -euo pipefail
port=${1:-5433}
name="tests$port"
if pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
  echo "postgres $port: running"
  exit 0
fi
if ! command -v pg_createcluster >/dev/null 2>&1; then
  echo "postgres $port: pg_createcluster (Debian's postgresql-common) is missing; start a PostgreSQL with pgvector on port $port yourself" >&2
  exit 1
fi
version=$(ls /etc/postgresql | sort -n | tail -n1)
if ! pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1 == v && $2 == n { found = 1 } END { exit !found }'; then
  # What pg_dropcluster leaves of an earlier one (our conf.d file) would stop pg_createcluster.
  rm -rf "/etc/postgresql/$version/$name"
  pg_createcluster "$version" "$name" --port "$port" -- --auth-local=trust --auth-host=trust >/dev/null
  # conf.d is included by Debian's postgresql.conf: these settings win over its defaults.
  cat > "/etc/postgresql/$version/$name/conf.d/tests.conf" <<'CONF'
listen_addresses = '127.0.0.1'
autovacuum = off
fsync = off
CONF
fi
pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p "$port" -q && { echo "postgres $port: started ($version/$name)"; exit 0; }
  sleep 1
done
echo "postgres: not reachable on 127.0.0.1:$port" >&2
exit 1
