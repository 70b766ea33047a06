import type { components } from '@client';

export type TraceNode = components['schemas']['TraceNodeResponseDto'];
export type TraceTree = components['schemas']['TraceTreeResponseDto'];

/** One row of the waterfall: a span, its depth in the tree, and its bar on the shared time axis (percent). */
export interface WaterfallRow {
  span: TraceNode;
  depth: number;
  /** Start offset from the trace's first start, ms (null: not started yet). */
  offsetMs: number | null;
  /** Duration, ms: completedAt − startedAt, or up to `now` while the span runs (null: not started). */
  durationMs: number | null;
  /** True when the span has started but not completed: its bar is drawn up to now. */
  open: boolean;
  left: number;
  width: number;
}

export interface Waterfall {
  rows: WaterfallRow[];
  /** The axis: from the first start to the last end (or now, while a span runs), ms. */
  totalMs: number;
  startMs: number | null;
}

const time = (iso: string | null): number | null => {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? null : t;
};

/** The spans in tree order (depth first, children in the API's start order) with their depth. */
export function flatten(root: TraceNode): { span: TraceNode; depth: number }[] {
  const out: { span: TraceNode; depth: number }[] = [];
  const walk = (node: TraceNode, depth: number) => {
    out.push({ span: node, depth });
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** Lays the spans out on one time axis; spans still running reach `now`. */
export function layoutWaterfall(root: TraceNode, now: number): Waterfall {
  const flat = flatten(root);
  let startMs: number | null = null;
  let endMs: number | null = null;
  const spans: { span: TraceNode; depth: number; s: number | null; e: number | null; open: boolean }[] = [];
  for (const { span, depth } of flat) {
    const s = time(span.startedAt);
    const open = s !== null && !span.completedAt;
    const e = s === null ? null : open ? Math.max(now, s) : (time(span.completedAt) ?? s);
    if (s !== null) startMs = startMs === null ? s : Math.min(startMs, s);
    if (e !== null) endMs = endMs === null ? e : Math.max(endMs, e);
    spans.push({ span, depth, s, e, open });
  }
  const totalMs = startMs !== null && endMs !== null ? Math.max(endMs - startMs, 1) : 1;
  const rows = spans.map(({ span, depth, s, e, open }): WaterfallRow => {
    if (s === null || e === null || startMs === null) return { span, depth, offsetMs: null, durationMs: null, open: false, left: 0, width: 0 };
    const offsetMs = s - startMs;
    const durationMs = e - s;
    return { span, depth, offsetMs, durationMs, open, left: (offsetMs / totalMs) * 100, width: (durationMs / totalMs) * 100 };
  });
  return { rows, totalMs, startMs };
}

/** True while any span of the tree is pending or running (the page then refreshes itself). */
export function isLive(root: TraceNode): boolean {
  return flatten(root).some(({ span }) => span.status === 'running' || span.status === 'pending');
}

export interface ModelTotals {
  model: string;
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** Tokens and cost of the tree's model calls, per model (provider/model), most expensive first. */
export function totalsByModel(root: TraceNode): ModelTotals[] {
  const byModel = new Map<string, ModelTotals>();
  for (const { span } of flatten(root)) {
    if (span.type !== 'model_call') continue;
    const m = span.metadata;
    const model = typeof m.model === 'string' ? (typeof m.provider === 'string' ? `${m.provider}/${m.model}` : m.model) : span.name;
    const entry = byModel.get(model) ?? { model, calls: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
    entry.calls++;
    entry.tokensIn += typeof m.tokensIn === 'number' ? m.tokensIn : 0;
    entry.tokensOut += typeof m.tokensOut === 'number' ? m.tokensOut : 0;
    entry.costUsd += typeof m.costUsd === 'number' ? m.costUsd : 0;
    byModel.set(model, entry);
  }
  return [...byModel.values()].sort((a, b) => b.costUsd - a.costUsd || b.tokensIn + b.tokensOut - (a.tokensIn + a.tokensOut));
}

/** Axis ticks at 0, ¼, ½, ¾ and the end of the trace: [percent, ms]. */
export function axisTicks(totalMs: number): [number, number][] {
  return [0, 25, 50, 75, 100].map((p) => [p, (totalMs * p) / 100]);
}
