import type { TraceSpanView } from '../contracts/trace.types';
import { buildTraceTree, spanDuration } from './span-tree';

function span(id: string, parentId: string | null, over: Partial<TraceSpanView> = {}): TraceSpanView {
  return {
    id,
    type: 'step',
    entityId: `e-${id}`,
    parentId,
    name: id,
    status: 'completed',
    inputs: null,
    outputs: null,
    error: null,
    metadata: {},
    startedAt: null,
    completedAt: null,
    durationMs: null,
    ...over,
  };
}

describe('buildTraceTree', () => {
  it('nests the subtree, orders children by start (unstarted last) and sums calls at the root', () => {
    const spans = [
      span('m2', 'run', { type: 'model_call', startedAt: '2026-01-01T00:00:03.000Z', metadata: { tokensIn: 3, tokensOut: 4, costUsd: 0.2 } }),
      span('s2', 'wf', { startedAt: '2026-01-01T00:00:02.000Z' }),
      span('wf', 'above', { type: 'workflow', startedAt: '2026-01-01T00:00:00.000Z', completedAt: '2026-01-01T00:00:05.000Z', durationMs: 5000 }),
      span('s3', 'wf', { status: 'cancelled' }),
      span('s1', 'wf', { startedAt: '2026-01-01T00:00:01.000Z' }),
      span('run', 's2', { type: 'agent_action' }),
      span('m1', 'run', { type: 'model_call', startedAt: '2026-01-01T00:00:02.500Z', metadata: { tokensIn: 10, tokensOut: 20, costUsd: 0.1 } }),
      span('t1', 'run', { type: 'tool_call', startedAt: '2026-01-01T00:00:02.700Z' }),
    ];
    const tree = buildTraceTree(spans, 'wf')!;
    expect(tree.id).toBe('wf');
    expect(tree.children.map((c) => c.id)).toEqual(['s1', 's2', 's3']);
    expect(tree.children[1].children[0].children.map((c) => c.id)).toEqual(['m1', 't1', 'm2']);
    expect(tree.totals).toEqual({ tokensIn: 13, tokensOut: 24, costUsd: 0.3, modelCalls: 2, toolCalls: 1, durationMs: 5000 });
  });

  it('answers null when the root is not among the spans', () => {
    expect(buildTraceTree([span('a', null)], 'b')).toBeNull();
  });

  it('measures a duration only when the span has both ends', () => {
    expect(spanDuration('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.250Z')).toBe(1250);
    expect(spanDuration(new Date(0), null)).toBeNull();
    expect(spanDuration(null, new Date(0))).toBeNull();
  });
});
