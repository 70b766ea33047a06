#!/usr/bin/env bash
# One-time setup on a fresh Debian machine with PostgreSQL 15+, to use that server instead of the
# embedded one: database server, pgvector, dependencies, build, .env (with DB_HOST), the database and
# its schema. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/start-postgres.sh
bash scripts/install-pgvector.sh
# For the browser tests of the dashboard (test/e2e/ui).
bash scripts/install-chromium.sh
npm ci --no-audit --no-fund
npm run build
# .env.example leaves DB_HOST unset (the embedded PostgreSQL); this setup is for the local server.
[ -f .env ] || sed 's/^# DB_HOST=/DB_HOST=/' .env.example > .env
set -a; . ./.env; set +a
DB_NAME=${DB_NAME:-cognition_os}
psql -h "${DB_HOST:-127.0.0.1}" -U "${DB_USER:-postgres}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
  || psql -h "${DB_HOST:-127.0.0.1}" -U "${DB_USER:-postgres}" -d postgres -c "CREATE DATABASE \"$DB_NAME\""
npm run migration:run
echo "setup done: start the server with 'npm start'"
