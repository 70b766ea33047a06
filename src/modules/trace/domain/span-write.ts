import type { TraceSpanStatus, TraceSpanType } from '../contracts/trace.types';

/** A span is identified by what it traces: (tenant, type, entity id). */
export interface SpanRef {
  type: TraceSpanType;
  entityId: string;
}

/**
 * What one event says about one span; the repository upserts it. Fields left undefined are kept.
 *
 * - `parent`, `inputs`, `name` describe the span and are always merged (an out-of-order event
 *   still fills them in); a missing parent is created as a `pending` placeholder.
 * - `status` with `outputs`, `error` and `completedAt` is applied only if the event is not older
 *   than the one that set the current status in the relay's delivery order (the outbox
 *   transaction id and `position`, not clocks), so a re-delivered event never moves a span back.
 *   Non-final statuses clear `completedAt`, `outputs` and `error`.
 * - `metadata` is merged key by key; the newer event's keys win.
 * - `startedAt` keeps the earliest value seen.
 */
export interface SpanWrite extends SpanRef {
  tenantId: string;
  name: string;
  parent?: SpanRef;
  status?: TraceSpanStatus;
  inputs?: unknown;
  outputs?: unknown;
  error?: unknown;
  metadata?: Record<string, unknown>;
  startedAt?: Date;
  completedAt?: Date;
  /** The event's occurredAt: the default time of a start or an end. */
  at: Date;
  /** The event's outbox position (a bigint as a string) when it came through the relay: its place in the delivery order. */
  position: string | null;
}

export const FINAL_SPAN_STATUSES: ReadonlySet<TraceSpanStatus> = new Set(['completed', 'failed', 'cancelled']);
