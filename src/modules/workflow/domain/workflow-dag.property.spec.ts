import fc from 'fast-check';
import type { StepDefinition } from '../contracts/workflow.types';
import { StaticStepTypeRegistry } from './step-type-registry';
import { WorkflowDag } from './workflow-dag';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';

const stepTypes = new StaticStepTypeRegistry();

/** Every step reads each of its direct dependencies, so the reference rule is exercised too. */
const step = (id: string, dependsOn: string[]) => stepDefinition(id, dependsOn, { params: { output: dependsOn.map((dep) => `\${{ steps.${dep}.output }}`) } });

/** n nodes, edges only from a higher index to a lower one (so acyclic), declared in shuffled order. */
const randomDag = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }),
      order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    }),
  )
  .map(({ n, edges, order }) => {
    const deps: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
    for (const [x, y] of edges) if (x !== y) deps[Math.max(x, y)].add(Math.min(x, y));
    return order.map((i) => step(`s${i}`, [...deps[i]].map((d) => `s${d}`)));
  });

function ancestorsOf(steps: StepDefinition[], id: string): Set<string> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (!seen.has(next)) {
      seen.add(next);
      stack.push(...(byId.get(next)?.dependsOn ?? []));
    }
  }
  return seen;
}

describe('WorkflowDag properties', () => {
  it('random DAGs validate cleanly and the analysis is consistent with the edges', () => {
    fc.assert(
      fc.property(randomDag, (steps) => {
        expect(WorkflowDag.validate(steps, { stepTypes })).toEqual([]);
        const analysis = WorkflowDag.analyze(steps);
        const position = new Map(analysis.topologicalOrder.map((id, i) => [id, i]));
        expect(position.size).toBe(steps.length);
        const level = new Map(analysis.levels.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
        for (const s of steps) {
          for (const dep of s.dependsOn) {
            expect(position.get(dep)).toBeLessThan(position.get(s.id) as number);
            expect(level.get(dep)).toBeLessThan(level.get(s.id) as number);
          }
        }
        expect(analysis.criticalPath).toHaveLength(analysis.levels.length);
        const byId = new Map(steps.map((s) => [s.id, s]));
        analysis.criticalPath.slice(1).forEach((id, i) => {
          expect(byId.get(id)?.dependsOn).toContain(analysis.criticalPath[i]);
        });
        expect(analysis.maxParallelism).toBe(Math.max(...analysis.levels.map((l) => l.length)));
      }),
    );
  });

  it('a back edge from an ancestor to its descendant is always reported as a real cycle', () => {
    const withBackEdge = randomDag
      .filter((steps) => steps.some((s) => s.dependsOn.length > 0))
      .chain((steps) => {
        const candidates = steps.filter((s) => s.dependsOn.length > 0);
        return fc.record({
          steps: fc.constant(steps),
          descendant: fc.constantFrom(...candidates.map((s) => s.id)),
          pick: fc.nat(),
        });
      });
    fc.assert(
      fc.property(withBackEdge, ({ steps, descendant, pick }) => {
        const ancestors = [...ancestorsOf(steps, descendant)];
        const ancestor = ancestors[pick % ancestors.length];
        const changed = steps.map((s) => (s.id === ancestor ? { ...s, dependsOn: [...s.dependsOn, descendant] } : s));
        const cycles = WorkflowDag.validate(changed, { stepTypes }).filter((p) => p.code === 'DEPENDENCY_CYCLE');
        expect(cycles.length).toBeGreaterThanOrEqual(1);
        const byId = new Map(changed.map((s) => [s.id, s]));
        for (const problem of cycles) {
          const names = /^dependency cycle: (.*) \(each step depends on the next\)$/.exec(problem.message)?.[1].split(' -> ');
          expect(names).toBeDefined();
          const path = names as string[];
          expect(path[0]).toBe(path[path.length - 1]);
          path.slice(1).forEach((id, i) => expect(byId.get(path[i])?.dependsOn).toContain(id));
        }
        expect(() => WorkflowDag.analyze(changed)).toThrow(/cycle/);
      }),
    );
  });
});
