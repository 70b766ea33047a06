import { Client } from 'pg';
import { Env } from '@cognition/config/env.schema';
import { connectSession } from '@cognition/platform/database/pg-connection';
import { Sql, sqlOf } from '../../infrastructure/sql';

/**
 * The worker's claims go through one connection of their own with synchronous_commit off: a claim
 * lost in a database crash only makes its steps claimable again (at-least-once holds), and the
 * claim loop does not wait for a WAL flush. Completions stay synchronous. Opened on first use and
 * again after it was lost.
 */
export class ClaimConnection {
  private client?: Client;

  constructor(private readonly env: Env) {}

  async sql(): Promise<Sql> {
    if (!this.client) {
      const client = await connectSession(this.env, 'cognition-os-claims', (_error, lost) => {
        if (this.client === lost) this.client = undefined;
        lost.end().catch(() => undefined);
      });
      try {
        await client.query(`SET synchronous_commit TO off`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
    }
    return sqlOf(this.client as never);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
