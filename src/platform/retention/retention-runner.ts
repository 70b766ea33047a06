import { Injectable, Logger, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppConfig } from '@cognition/config/app-config';
import { Env } from '@cognition/config/env.schema';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { RetentionJobHandler, RetentionJobOptions, RetentionResult, RetentionRun, retentionJobOptions } from './retention-job';
import { RetentionMetrics } from './retention-metrics';
import { RetentionSession } from './retention-session';

export interface RetentionJobReport {
  job: string;
  /** The setting and its value, e.g. `EVENT_RETENTION_DAYS=7`. */
  setting: string;
  /** done; skipped (its setting is 0); stopped (the process shut down mid-run); failed (see error). */
  status: 'done' | 'skipped' | 'stopped' | 'failed';
  /** Rows pruned (in a dry run: that would be), by table. */
  rows: Record<string, number>;
  total: number;
  /** Rows older than this could go (absent when skipped). */
  cutoff?: string;
  note?: string;
  error?: string;
  durationMs: number;
}

export interface RetentionReport {
  dryRun: boolean;
  startedAt: string;
  jobs: RetentionJobReport[];
}

export interface RetentionRunOptions {
  dryRun?: boolean;
  /** Only these jobs (by name); default every job. */
  jobs?: string[];
  /** The connection to use (the CLI's, once it has opened the embedded database); default the app's. */
  env?: Env;
  /** Aborted when the process shuts down: the job in progress stops after its batch. */
  signal?: AbortSignal;
}

interface Job {
  options: RetentionJobOptions;
  handler: RetentionJobHandler;
}

const UNIT_MS = { days: 86_400_000, hours: 3_600_000 } as const;

/**
 * Runs the retention jobs (every provider marked @RetentionJob), one after another, on one dedicated
 * session. A real run first takes the session advisory lock `cognitionos.retention`: one run at a
 * time across every instance and the CLI; when another holds it, `run` returns null. A dry run takes
 * no lock and deletes nothing. A job that fails is logged and counted; the next one still runs.
 * A lost connection ends the run (thrown: the background loop backs off and tries again).
 */
