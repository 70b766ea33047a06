#!/usr/bin/env bash
# Installs the pgvector extension for the local PostgreSQL when it is missing.
# Debian 12 has no pgvector package for PostgreSQL 15, so we build Debian 13's source package
# against postgresql-server-dev-<major>. The mirror is read from this machine's own apt sources.
set -euo pipefail

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

# The first Debian mirror URI configured on this machine (deb822 .sources or one-line .list).
MIRROR=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
if [ -z "$MIRROR" ]; then
  MIRROR=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | grep -i debian | head -n1 || true)
fi
[ -n "$MIRROR" ] || { echo "pgvector: no Debian mirror found in /etc/apt sources" >&2; exit 1; }

echo "pgvector: building from the trixie source package (mirror from apt sources, PostgreSQL $PG_MAJOR)"
LIST=/etc/apt/sources.list.d/cognitionos-trixie-src.list
echo "deb-src $MIRROR trixie main" | $SUDO tee "$LIST" >/dev/null
cleanup() { $SUDO rm -f "$LIST"; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev >/dev/null

WORK=$(mktemp -d)
cd "$WORK"
apt-get source -qq pgvector >/dev/null
cd pgvector-*/
make OPTFLAGS= PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
$SUDO make install PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
cd / && rm -rf "$WORK"
has_vector && echo "pgvector: installed" || { echo "pgvector: install failed" >&2; exit 1; }
