export const TRACE_SPAN_TYPES = ['workflow', 'step', 'task', 'agent_action', 'model_call', 'tool_call'] as const;
export type TraceSpanType = (typeof TRACE_SPAN_TYPES)[number];

export const TRACE_SPAN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TraceSpanStatus = (typeof TRACE_SPAN_STATUSES)[number];

/** One span as stored: a node of a trace without its children. */
export interface TraceSpanView {
  id: string;
  type: TraceSpanType;
  /** The traced thing: execution id, step execution id, task id, agent run id, ledger call id. */
  entityId: string;
  parentId: string | null;
  name: string;
  status: TraceSpanStatus;
  inputs: unknown;
  outputs: unknown;
  error: unknown;
  /** model, provider, tokensIn, tokensOut, costUsd, attempt, … */
  metadata: Record<string, unknown>;
  startedAt: string | null;
  completedAt: string | null;
  /** completedAt − startedAt; null while the span has not both. */
  durationMs: number | null;
}

/** A listed span, with the root of the trace it belongs to. */
export interface TraceSpanListItem extends TraceSpanView {
  rootId: string;
}

export interface TraceNode extends TraceSpanView {
  /** Ordered by startedAt (spans not started yet last). */
  children: TraceNode[];
}

/** Sums over the model_call and tool_call spans of a subtree. */
export interface TraceTotals {
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
  /** The root span's duration. */
  durationMs: number | null;
}

export interface TraceTree extends TraceNode {
  totals: TraceTotals;
}
