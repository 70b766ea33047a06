#!/usr/bin/env bash
# Smoke test of the zero-setup default, as a newcomer runs it: `npm start` with no database configured
# (DATABASE_URL, DB_HOST and TEST_DB_* unset) on a fresh embedded data directory and a free port,
# the README's first example block with the bootstrap key, kill -9, start again (the data is there),
# SIGTERM (exit 0, the embedded PostgreSQL stopped). Prints how long each start took to /health/ready.
#
#   bash scripts/smoke-embedded.sh          # after npm ci (npm start builds dist/ when it is stale)
#
# Uses a temp EMBEDDED_PG_DIR (removed at the end) and ports the system picks; never 5432.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL DB_HOST TEST_DB_HOST TEST_DB_PORT BOOTSTRAP_API_KEY NODE_ENV
# '' keeps a ./.env from filling them in (an empty value counts as unset).
export DATABASE_URL= DB_HOST=

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
ROOT_DIR=$(mktemp -d)
chmod 755 "$ROOT_DIR"   # as root, the embedded server runs as the user postgres
export EMBEDDED_PG_DIR="$ROOT_DIR/pg" EMBEDDED_PG_PORT=$(free_port) PORT=$(free_port) HOST=127.0.0.1 LOG_LEVEL=warn
URL="http://127.0.0.1:$PORT"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true
  if [ -f "$EMBEDDED_PG_DIR/postmaster.pid" ]; then kill -INT "$(head -n1 "$EMBEDDED_PG_DIR/postmaster.pid")" 2>/dev/null || true; sleep 1; fi
  rm -rf "$ROOT_DIR"
}
trap cleanup EXIT
fail() { echo "smoke-embedded: FAIL: $*" >&2; echo "--- server output:" >&2; tail -n 30 "$ROOT_DIR/server.log" >&2 || true; exit 1; }

# Starts `npm start` in the background (its own process group, so kill -9 reaches node under npm) and waits for readiness.
start() {
  local began=$(date +%s%N)
  setsid npm start --silent >> "$ROOT_DIR/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 1200); do
    curl -fsS "$URL/health/ready" >/dev/null 2>&1 && { echo "smoke-embedded: $1 start: ready in $(( ($(date +%s%N) - began) / 1000000 )) ms"; return 0; }
    kill -0 "$SERVER" 2>/dev/null || fail "npm start exited"
    sleep 0.1
  done
  fail "not ready after 120 s"
}

start cold
grep -q "^database: embedded PostgreSQL 15" "$ROOT_DIR/server.log" || fail "no start-up line naming the embedded PostgreSQL"
grep -q ":5432" "$ROOT_DIR/server.log" && fail "port 5432 mentioned"

# The README's first runnable block (test/e2e/readme.e2e-spec.ts runs them all), against this server.
BLOCK=$(node -e '
  const md = require("fs").readFileSync("README.md", "utf8");
  const m = /<!-- readme-test -->\s*\n```bash\n([\s\S]*?)\n```/.exec(md);
  process.stdout.write(m[1].replaceAll("http://localhost:3000", process.argv[1]));' "$URL")
(set -e -o pipefail; eval "$BLOCK") > "$ROOT_DIR/readme.out" || fail "README block failed: $(tail -n 5 "$ROOT_DIR/readme.out")"
KEY=$(node -e 'process.stdout.write(require("util").parseEnv(require("fs").readFileSync(".env.example","utf8")).BOOTSTRAP_API_KEY)')
curl -fsS "$URL/api/v3/workflows/summarize-ticket/versions/1.0.0" -H "Authorization: Bearer $KEY" | grep -q '"status":"archived"' || fail "the README's workflow is not there"

# kill -9: node dies, the embedded PostgreSQL keeps running; the next start reuses it and the data is there.
PGPID=$(head -n1 "$EMBEDDED_PG_DIR/postmaster.pid")
kill -9 -- "-$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
kill -0 "$PGPID" 2>/dev/null || fail "the embedded PostgreSQL did not survive the kill -9 of node"
start warm
curl -fsS "$URL/api/v3/workflows/summarize-ticket/versions/1.0.0" -H "Authorization: Bearer $KEY" | grep -q '"status":"archived"' || fail "data lost after kill -9"

# SIGTERM to node, as a process manager sends it (npm hands a SIGTERM to its shell, which dies without
# passing it on): exit 0, and the embedded PostgreSQL stopped with it.
NODE_PID=$(pgrep -P "$(pgrep -P "$SERVER" | head -n1)" | head -n1)
[ -n "$NODE_PID" ] || fail "no node process under npm"
kill -TERM "$NODE_PID"
wait "$SERVER" && STATUS=0 || STATUS=$?
SERVER=""
[ "$STATUS" -eq 0 ] || fail "npm start exited $STATUS after SIGTERM"
[ ! -f "$EMBEDDED_PG_DIR/postmaster.pid" ] || fail "the embedded PostgreSQL is still running after SIGTERM"
echo "smoke-embedded: ok (README example, kill -9 and restart with the data kept, SIGTERM exit 0 with the embedded PostgreSQL stopped)"
