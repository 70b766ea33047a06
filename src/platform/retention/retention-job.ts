export const RETENTION_JOB = 'cognitionos:retention-job';

export interface RetentionJobOptions {
  /** Names the job: `retention:run --job <name>`, the `job` label of its metrics, its log lines. */
  name: string;
  /** The environment variable (src/config/env.schema.ts) saying how long to keep the data; its value 0 keeps it forever (the job is skipped). */
  setting: string;
  unit: 'days' | 'hours';
  /** One line: what the job prunes and what it keeps. */
  description: string;
}

/** SQL on the retention session: a dedicated connection, never one of the pool's. */
export interface RetentionDb {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction (keep it to one batch: its locks are held until it ends). */
  transaction<T>(work: (db: RetentionDb) => Promise<T>): Promise<T>;
}

/** What a job gets for one run. */
export interface RetentionRun {
  /** Count what would be pruned, delete nothing. A dry run takes the same path as a real one. */
  readonly dryRun: boolean;
  /** The database's now() at the start of the run minus the job's setting: older rows may go. */
  readonly cutoff: Date;
  /** Rows per statement (RETENTION_BATCH_SIZE). */
  readonly batchSize: number;
  readonly db: RetentionDb;
  /**
   * Call between two batches: waits RETENTION_BATCH_PAUSE_MS, so the hot path gets the database in
   * between. Resolves false when the run must stop (the process is shutting down): return what was
   * done so far.
   */
  next(): Promise<boolean>;
}

export interface RetentionResult {
  /** Rows pruned (in a dry run: that would be), by table. */
  rows: Record<string, number>;
  /** What held pruning back or why nothing was pruned, e.g. the subscriber with the lowest checkpoint. */
  note?: string;
}

/** A retention job: a provider marked @RetentionJob, discovered at start like step types. */
export interface RetentionJobHandler {
  prune(run: RetentionRun): Promise<RetentionResult>;
}

/**
 * Marks a provider implementing RetentionJobHandler as a retention job. The platform runs every
 * job it finds, in the background and from `retention:run`; an application that imports our
 * modules adds its own the same way.
 */
export function RetentionJob(options: RetentionJobOptions): ClassDecorator {
  return (target) => Reflect.defineMetadata(RETENTION_JOB, options, target);
}

export function retentionJobOptions(target: unknown): RetentionJobOptions | undefined {
  return target ? (Reflect.getMetadata(RETENTION_JOB, target as object) as RetentionJobOptions | undefined) : undefined;
}
