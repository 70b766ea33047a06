#!/usr/bin/env bash
# The tests on Node 24 LTS, the Docker image's runtime, where the machine runs another Node (CI's
# machines run Node 20): every unit and integration suite and the e2e suites of the server's own
# paths (the README walk-through, live SSE, memory search, SIGTERM, expression limits, a worker
# crash, a database outage). Takes the database settings of `npm test` (TEST_DB_HOST, TEST_DB_PORTS).
# Extra arguments go to jest.   bash scripts/test-node-lts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(bash scripts/install-node-lts.sh)
e2e='readme|execution-events|memory-search|graceful-shutdown|expression-bombs|engine-crash|database-outage'
PATH="$bin:$PATH" node node_modules/jest/bin/jest.js --testPathPatterns "\\.spec\\.ts\$|\\.int-spec\\.ts\$|test/e2e/($e2e)\\.e2e-spec\\.ts\$" "$@"
