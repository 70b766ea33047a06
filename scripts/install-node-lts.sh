#!/usr/bin/env bash
# Node 24 LTS, the runtime of the Docker image, for running the code on it where the machine has
# another Node (the development machines and CI run Node 20, past its end of life since 2026-04-30).
# Fetched once as the npm package `node-linux-<arch>@24` from npm's configured registry into a cache
# directory. Prints the directory of its `node` binary (put it first in PATH); the version on stderr.
#   PATH="$(bash scripts/install-node-lts.sh):$PATH" node -v
set -euo pipefail
major=${NODE_LTS_MAJOR:-24}
arch=$(node -p process.arch)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/cognitionos/node-$major-linux-$arch
if [ ! -x "$dir/package/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$major" >/dev/null)
  mkdir -p "$dir"
  tar xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$dir"
fi
echo "node-lts: $("$dir/package/bin/node" -v)" >&2
echo "$dir/package/bin"
