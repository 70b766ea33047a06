#!/usr/bin/env bash
# Installs the pgvector extension for the local PostgreSQL when it is missing.
# Debian 12 has no pgvector package for PostgreSQL 15, so we build Debian 13's source package
# against postgresql-server-dev-<major> (scripts/pgvector-source.sh: the mirror is read from this
# machine's own apt sources).
set -euo pipefail
. "$(dirname "$0")/pgvector-source.sh"

PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
has_vector() {
  psql -h "$PGHOST" -U "$PGUSER" -d postgres -tAc \
    "select 1 from pg_available_extensions where name = 'vector'" 2>/dev/null | grep -q 1
}
if has_vector; then
  echo "pgvector: already available"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PG_MAJOR=$(psql -h "$PGHOST" -U "$PGUSER" -d postgres -tAc "show server_version_num" | cut -c1-2)

echo "pgvector: building from the trixie source package (mirror from apt sources, PostgreSQL $PG_MAJOR)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SOURCE=$(pgvector_source "$WORK" "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev)
cd "$SOURCE"
make OPTFLAGS= PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
$SUDO make install PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
cd /
has_vector && echo "pgvector: installed" || { echo "pgvector: install failed" >&2; exit 1; }
