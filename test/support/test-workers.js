/**
 * How many jest workers a run starts. jest.config.js asks before global setup runs, so this is plain
 * CommonJS (the TypeScript helpers cannot load there yet):
 *
 * - one per PostgreSQL server of TEST_DB_PORTS;
 * - with no database configured, one per embedded test cluster: TEST_EMBEDDED_WORKERS (default 2,
 *   at most the CPU count). Global setup starts that many clusters (test/support/global-setup.ts);
 * - otherwise one (in band): the relay couples suites that share a server (README, "Run the tests").
 *
 * `noDatabaseConfigured` is the rule of `usesEmbeddedTestDatabase` in test-database.ts (and, for
 * DATABASE_URL / DB_HOST / NODE_ENV, of the app's `usesEmbeddedDatabase`); test-database.spec.ts keeps
 * the two equal.
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { parseEnv } = require('node:util');

const DOT_ENV = join(__dirname, '..', '..', '.env');

function isSet(value) {
  return value !== undefined && value !== '';
}

function noDatabaseConfigured(env = process.env, dotEnvFile = DOT_ENV) {
  if (env.TEST_DB_HOST || env.TEST_DB_PORT || env.TEST_DB_PORTS) return false;
  const merged = { ...(existsSync(dotEnvFile) ? parseEnv(readFileSync(dotEnvFile, 'utf8')) : {}), ...env };
  return !isSet(merged.DATABASE_URL) && !isSet(merged.DB_HOST) && merged.NODE_ENV !== 'production';
}

function testWorkers(env = process.env, dotEnvFile = DOT_ENV, cpus = availableParallelism()) {
  const ports = (env.TEST_DB_PORTS ?? '').split(',').filter((p) => p.trim()).length;
  if (ports > 0) return ports;
  if (!noDatabaseConfigured(env, dotEnvFile)) return 1;
  const wanted = env.TEST_EMBEDDED_WORKERS ? Number(env.TEST_EMBEDDED_WORKERS) : 2;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`TEST_EMBEDDED_WORKERS must be a positive integer, got "${env.TEST_EMBEDDED_WORKERS}"`);
  return Math.max(1, Math.min(wanted, cpus));
}

module.exports = { noDatabaseConfigured, testWorkers };
