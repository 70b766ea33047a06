import type { TraceNode, TraceSpanView, TraceTotals, TraceTree } from '../contracts/trace.types';

/** completedAt − startedAt in ms, or null when either is missing. */
export function spanDuration(startedAt: Date | string | null, completedAt: Date | string | null): number | null {
  if (!startedAt || !completedAt) return null;
  return Math.max(0, new Date(completedAt).getTime() - new Date(startedAt).getTime());
}

const numberOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Spans that have started come first, by start time; then the rest in creation (id) order. */
function byStart(a: TraceNode, b: TraceNode): number {
  if (a.startedAt && b.startedAt && a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  if (a.startedAt && !b.startedAt) return -1;
  if (!a.startedAt && b.startedAt) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function traceTotals(spans: readonly TraceSpanView[], root: TraceSpanView): TraceTotals {
  const totals: TraceTotals = { tokensIn: 0, tokensOut: 0, costUsd: 0, modelCalls: 0, toolCalls: 0, durationMs: root.durationMs };
  for (const s of spans) {
    if (s.type === 'model_call') {
      totals.modelCalls++;
      totals.tokensIn += numberOf(s.metadata.tokensIn);
      totals.tokensOut += numberOf(s.metadata.tokensOut);
      totals.costUsd += numberOf(s.metadata.costUsd);
    } else if (s.type === 'tool_call') {
      totals.toolCalls++;
    }
  }
  // Sums of binary fractions drift (0.1 + 0.2); a billionth of a dollar is below any price.
  totals.costUsd = Math.round(totals.costUsd * 1e9) / 1e9;
  return totals;
}

/**
 * Builds the tree under `rootId` from its subtree's spans (in any order), children ordered by
 * start time, with totals over the model and tool calls. Null when the root is not among them.
 */
export function buildTraceTree(spans: readonly TraceSpanView[], rootId: string): TraceTree | null {
  const nodes = new Map<string, TraceNode>(spans.map((s) => [s.id, { ...s, children: [] }]));
  const root = nodes.get(rootId);
  if (!root) return null;
  for (const node of nodes.values()) {
    if (node.id === rootId || !node.parentId) continue;
    nodes.get(node.parentId)?.children.push(node);
  }
  for (const node of nodes.values()) node.children.sort(byStart);
  return { ...root, totals: traceTotals(spans, root) };
}
