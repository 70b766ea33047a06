import { Client } from 'pg';
import { Env } from '@cognition/config/env.schema';
import { pgClientConfig } from '@cognition/platform/database/pg-connection';
import { RetentionDb } from './retention-job';

/** The session advisory lock that keeps one retention run at a time across every instance (and the CLI). */
export const RETENTION_LOCK = 'cognitionos.retention';

/**
 * Retention's own connection (like the memory maintenance job's): it holds the advisory lock, and
 * the jobs' statements run on it, so retention never takes a connection from the pool the API and
 * the engine use. Its settings keep it out of the hot path's way: a statement that would wait more
 * than a second for a lock gives up (the job fails and runs again next time) rather than queue
 * other sessions behind it.
 */
export class RetentionSession implements RetentionDb {
  private constructor(private readonly client: Client) {}

  static async open(env: Env): Promise<RetentionSession> {
    const client = new Client(pgClientConfig(env, 'cognition-os-retention'));
    client.on('error', () => undefined); // a lost session fails the statement in progress, which fails the run
    try {
      await client.connect();
      await client.query(`SET lock_timeout = '1s'; SET statement_timeout = '5min'; SET idle_in_transaction_session_timeout = '1min'`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new RetentionSession(client);
  }

  async query<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.client.query(text, params)).rows as R[];
  }

  async transaction<T>(work: (db: RetentionDb) => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const result = await work(this);
      await this.client.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** True when this session now holds the retention lock; false when another session has it. */
  async lock(): Promise<boolean> {
    const [row] = await this.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [RETENTION_LOCK]);
    return row.ok;
  }

  async unlock(): Promise<void> {
    await this.query(`SELECT pg_advisory_unlock(hashtext($1))`, [RETENTION_LOCK]);
  }

  /** The database's clock: cutoffs are computed from it, as the rows' timestamps are. */
  async now(): Promise<Date> {
    const [row] = await this.query<{ now: Date }>(`SELECT now() AS now`);
    return row.now;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
