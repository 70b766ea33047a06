import { Command, CommandRunner, Option } from 'nest-commander';
import { RetentionJobReport, RetentionRunner } from '@cognition/platform/retention/retention-runner';
import { RETENTION_LOCK } from '@cognition/platform/retention/retention-session';
import { CliDatabase } from './cli-database';

interface RetentionOptions {
  dryRun?: boolean;
  job?: string;
}

@Command({
  name: 'retention:run',
  description: 'Prune old data now, every retention job or one (--job); --dry-run counts what would go and deletes nothing',
})
export class RetentionRunCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly retention: RetentionRunner,
  ) {
    super();
  }

  async run(_: string[], options: RetentionOptions): Promise<void> {
    const jobs = options.job ? [options.job] : undefined;
    const names = this.retention.jobs().map((j) => j.name);
    if (options.job && !names.includes(options.job)) throw new Error(`unknown retention job "${options.job}"; the jobs are: ${names.join(', ')}`);
    await this.database.open();
    const report = await this.retention.run({ dryRun: options.dryRun ?? false, jobs, env: this.database.env });
    if (!report) throw new Error(`retention is running in another process (advisory lock ${RETENTION_LOCK}); try again when it has finished, or use --dry-run`);
    for (const job of report.jobs) process.stderr.write(`${summary(job, report.dryRun)}\n`);
    console.log(JSON.stringify(report, null, 2));
    const failed = report.jobs.filter((j) => j.status === 'failed');
    if (failed.length) throw new Error(`retention job(s) failed: ${failed.map((j) => `${j.job}: ${j.error}`).join('; ')}`);
  }

  @Option({ flags: '--dry-run', description: 'count what each job would prune; delete nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--job <name>', description: 'only this job: events, executions, trace-spans, idempotency-keys, usage-ledger, dead-letters' })
  parseJob(value: string): string {
    return value;
  }
}

/** One line per job, e.g. `events (EVENT_RETENTION_DAYS=7): would prune 1200 rows (domain_events 1200)`. */
function summary(job: RetentionJobReport, dryRun: boolean): string {
  const head = `${job.job} (${job.setting})`;
  if (job.status === 'skipped') return `${head}: skipped, ${job.note}`;
  if (job.status === 'failed') return `${head}: failed: ${job.error}`;
  const tables = Object.entries(job.rows).map(([t, n]) => `${t} ${n}`).join(', ');
  const verb = dryRun ? 'would prune' : 'pruned';
  return `${head}: ${verb} ${job.total} rows${tables ? ` (${tables})` : ''}${job.status === 'stopped' ? ', stopped early' : ''}${job.note ? `; ${job.note}` : ''}`;
}
