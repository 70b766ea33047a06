import { Injectable, Logger } from '@nestjs/common';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from '@cognition/platform/retention/retention-job';
import { pruneInBatches } from '@cognition/platform/retention/prune-in-batches';

/**
 * Resolved dead letters: rows of `dead_letters` whose status is `retried` or `discarded` and whose
 * `resolved_at` is older than DEAD_LETTER_RETENTION_DAYS. Open ones (`dead`) are kept whatever their
 * age: someone still has to look at them (a retry needs their event: the events job keeps it too).
 * Without a dead-letter table (a schema older than the event store's migration) the job has
 * nothing to do and says so at debug level.
 */
@Injectable()
@RetentionJob({
  name: 'dead-letters',
  setting: 'DEAD_LETTER_RETENTION_DAYS',
  unit: 'days',
  description: 'dead letters retried or discarded longer ago than the setting (open ones are kept)',
})
export class DeadLettersRetentionJob implements RetentionJobHandler {
  private readonly logger = new Logger('Retention');

  async prune(run: RetentionRun): Promise<RetentionResult> {
    const [table] = await run.db.query<{ present: boolean }>(`SELECT to_regclass('dead_letters') IS NOT NULL AS present`);
    if (!table.present) {
      this.logger.debug('retention dead-letters: there is no dead_letters table yet; nothing to prune');
      return { rows: {}, note: 'no dead_letters table yet' };
    }
    const n = await pruneInBatches(run, {
      table: 'dead_letters',
      where: `status IN ('retried', 'discarded') AND resolved_at < $1`,
      params: [run.cutoff],
      orderBy: 'resolved_at',
    });
    return { rows: { dead_letters: n } };
  }
}
