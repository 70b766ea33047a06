import { adminQuery, TEMPLATE_DB_ENV } from './test-database';

/** Drops this run's template database (named by global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_DB_ENV];
  if (template) await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
}
