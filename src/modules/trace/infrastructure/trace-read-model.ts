import { Injectable } from '@nestjs/common';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import type { TraceListFilter, TraceSpanListItem, TraceSpanView } from '../contracts';
import { TraceSpanMapper, TraceSpanRow } from './trace-span.mapper';

const COLUMNS = `id, type, entity_id, parent_id, name, status, inputs, outputs, error, metadata, started_at, completed_at`;
/** Bounds the walks: a tree is a handful of levels deep (workflow → step → task → run → call, plus sub-workflows). */
const MAX_DEPTH = 100;

/** One recursive statement: the span and every descendant. */
const SUBTREE = `
WITH RECURSIVE tree AS (
  SELECT ${COLUMNS}, 0 AS depth FROM trace_spans WHERE tenant_id = $1 AND id = $2
  UNION ALL
  SELECT ${COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}, t.depth + 1
  FROM tree t JOIN trace_spans c ON c.tenant_id = $1 AND c.parent_id = t.id
  WHERE t.depth < ${MAX_DEPTH}
)
SELECT ${COLUMNS} FROM tree`;

/** The read side of traces: plain SQL on the current transaction's connection (or the pool). */
@Injectable()
@TimedRepository('trace-read')
export class TraceReadModel {
  constructor(private readonly txHost: TransactionHost) {}

  private query<R>(text: string, params: unknown[]): Promise<R[]> {
    return (this.txHost as unknown as Tx).tx.query(text, params);
  }

  /** The span and its whole subtree (empty when the tenant has no such span). */
  async subtree(tenantId: string, spanId: string): Promise<TraceSpanView[]> {
    return (await this.query<TraceSpanRow>(SUBTREE, [tenantId, spanId])).map(TraceSpanMapper.toView);
  }

  /** Newest first (ids are UUIDv7), after the `before` id; each with the root of its trace. */
  async list(tenantId: string, filter: TraceListFilter & { before?: string }, limit: number): Promise<TraceSpanListItem[]> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    if (filter.entityId !== undefined) where.push(`entity_id = $${params.push(filter.entityId)}`);
    if (filter.type !== undefined) where.push(`type = $${params.push(filter.type)}`);
    if (filter.before !== undefined) where.push(`id < $${params.push(filter.before)}::uuid`);
    const rows = await this.query<TraceSpanRow>(
      `WITH RECURSIVE page AS (
         SELECT ${COLUMNS} FROM trace_spans WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.push(limit)}
       ), up AS (
         SELECT p.id AS span_id, p.id, p.parent_id, 0 AS depth FROM page p
         UNION ALL
         SELECT up.span_id, a.id, a.parent_id, up.depth + 1
         FROM up JOIN trace_spans a ON a.tenant_id = $1 AND a.id = up.parent_id
         WHERE up.depth < ${MAX_DEPTH}
       )
       SELECT page.*, (SELECT up.id FROM up WHERE up.span_id = page.id ORDER BY up.depth DESC LIMIT 1) AS root_id
       FROM page ORDER BY page.id DESC`,
      params,
    );
    return rows.map(TraceSpanMapper.toListItem);
  }
}
