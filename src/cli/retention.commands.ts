import { Command, CommandRunner, Option } from 'nest-commander';
import { RetentionRunner, summaryOf } from '@cognition/platform/retention/retention-runner';
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
    for (const job of report.jobs) process.stderr.write(`${summaryOf(job, report.dryRun)}\n`);
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
