import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { COUNT_PENDING, INDEX_PENDING } from '../../infrastructure/memory-pending.sql';
import { MemorySql } from '../../infrastructure/memory-sql';
import { IndexerPacing } from './indexer-pacing';

/** Wake-ups closer together than this share one pass (one statement and one commit for their rows). */
const COALESCE_MS = 50;

/**
 * Brings the HNSW indexes up to date behind small writes (docs/architecture.md, "Memory"). A write
 * of at most MEMORY_DEFER_INDEX_MAX_BATCH memories stores them with `vector_pending` (durably, with
 * their vectors, outside the index) and tells this loop after its commit. The loop yields to
 * writers (IndexerPacing): it runs once this process's writes have paused for
 * MEMORY_INDEXER_SETTLE_MS, or when the oldest of them has waited MEMORY_INDEXER_MAX_DELAY_MS,
 * so a burst of writes does not share the CPU with its own HNSW inserts. A pass clears the flag of
 * up to MEMORY_INDEXER_BATCH rows in one statement, which inserts them into the index, and runs
 * again at once while batches come back full (and the writers are still quiet). Searches see
 * pending rows exactly in the meantime (memory-pending.sql.ts), so a memory is found from the
 * moment its write returns.
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
  private readonly pacing: IndexerPacing;
  private wakeTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly sql: MemorySql,
    private readonly jobs: BackgroundJobs,
  ) {
    this.pacing = new IndexerPacing(config.get('MEMORY_INDEXER_SETTLE_MS'), config.get('MEMORY_INDEXER_MAX_DELAY_MS'));
  }

  onApplicationBootstrap(): void {
    const batch = this.config.get('MEMORY_INDEXER_BATCH');
    this.loop = this.jobs.start({
      name: 'memory.vector-indexer',
      everyMs: this.config.get('MEMORY_INDEXER_INTERVAL_MS'),
      minGapMs: COALESCE_MS,
      run: async () => {
        // Writers are still busy (a periodic pass, or the next batch of a drain): come back when they pause.
        if (this.pacing.holdFor() > 0) {
          this.wakeWhenDue();
          return false;
        }
        return (await this.indexBatch()) === batch;
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    await this.jobs.stop(this.loop);
    this.loop = undefined;
  }

  /** Whether a write of `count` memories may leave its HNSW inserts to the indexer. */
  mayDefer(count: number): boolean {
    return count <= this.config.get('MEMORY_DEFER_INDEX_MAX_BATCH') && this.backlog < this.config.get('MEMORY_DEFER_INDEX_MAX_PENDING');
  }

  /** A write committed pending rows: index them once the writers pause (or they waited long enough). */
  written(): void {
    this.pacing.written();
    this.wakeWhenDue();
  }

  /** Wakes the loop now, or sets one timer for when the pacing lets it run (checked again then). */
  private wakeWhenDue(): void {
    if (this.wakeTimer || !this.loop) return;
    const hold = this.pacing.holdFor();
    if (hold === 0) {
      this.loop.wake();
      return;
    }
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeWhenDue();
    }, hold);
    this.wakeTimer.unref();
  }

  /** One batch now: the number of rows put into their index. */
  async indexBatch(): Promise<number> {
    const batch = this.config.get('MEMORY_INDEXER_BATCH');
    this.pacing.batchStarted();
    const indexed = (await this.sql.query(INDEX_PENDING, [batch])).length;
    if (indexed < batch) {
      this.backlog = 0;
      this.pacing.drained();
    } else {
      [{ n: this.backlog }] = await this.sql.query<{ n: number }>(COUNT_PENDING, [this.config.get('MEMORY_DEFER_INDEX_MAX_PENDING')]);
    }
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