@Injectable()
export class RetentionRunner {
  private readonly logger = new Logger('Retention');
  private discovered?: Job[];

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    @Optional() private readonly metrics?: RetentionMetrics,
  ) {}

  /** Every job, in the order they run. */
  jobs(): RetentionJobOptions[] {
    return this.all().map((j) => j.options);
  }

  async run(options: RetentionRunOptions = {}): Promise<RetentionReport | null> {
    const dryRun = options.dryRun ?? false;
    const selected = this.select(options.jobs);
    const session = await RetentionSession.open(options.env ?? this.config.all);
    try {
      if (!dryRun && !(await session.lock())) return null;
      try {
        const now = await session.now();
        const report: RetentionReport = { dryRun, startedAt: now.toISOString(), jobs: [] };
        for (const job of selected) {
          if (options.signal?.aborted) break;
          report.jobs.push(await this.runJob(job, session, now, dryRun, options.signal));
        }
        return report;
      } finally {
        if (!dryRun) await session.unlock().catch(() => undefined);
      }
    } finally {
      await session.close();
    }
  }

  private async runJob(job: Job, session: RetentionSession, now: Date, dryRun: boolean, signal?: AbortSignal): Promise<RetentionJobReport> {
    const { name, setting, unit } = job.options;
    const keep = this.settingOf(job.options);
    const started = Date.now();
    const base = { job: name, setting: `${setting}=${keep}`, rows: {}, total: 0 };
    if (keep === 0) return { ...base, status: 'skipped', note: `${setting}=0 keeps everything`, durationMs: 0 };
    const cutoff = new Date(now.getTime() - keep * UNIT_MS[unit]);
    const run: RetentionRun = { dryRun, cutoff, batchSize: this.config.get('RETENTION_BATCH_SIZE'), db: session, next: () => this.pause(signal) };
    let result: RetentionResult;
    try {
      result = await job.handler.prune(run);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      const message = (error as Error)?.message ?? String(error);
      this.metrics?.errors.inc({ job: name });
      this.logger.warn({ job: name, dryRun, error: message }, `retention ${name} failed: ${message}`);
      return { ...base, status: 'failed', cutoff: cutoff.toISOString(), error: message, durationMs: Date.now() - started };
    }
    const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
    const report: RetentionJobReport = {
      ...base,
      status: signal?.aborted ? 'stopped' : 'done',
      rows: result.rows,
      total,
      cutoff: cutoff.toISOString(),
      ...(result.note ? { note: result.note } : {}),
      durationMs: Date.now() - started,
    };
    if (!dryRun) {
      for (const [table, n] of Object.entries(result.rows)) if (n > 0) this.metrics?.pruned.inc({ job: name, table }, n);
      if (report.status === 'done') this.metrics?.lastRun.set({ job: name }, Date.now() / 1000);
    }
    const line = `retention ${summaryOf(report, dryRun)}`;
    const fields = { job: name, dryRun, rows: result.rows, cutoff: report.cutoff, durationMs: report.durationMs };
    if (total > 0 || dryRun) this.logger.log(fields, line);
    else this.logger.debug(fields, line);
    return report;
  }

  /** Waits the pause between batches; false once the run must stop. */
  private pause(signal?: AbortSignal): Promise<boolean> {
    const ms = this.config.get('RETENTION_BATCH_PAUSE_MS');
    if (signal?.aborted) return Promise.resolve(false);
    if (ms === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve(!signal?.aborted);
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done);
    });
  }

  private select(names?: string[]): Job[] {
    const all = this.all();
    if (!names) return all;
    const unknown = names.filter((n) => !all.some((j) => j.options.name === n));
    if (unknown.length) throw new Error(`unknown retention job "${unknown.join('", "')}"; the jobs are: ${all.map((j) => j.options.name).join(', ')}`);
    return all.filter((j) => names.includes(j.options.name));
  }

  private settingOf(options: RetentionJobOptions): number {
    const value = this.config.get(options.setting as keyof Env);
    if (typeof value !== 'number') throw new Error(`retention job ${options.name}: setting ${options.setting} is not a number in the environment schema`);
    return value;
  }

  private all(): Job[] {
    if (this.discovered) return this.discovered;
    const jobs = this.discovery.getProviders().flatMap((wrapper) => {
      const options = retentionJobOptions(wrapper.metatype);
      return options && wrapper.instance ? [{ options, handler: wrapper.instance as RetentionJobHandler }] : [];
    });
    const names = new Set<string>();
    for (const job of jobs) {
      if (names.has(job.options.name)) throw new Error(`Two providers are registered for retention job "${job.options.name}"`);
      names.add(job.options.name);
      this.settingOf(job.options);
    }
    this.discovered = jobs.sort((a, b) => ORDER(a.options.name) - ORDER(b.options.name) || a.options.name.localeCompare(b.options.name));
    return this.discovered;
  }
}

/** Ours first in a fixed order (the one the docs list), then any an application adds, by name. */
const BUILT_IN = ['events', 'executions', 'trace-spans', 'idempotency-keys', 'usage-ledger', 'dead-letters'];
const ORDER = (name: string) => {
  const i = BUILT_IN.indexOf(name);
  return i < 0 ? BUILT_IN.length : i;
};

/** One line per job, e.g. `events (EVENT_RETENTION_DAYS=7): would prune 1200 rows (domain_events 1200); kept ahead of …`. */
export function summaryOf(job: RetentionJobReport, dryRun: boolean): string {
  const head = `${job.job} (${job.setting})`;
  if (job.status === 'skipped') return `${head}: skipped, ${job.note}`;
  if (job.status === 'failed') return `${head}: failed: ${job.error}`;
  const tables = Object.entries(job.rows).map(([t, n]) => `${t} ${n}`).join(', ');
  const verb = dryRun ? 'would prune' : 'pruned';
  const rows = `${job.total} row${job.total === 1 ? '' : 's'}`;
  return `${head}: ${verb} ${rows}${tables ? ` (${tables})` : ''}${job.status === 'stopped' ? ', stopped early' : ''}${job.note ? `; ${job.note}` : ''}`;
}
