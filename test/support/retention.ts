import type { Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import type { RetentionRunner } from '@cognition/platform/retention/retention-runner';
import { createTestDatabase, TEST_DB, TestDatabase, testEnv } from './test-database';

export interface RetentionHarness {
  db: TestDatabase;
  /** A plain connection to the suite's database, for arranging rows and reading what is left. */
  pg: Client;
  runner: RetentionRunner;
  moduleRef: TestingModule;
  /** `SELECT count(*)` of a table (optionally `WHERE …`). */
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * A fresh migrated database and a RetentionRunner that knows only the given jobs (the CLI's way:
 * config, discovery, the jobs; no app, no relay, no workers). `env` sets the retention settings.
 */
export async function retentionHarness(label: string, jobs: Provider[], env: Record<string, string> = {}): Promise<RetentionHarness> {
  const db = await createTestDatabase(label);
  testEnv(db, { RETENTION_BATCH_PAUSE_MS: '0', ...env });
  const { Test } = await import('@nestjs/testing');
  const { DiscoveryModule } = await import('@nestjs/core');
  const { ConfigModule } = await import('@cognition/config/config.module');
  const { RetentionRunner } = await import('@cognition/platform/retention/retention-runner');
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(), DiscoveryModule], providers: [RetentionRunner, ...jobs] }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  const pg = new Client({ ...TEST_DB, database: db.name });
  await pg.connect();
  const count = async (table: string, where = 'true', params: unknown[] = []) => (await pg.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0].n as number;
  return {
    db,
    pg,
    runner: moduleRef.get(RetentionRunner),
    moduleRef,
    count,
    close: async () => {
      await pg.end();
      await moduleRef.close();
      await db.drop();
    },
  };
}
