import type { components } from '@client';
import type { DagEdge, DagNode } from '../../components/dag-graph';

export type StepDefinition = components['schemas']['StepResponseDto'];
export type StepExecution = components['schemas']['StepExecutionResponseDto'];

/** A step of the definition with its execution rows: the step's own row and, for forEach, one per item. */
export interface StepState {
  definition: StepDefinition;
  /** The step's own row (itemIndex null); absent before the engine created it. */
  row?: StepExecution;
  /** forEach items, by index. */
  items: StepExecution[];
}

/** Each step of the definition, in definition order, with its rows among `rows`. */
export function stepStates(definitions: StepDefinition[], rows: StepExecution[]): StepState[] {
  return definitions.map((definition) => {
    const mine = rows.filter((r) => r.stepId === definition.id);
    return {
      definition,
      row: mine.find((r) => r.itemIndex === null),
      items: mine.filter((r) => r.itemIndex !== null).sort((a, b) => (a.itemIndex ?? 0) - (b.itemIndex ?? 0)),
    };
  });
}

/** The status of a step: its own row's, "not started" when there is none yet. */
export function stepStatus(state: StepState): string {
  return state.row?.status ?? 'not started';
}

/** The items of a forEach step counted by status: "12 items: 10 completed, 2 running" (null for other steps). */
export function itemSummary(state: StepState): string | null {
  if (!state.definition.forEach) return null;
  if (state.items.length === 0) return 'no items yet';
  const counts = new Map<string, number>();
  for (const item of state.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${n} ${status}`);
  return `${state.items.length} item${state.items.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The DAG of an execution: a node per step (forEach collapsed, with counts), edges from dependsOn. */
export function executionGraph(states: StepState[]): { nodes: DagNode[]; edges: DagEdge[] } {
  return {
    nodes: states.map((s) => ({ id: s.definition.id, title: s.definition.id, subtitle: s.definition.type, status: stepStatus(s), detail: itemSummary(s) ?? s.row?.skipReason ?? undefined })),
    edges: states.flatMap((s) => s.definition.dependsOn.map((from) => ({ from, to: s.definition.id }))),
  };
}

/** The DAG of a definition with the critical path emphasised. */
export function definitionGraph(definitions: StepDefinition[], criticalPath: string[] = []): { nodes: DagNode[]; edges: DagEdge[] } {
  const critical = new Set(criticalPath);
  const next = new Map(criticalPath.slice(0, -1).map((id, i) => [id, criticalPath[i + 1]]));
  return {
    nodes: definitions.map((d) => ({ id: d.id, title: d.id, subtitle: d.type, detail: d.forEach ? `forEach ${d.forEach}` : d.name !== d.id ? d.name : undefined, highlighted: critical.has(d.id) })),
    edges: definitions.flatMap((d) => d.dependsOn.map((from) => ({ from, to: d.id, highlighted: next.get(from) === d.id }))),
  };
}

/** Milliseconds between two timestamps, or null. */
export function durationMs(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return new Date(to).getTime() - new Date(from).getTime();
}
