/**
 * Cycle detection among the tasks of one batch. Existing tasks never depend on new ones (their
 * dependencies are fixed at creation), so a cycle can only close inside a batch: checking the
 * batch's own edges keeps the whole graph acyclic.
 */

export interface DependencyNode {
  /** The name a cycle is reported with (the task's ref). */
  key: string;
  /** Keys of other nodes of the batch this one depends on (unknown keys are ignored). */
  dependsOn: readonly string[];
}

/**
 * Every elementary cycle found by a depth-first search, each at most once per node, written as the
 * path that closes it: ["a", "b", "a"] means a depends on b and b on a; ["a", "a"] is a
 * self-dependency. Empty when the graph is acyclic.
 */
export function findDependencyCycles(nodes: readonly DependencyNode[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const node of nodes) if (!edges.has(node.key)) edges.set(node.key, [...node.dependsOn]);
  const state = new Map<string, 'visiting' | 'done'>();
  const inCycle = new Set<string>();
  const cycles: string[][] = [];

  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    // Iterative DFS: the path is the stack of nodes being visited, each with its next edge index.
    const path: { key: string; next: number }[] = [{ key: root, next: 0 }];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const top = path[path.length - 1];
      const deps = edges.get(top.key) ?? [];
      if (top.next >= deps.length) {
        state.set(top.key, 'done');
        path.pop();
        continue;
      }
      const dep = deps[top.next++];
      if (!edges.has(dep)) continue;
      const seen = state.get(dep);
      if (seen === undefined) {
        state.set(dep, 'visiting');
        path.push({ key: dep, next: 0 });
      } else if (seen === 'visiting') {
        const start = path.findIndex((p) => p.key === dep);
        const cycle = path.slice(start).map((p) => p.key);
        if (!cycle.some((key) => inCycle.has(key))) {
          cycle.forEach((key) => inCycle.add(key));
          cycles.push([...cycle, dep]);
        }
      }
    }
  }
  return cycles;
}
