#!/usr/bin/env bash
# Sourced by install-pgvector.sh and build-vendored-pgvector.sh. Debian 12 has no pgvector for
# PostgreSQL 15, so both build Debian 13's (trixie) source package. The mirror is the one this
# machine's apt sources already use (no host name is written here); apt checks the downloaded files
# against the signed index.
#
#   pgvector_source DIR PACKAGE...   installs the build PACKAGEs, unpacks pgvector's source into
#                                    DIR/pgvector-<version>/ and prints that path

# The first Debian mirror URI configured on this machine (deb822 .sources or one-line .list).
debian_mirror() {
  local mirror
  mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  if [ -z "$mirror" ]; then
    mirror=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | grep -i debian | head -n1 || true)
  fi
  [ -n "$mirror" ] || { echo "pgvector: no Debian mirror found in /etc/apt sources" >&2; return 1; }
  echo "$mirror"
}

pgvector_source() {
  local dir=$1 mirror sudo="" status=0 list=/etc/apt/sources.list.d/cognitionos-trixie-src.list
  shift
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  mirror=$(debian_mirror) || return 1
  # apt downloads as its own user (_apt), which must be able to write there.
  chmod a+rwx "$dir"
  echo "deb-src $mirror trixie main" | $sudo tee "$list" >/dev/null
  {
    $sudo apt-get update -qq &&
      $sudo apt-get install -y -qq "$@" >/dev/null &&
      (cd "$dir" && apt-get source -qq pgvector >/dev/null)
  } || status=$?
  $sudo rm -f "$list"
  [ "$status" -eq 0 ] || { echo "pgvector: could not fetch the trixie source package" >&2; return 1; }
  ls -d "$dir"/pgvector-*/ | head -n1
}
