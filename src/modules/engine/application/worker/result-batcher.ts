import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { sqlOf } from '../../infrastructure/sql';
import { StepResult } from '../../infrastructure/step-result';
import { ClaimedStep } from '../../infrastructure/step-claims';
import { EagerClaim, writeStepResults } from '../../infrastructure/step-results.writer';
import { EngineMetrics } from '../engine-metrics';

const MAX_BATCH = 500;
/** Transactions writing results at once: one fills while the other commits. */
const WRITERS = 2;

/**
 * Group commit for step results: while a transaction writes, the results that finish meanwhile
 * queue up and go together in the next one (WRITERS transactions at most at once; a deadlock
 * between them is retried). Under load a step costs a share of a few statements;
 * when idle a result is written at once.
 */
export class ResultBatcher {
  private readonly logger = new Logger(ResultBatcher.name);
  private queue: StepResult[] = [];
  private readonly writers = new Set<Promise<void>>();

  constructor(
    private readonly pool: Pool,
    private readonly workerId: string,
    private readonly metrics: EngineMetrics,
    private readonly afterWrite: (notify: boolean, claimed: ClaimedStep[]) => void,
    /** How many steps the worker can take right now, and their lease (for eager dispatch). */
    private readonly eager: () => EagerClaim,
  ) {}

  push(result: StepResult): void {
    this.queue.push(result);
    if (this.writers.size < WRITERS) this.startWriter();
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.writers.size || this.queue.length) {
      if (this.writers.size === 0) this.startWriter();
      await Promise.all([...this.writers]);
    }
  }

  private startWriter(): void {
    const writer: Promise<void> = this.writeAll().finally(() => this.writers.delete(writer));
    this.writers.add(writer);
  }

  private async writeAll(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const { notify, claimed } = await this.writeWithRetry(batch);
      this.afterWrite(notify, claimed);
    }
  }

  private async writeWithRetry(batch: StepResult[]): Promise<{ notify: boolean; claimed: ClaimedStep[] }> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const { notify, finished, claimed } = await writeStepResults(sqlOf(client), this.workerId, batch, this.eager());
        await client.query('COMMIT');
        for (const [outcome, n] of Object.entries(finished)) this.metrics.executions.inc({ outcome }, n);
        return { notify, claimed };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Deadlocks and serialization failures are transient; after that the leases expire and
        // the steps run again elsewhere (at-least-once), so nothing is lost.
        if (attempt >= 5) {
          this.logger.error(`writing ${batch.length} step results failed: ${(error as Error).message}`);
          return { notify: false, claimed: [] };
        }
        await new Promise((r) => setTimeout(r, 20 * attempt));
      } finally {
        client.release();
      }
    }
  }
}
