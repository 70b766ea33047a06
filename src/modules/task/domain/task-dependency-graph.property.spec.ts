import fc from 'fast-check';
import { findDependencyCycles, type DependencyNode } from './task-dependency-graph';

/** Nodes n0..n(k-1); an edge i → j means "i depends on j". */
function graph(size: number, edges: [number, number][]): DependencyNode[] {
  return Array.from({ length: size }, (_, i) => ({ key: `n${i}`, dependsOn: edges.filter(([from]) => from === i).map(([, to]) => `n${to}`) }));
}

/** Reference answer: a graph has a cycle iff repeatedly removing nodes with no remaining dependencies leaves some. */
function hasCycle(nodes: DependencyNode[]): boolean {
  const remaining = new Map(nodes.map((n) => [n.key, new Set(n.dependsOn)]));
  let progress = true;
  while (progress) {
    progress = false;
    for (const [key, deps] of remaining) {
      if ([...deps].every((d) => !remaining.has(d))) {
        remaining.delete(key);
        progress = true;
      }
    }
  }
  return remaining.size > 0;
}

const anyGraph = fc.integer({ min: 1, max: 12 }).chain((size) =>
  fc.tuple(fc.constant(size), fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 3 })),
);

describe('findDependencyCycles (properties)', () => {
  it('finds a cycle exactly when the graph has one', () => {
    fc.assert(
      fc.property(anyGraph, ([size, edges]) => {
        const nodes = graph(size, edges);
        expect(findDependencyCycles(nodes).length > 0).toBe(hasCycle(nodes));
      }),
    );
  });

  it('every reported cycle is a closed path along real edges', () => {
    fc.assert(
      fc.property(anyGraph, ([size, edges]) => {
        const nodes = graph(size, edges);
        const deps = new Map(nodes.map((n) => [n.key, n.dependsOn]));
        for (const cycle of findDependencyCycles(nodes)) {
          expect(cycle.length).toBeGreaterThanOrEqual(2);
          expect(cycle[cycle.length - 1]).toBe(cycle[0]);
          expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
          for (let i = 0; i + 1 < cycle.length; i++) expect(deps.get(cycle[i])).toContain(cycle[i + 1]);
        }
      }),
    );
  });

  it('a DAG (edges only towards lower indexes) has none; one back edge on a path closes one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), (size) => {
        const chain: [number, number][] = Array.from({ length: size - 1 }, (_, i) => [i + 1, i]);
        expect(findDependencyCycles(graph(size, chain))).toEqual([]);
        const cycles = findDependencyCycles(graph(size, [...chain, [0, size - 1]]));
        expect(cycles).toHaveLength(1);
        expect(cycles[0]).toHaveLength(size + 1);
      }),
    );
  });

  it('ignores dependencies outside the batch', () => {
    expect(findDependencyCycles([{ key: 'a', dependsOn: ['elsewhere'] }])).toEqual([]);
    expect(findDependencyCycles([{ key: 'a', dependsOn: ['a'] }])).toEqual([['a', 'a']]);
  });
});
