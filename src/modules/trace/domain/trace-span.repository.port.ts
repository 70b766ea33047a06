import type { SpanWrite } from './span-write';

/** Where spans are kept. `apply` is an idempotent upsert (see SpanWrite for the merge rules). */
export abstract class TraceSpanRepository {
  abstract apply(write: SpanWrite): Promise<void>;
}
