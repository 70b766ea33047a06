/**
 * Graph algorithms over steps and their `dependsOn` edges. Pure functions; a node is identified
 * by its declaration index, and an edge i → j means "step i depends on step j". Callers drop
 * edges to unknown steps and to duplicate ids before building a graph.
 */

export interface DagNode {
  id: string;
  dependsOn: readonly string[];
}

export interface Graph {
  ids: string[];
  /** deps[i] = indexes of the steps i depends on, in declaration order, no self edges. */
  deps: number[][];
}

/** Builds the graph from the first step declaring each id; unknown and self dependencies are dropped. */
export function buildGraph(nodes: readonly DagNode[]): Graph {
  const indexOf = new Map<string, number>();
  const kept: DagNode[] = [];
  for (const node of nodes) {
    if (indexOf.has(node.id)) continue;
    indexOf.set(node.id, kept.length);
    kept.push(node);
  }
  const deps = kept.map((node, i) =>
    [...new Set(node.dependsOn.map((dep) => indexOf.get(dep)).filter((j): j is number => j !== undefined && j !== i))].sort(
      (a, b) => a - b,
    ),
  );
  return { ids: kept.map((node) => node.id), deps };
}

/** Strongly connected components (Tarjan), each sorted by declaration index, ordered by their first node. */
export function stronglyConnectedComponents(graph: Graph): number[][] {
  const n = graph.ids.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  const connect = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of graph.deps[v]) {
      if (index[w] === -1) {
        connect(w);
        low[v] = Math.min(low[v], low[w]);
      } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
    }
    if (low[v] !== index[v]) return;
    const component: number[] = [];
    let w: number;
    do {
      w = stack.pop() as number;
      onStack[w] = false;
      component.push(w);
    } while (w !== v);
    components.push(component.sort((a, b) => a - b));
  };

  for (let v = 0; v < n; v += 1) if (index[v] === -1) connect(v);
  return components.sort((a, b) => a[0] - b[0]);
}

/**
 * One cycle per strongly connected component of more than one step: the shortest cycle through the
 * component's first-declared step, following dependsOn edges, e.g. ["a", "b", "c", "a"].
 */
export function findCycles(graph: Graph): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnectedComponents(graph)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = component[0];
    const previous = new Map<number, number>();
    const queue = [start];
    let last = -1;
    for (let head = 0; head < queue.length && last === -1; head += 1) {
      const v = queue[head];
      for (const w of graph.deps[v]) {
        if (w === start) {
          last = v;
          break;
        }
        if (members.has(w) && !previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = last; v !== start; v = previous.get(v) as number) path.splice(1, 0, v);
    path.push(start);
    cycles.push(path.map((v) => graph.ids[v]));
  }
  return cycles;
}

/** Transitive dependencies of every node (excluding the node itself). */
export function ancestorSets(graph: Graph): Set<number>[] {
  const memo: (Set<number> | undefined)[] = new Array(graph.ids.length);
  const visit = (start: number): Set<number> => {
    const cached = memo[start];
    if (cached) return cached;
    const seen = new Set<number>();
    const stack = [...graph.deps[start]];
    while (stack.length > 0) {
      const v = stack.pop() as number;
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push(...graph.deps[v]);
    }
    seen.delete(start);
    memo[start] = seen;
    return seen;
  };
  return graph.ids.map((_, i) => visit(i));
}

/**
 * Kahn's algorithm; among ready steps the earliest declared goes first, so the order is
 * deterministic. Returns null when the graph has a cycle.
 */
export function topologicalOrder(graph: Graph): number[] | null {
  const n = graph.ids.length;
  const remaining = graph.deps.map((deps) => deps.length);
  const dependents: number[][] = graph.ids.map(() => []);
  graph.deps.forEach((deps, v) => deps.forEach((d) => dependents[d].push(v)));
  const ready: number[] = [];
  for (let v = 0; v < n; v += 1) if (remaining[v] === 0) ready.push(v);
  const order: number[] = [];
  while (ready.length > 0) {
    const v = ready.shift() as number;
    order.push(v);
    for (const w of dependents[v]) {
      remaining[w] -= 1;
      if (remaining[w] === 0) {
        const at = ready.findIndex((r) => r > w);
        ready.splice(at === -1 ? ready.length : at, 0, w);
      }
    }
  }
  return order.length === n ? order : null;
}
