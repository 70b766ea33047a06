import type { SpanWrite } from './span-write';

/** Where spans are kept. `apply` is an idempotent upsert (see SpanWrite for the merge rules). */
export abstract class TraceSpanRepository {
  abstract apply(write: SpanWrite): Promise<void>;
  /** The writes in order, all or none, in as few round trips as the store allows. */
  abstract applyAll(writes: SpanWrite[]): Promise<void>;
}
