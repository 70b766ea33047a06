/**
 * When the vector indexer may run, given the deferred writes this process committed: once writes
 * have paused for `settleMs`, or as soon as the oldest write not yet indexed has waited
 * `maxDelayMs`, whichever comes first. A stream of writes therefore does not share the CPU with
 * the HNSW inserts of its own rows until it pauses (or runs longer than `maxDelayMs`); searches
 * see the pending rows exactly meanwhile. `settleMs` 0 holds nothing back: the indexer runs right
 * after every write.
 */
export class IndexerPacing {
  private lastWriteAt?: number;
  /** The first write not known to be indexed (undefined: none). */
  private oldestWaitingAt?: number;
  /** The first write since the current batch started (undefined: none). */
  private firstSinceBatch?: number;

  constructor(
    private readonly settleMs: number,
    private readonly maxDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A deferred write committed. */
  written(): void {
    const t = this.now();
    this.lastWriteAt = t;
    this.oldestWaitingAt ??= t;
    this.firstSinceBatch ??= t;
  }

  /** Milliseconds to hold the indexer back; 0: it may run now. */
  holdFor(): number {
    if (this.settleMs === 0 || this.lastWriteAt === undefined || this.oldestWaitingAt === undefined) return 0;
    const until = Math.min(this.lastWriteAt + this.settleMs, this.oldestWaitingAt + this.maxDelayMs);
    return Math.max(0, until - this.now());
  }

  /** A batch is about to take pending rows. */
  batchStarted(): void {
    this.firstSinceBatch = undefined;
  }

  /** A batch came back short: every write from before it started is indexed (or another instance holds it). */
  drained(): void {
    this.oldestWaitingAt = this.firstSinceBatch;
  }
}
