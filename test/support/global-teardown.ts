import { delimiter } from 'node:path';
import { closeCluster } from '@cognition/platform/database/embedded/embedded-cluster';
import { adminQuery, EMBEDDED_TEST_CLUSTER_ENV, TEMPLATE_DB_ENV, testDbServerPorts } from './test-database';

/** Drops this run's template database (named by global-setup.ts) on every server of the run, then stops using the embedded test clusters if it started them. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_DB_ENV];
  if (template) for (const port of testDbServerPorts()) await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`, 'postgres', port);
  const embedded = process.env[EMBEDDED_TEST_CLUSTER_ENV];
  for (const dir of embedded ? embedded.split(delimiter) : []) closeCluster(dir);
}
