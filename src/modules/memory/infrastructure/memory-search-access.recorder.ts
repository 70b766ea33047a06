import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { MemorySearchPool } from './memory-search.pool';

/**
 * Once a second: a memory hit by many searches in that time is written once (with their sum), so
 * the rows searches keep returning get one new row version a second instead of five.
 */
const FLUSH_EVERY_MS = 1000;
/** A buffer this large is flushed at once rather than at the next tick. */
const MAX_BUFFERED = 50_000;
/**
 * Retried at the next flush. 23503: a memory purged between the existence check and the foreign
 * key's; the next flush leaves it out.
 */
const TRANSIENT = new Set(['40001', '40P01', '55P03', '57014', '23503']);

/**
 * Adds $2[i] accesses to memory $1[i], now; ids of memories that no longer exist are left out (a
 * probe of memories' primary key each). Rows are written in the array's order (the ordinality,
 * which the function scan delivers without a sort: this pool's connections run with enable_sort =
 * off, and `ORDER BY m.id` over a join made the planner walk the whole key for every id).
 */
export const RECORD_ACCESSES = `INSERT INTO memory_access AS x (memory_id, access_count, last_accessed_at)
  SELECT a.id, a.n, now() FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS a(id, n, i)
   WHERE EXISTS (SELECT 1 FROM memories m WHERE m.id = a.id) ORDER BY a.i
  ON CONFLICT (memory_id) DO UPDATE SET access_count = x.access_count + excluded.access_count, last_accessed_at = excluded.last_accessed_at`;
export const RECORD_ACCESSES_NAME = 'cognitionos_mem_record_access';

/**
 * Counts a search hit as an access of the memory (access_count + 1, last_accessed_at = now())
 * without making the search wait: ids are buffered in memory and written in one upsert into
 * `memory_access` over `unnest(ids, counts)` every second, outside any request (a platform
 * background loop). Not into `memories`: a new version of a memory row copies its vector, which
 * cost more than the searches themselves (migration 1764150930000-memory-access). Memories deleted
 * for good in the meantime are left out. An access is not a change of the memory: neither
 * updated_at nor the revision moves. A deadlock, a serialization failure or a lost connection puts
 * the counts back for the next flush (the loop backs off while the database is away); other errors
 * are logged and the counts dropped. The buffer is flushed when the application shuts down (before
 * the connection pools close).
 */
@Injectable()
export class MemorySearchAccessRecorder implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(MemorySearchAccessRecorder.name);
  private pending = new Map<string, number>();
  private loop?: BackgroundLoop;
  private flushing?: Promise<void>;
  private failed?: Error;

  constructor(
    private readonly pool: MemorySearchPool,
    private readonly jobs: BackgroundJobs,
  ) {}

  onModuleInit(): void {
    this.loop = this.jobs.start({
      name: 'memory.access-recorder',
      everyMs: FLUSH_EVERY_MS,
      run: async () => {
        await this.flush();
        // A lost connection is the loop's to back off from (the counts were kept).
        const failed = this.failed;
        this.failed = undefined;
        if (failed) throw failed;
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
    this.loop = undefined;
    await this.flush();
  }

  record(ids: readonly string[]): void {
    for (const id of ids) this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    if (this.pending.size >= MAX_BUFFERED) void this.flush();
  }

  /** Writes what is buffered (waits for a flush already running first). Never rejects. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(batch: Map<string, number>): Promise<void> {
    // Sorted: concurrent flushes of several processes lock rows in the same order (RECORD_ACCESSES keeps it).
    const ids = [...batch.keys()].sort();
    const counts = ids.map((id) => batch.get(id)!);
    try {
      await this.pool.run((c) =>
        c.query(
          RECORD_ACCESSES,
          [ids, counts],
          RECORD_ACCESSES_NAME,
        ),
      );
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (isConnectionError(error)) {
        for (const [id, n] of batch) this.pending.set(id, (this.pending.get(id) ?? 0) + n);
        this.failed = error as Error;
        return;
      }
      if (TRANSIENT.has(code)) for (const [id, n] of batch) this.pending.set(id, (this.pending.get(id) ?? 0) + n);
      this.logger.warn(`recording ${ids.length} memory access(es) failed${TRANSIENT.has(code) ? ' (will retry)' : ''}: ${(error as Error).message}`);
    }
  }
}
