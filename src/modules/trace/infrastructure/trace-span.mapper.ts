import type { TraceSpanListItem, TraceSpanStatus, TraceSpanType, TraceSpanView } from '../contracts/trace.types';
import { spanDuration } from '../domain/span-tree';

/** A trace_spans row as the read queries select it (snake_case columns, pg types). */
export interface TraceSpanRow {
  id: string;
  type: string;
  entity_id: string;
  parent_id: string | null;
  name: string;
  status: string;
  inputs: unknown;
  outputs: unknown;
  error: unknown;
  metadata: Record<string, unknown> | null;
  started_at: Date | null;
  completed_at: Date | null;
  root_id?: string;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export const TraceSpanMapper = {
  toView(row: TraceSpanRow): TraceSpanView {
    return {
      id: row.id,
      type: row.type as TraceSpanType,
      entityId: row.entity_id,
      parentId: row.parent_id,
      name: row.name,
      status: row.status as TraceSpanStatus,
      inputs: row.inputs ?? null,
      outputs: row.outputs ?? null,
      error: row.error ?? null,
      metadata: row.metadata ?? {},
      startedAt: iso(row.started_at),
      completedAt: iso(row.completed_at),
      durationMs: spanDuration(row.started_at, row.completed_at),
    };
  },

  toListItem(row: TraceSpanRow): TraceSpanListItem {
    return { ...TraceSpanMapper.toView(row), rootId: row.root_id ?? row.id };
  },
};
