import { Query } from '@nestjs/cqrs';
import type { TraceSpanListItem, TraceSpanType, TraceTree } from './trace.types';

/** A span with its whole subtree and totals; 404 TRACE_NOT_FOUND for a missing, malformed or other tenant's id. */
export class GetTraceQuery extends Query<TraceTree> {
  constructor(
    readonly tenantId: string,
    readonly spanId: string,
  ) {
    super();
  }
}

export interface TraceListFilter {
  entityId?: string;
  type?: TraceSpanType;
}

/** Spans, newest first, keyset-paginated. */
export class ListTracesQuery extends Query<{ items: TraceSpanListItem[]; nextCursor: string | null }> {
  constructor(
    readonly tenantId: string,
    readonly filter: TraceListFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
