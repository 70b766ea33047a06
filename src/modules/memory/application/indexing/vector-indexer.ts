import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { COUNT_PENDING, INDEX_PENDING } from '../../infrastructure/memory-pending.sql';
import { MemorySql } from '../../infrastructure/memory-sql';

/** Wake-ups closer together than this share one pass (one statement and one commit for their rows). */
const COALESCE_MS = 50;

/**
 * Brings the HNSW indexes up to date behind small writes (docs/architecture.md, "Memory"). A write
 * of at most MEMORY_DEFER_INDEX_MAX_BATCH memories stores them with `vector_pending` (durably, with
 * their vectors, outside the index) and wakes this loop after its commit; a pass clears the flag of
 * up to MEMORY_INDEXER_BATCH rows in one statement, which inserts them into the index, and runs
 * again at once while batches come back full. Searches see pending rows exactly in the meantime
 * (memory-pending.sql.ts), so a memory is found from the moment its write returns.
 *
 * Nothing is lost in a crash: the flag commits with the row, and the first pass of every process
 * (at start, then every MEMORY_INDEXER_INTERVAL_MS) takes whatever is pending, whoever wrote it.
 * Instances share the work through `FOR UPDATE SKIP LOCKED`. While more than
 * MEMORY_DEFER_INDEX_MAX_PENDING rows wait (counted after each full batch), writes index in the
 * request again, which bounds what searches scan exactly.
 */
@Injectable()
export class VectorIndexer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private loop?: BackgroundLoop;
  /** Pending rows at the last count (counted, up to MAX_PENDING, after a pass that found a full batch). */
  private backlog = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly sql: MemorySql,
    private readonly jobs: BackgroundJobs,
  ) {}

  onApplicationBootstrap(): void {
    const batch = this.config.get('MEMORY_INDEXER_BATCH');
    this.loop = this.jobs.start({
      name: 'memory.vector-indexer',
      everyMs: this.config.get('MEMORY_INDEXER_INTERVAL_MS'),
      minGapMs: COALESCE_MS,
      run: async () => (await this.indexBatch()) === batch,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
    this.loop = undefined;
  }

  /** Whether a write of `count` memories may leave its HNSW inserts to the indexer. */
  mayDefer(count: number): boolean {
    return count <= this.config.get('MEMORY_DEFER_INDEX_MAX_BATCH') && this.backlog < this.config.get('MEMORY_DEFER_INDEX_MAX_PENDING');
  }

  /** A write committed pending rows: index them soon. */
  written(): void {
    this.loop?.wake();
  }

  /** One batch now: the number of rows put into their index. */
  async indexBatch(): Promise<number> {
    const batch = this.config.get('MEMORY_INDEXER_BATCH');
    const indexed = (await this.sql.query(INDEX_PENDING, [batch])).length;
    if (indexed < batch) this.backlog = 0;
    else [{ n: this.backlog }] = await this.sql.query<{ n: number }>(COUNT_PENDING, [this.config.get('MEMORY_DEFER_INDEX_MAX_PENDING')]);
    return indexed;
  }

  /** Indexes until a batch comes back short (nothing left that no one else holds): the rows indexed. */
  async drain(): Promise<number> {
    const batch = this.config.get('MEMORY_INDEXER_BATCH');
    let total = 0;
    for (;;) {
      const n = await this.indexBatch();
      total += n;
      if (n < batch) return total;
    }
  }
}
