import { DomainError, type ErrorDetail } from '@cognition/platform/domain';
import { analyzeExpression, analyzeTemplate, childPath, type ExpressionAnalysis } from '@cognition/platform/expressions';
import type { StepDefinition, WorkflowAnalysis } from '../contracts/workflow.types';
import { ancestorSets, buildGraph, findCycles, topologicalOrder, type DagNode } from './dag-graph';
import { appendPointer, pointerOf } from './problem-list';
import type { StepTypeRegistry } from './step-type-registry';

export const MAX_STEPS = 1_000;

type DagStep = Pick<StepDefinition, 'id' | 'type' | 'dependsOn' | 'params' | 'condition' | 'forEach' | 'concurrencyKey'>;

export interface DagValidationOptions {
  stepTypes: StepTypeRegistry;
  outputs?: Record<string, unknown> | null;
  /** Path of each step in error details; defaults to `steps[i]`. */
  stepPaths?: readonly string[];
}

const problem = (path: string, code: string, message: string): ErrorDetail => ({ path, code, message });

/** The rules of a workflow's step graph (SPEC section 2) and its read-only analysis. */
export class WorkflowDag {
  /**
   * Every problem of the graph at once: step count, duplicate ids, unknown and self
   * dependencies, cycles (each named in order), unregistered step types, expressions and
   * templates that do not parse, and `steps.X` references that are not transitive dependencies.
   * Steps with an empty id or type (already reported as field problems) are not reported again.
   */
  static validate(steps: readonly DagStep[], options: DagValidationOptions): ErrorDetail[] {
    const pathOf = (i: number) => options.stepPaths?.[i] ?? `steps[${i}]`;
    const problems: ErrorDetail[] = [];
    if (steps.length === 0) problems.push(problem('steps', 'NO_STEPS', 'a workflow needs at least one step'));
    if (steps.length > MAX_STEPS) {
      problems.push(problem('steps', 'TOO_MANY_STEPS', `a workflow has at most ${MAX_STEPS} steps, got ${steps.length}`));
    }

    const firstIndex = new Map<string, number>();
    steps.forEach((step, i) => {
      if (step.id === '') return;
      const earlier = firstIndex.get(step.id);
      if (earlier === undefined) firstIndex.set(step.id, i);
      else problems.push(problem(`${pathOf(i)}.id`, 'DUPLICATE_STEP_ID', `step id "${step.id}" is already used by ${pathOf(earlier)}`));
    });

    const registered = options.stepTypes.list();
    steps.forEach((step, i) => {
      step.dependsOn.forEach((dep, k) => {
        const at = `${pathOf(i)}.dependsOn[${k}]`;
        if (dep === step.id) problems.push(problem(at, 'SELF_DEPENDENCY', `step "${step.id}" depends on itself`));
        else if (!firstIndex.has(dep)) problems.push(problem(at, 'UNKNOWN_DEPENDENCY', `step "${step.id}" depends on unknown step "${dep}"`));
      });
      if (step.type !== '' && !options.stepTypes.has(step.type)) {
        problems.push(
          problem(`${pathOf(i)}.type`, 'UNKNOWN_STEP_TYPE', `unknown step type "${step.type}"; registered types: ${registered.join(', ')}`),
        );
      } else if (step.type !== '') {
        for (const p of options.stepTypes.paramsProblems?.(step.type, step.params) ?? []) {
          const path = appendPointer(`${pathOf(i)}.params`, p.pointer);
          problems.push({ path, pointer: pointerOf(path), code: 'INVALID_PARAMS', message: p.message });
        }
      }
    });

    const graph = buildGraph(steps);
    for (const cycle of findCycles(graph)) {
      const at = firstIndex.get(cycle[0]) as number;
      problems.push(
        problem(`${pathOf(at)}.dependsOn`, 'DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' -> ')} (each step depends on the next)`),
      );
    }

    const ancestors = ancestorSets(graph);
    const graphIndex = new Map(graph.ids.map((id, g) => [id, g]));
    steps.forEach((step, i) => {
      const own =
        firstIndex.get(step.id) === i
          ? ancestors[graphIndex.get(step.id) as number]
          : WorkflowDag.ancestorsOf(step, graphIndex, ancestors);
      const visible = new Set([...own].map((a) => graph.ids[a]));
      for (const [analysis, path] of WorkflowDag.stepExpressions(step, pathOf(i))) {
        problems.push(...analysis.problems.map((p) => problem(p.path, p.code ?? 'INVALID_EXPRESSION', p.message)));
        WorkflowDag.checkVariables(analysis, path, step, problems);
        for (const ref of analysis.stepRefs) {
          if (!firstIndex.has(ref)) problems.push(problem(path, 'UNKNOWN_STEP_REFERENCE', `steps.${ref} does not name a step`));
          else if (!visible.has(ref)) {
            problems.push(
              problem(
                path,
                'REFERENCE_NOT_A_DEPENDENCY',
                `step "${step.id}" reads steps.${ref}, which is not one of its dependencies; add "${ref}" to dependsOn (directly or through another dependency)`,
              ),
            );
          }
        }
      }
    });

    for (const [name, template] of Object.entries(options.outputs ?? {})) {
      const path = childPath('outputs', name);
      const analysis = analyzeTemplate(template, path);
      problems.push(...analysis.problems.map((p) => problem(p.path, p.code ?? 'INVALID_EXPRESSION', p.message)));
      for (const ref of analysis.stepRefs) {
        if (!firstIndex.has(ref)) problems.push(problem(path, 'UNKNOWN_STEP_REFERENCE', `steps.${ref} does not name a step`));
      }
      const local = ['item', 'index', 'signal'].filter((v) => analysis.variables.has(v));
      if (local.length > 0) {
        problems.push(problem(path, 'INVALID_EXPRESSION', `outputs can read inputs, steps, execution and workflow, not ${local.join(', ')}`));
      }
    }
    return problems;
  }

  /** Read-only analysis of a valid graph; a graph with a cycle is a WORKFLOW_INVALID_DAG error. */
  static analyze(steps: readonly DagNode[]): WorkflowAnalysis {
    const graph = buildGraph(steps);
    const order = topologicalOrder(graph);
    if (!order) {
      const cycle = findCycles(graph)[0] ?? [];
      throw new DomainError('WORKFLOW_INVALID_DAG', `the workflow has a dependency cycle: ${cycle.join(' -> ')}`);
    }
    const level = new Array<number>(graph.ids.length).fill(0);
    const length = new Array<number>(graph.ids.length).fill(1);
    const previous = new Array<number>(graph.ids.length).fill(-1);
    for (const v of order) {
      for (const d of graph.deps[v]) {
        level[v] = Math.max(level[v], level[d] + 1);
        if (length[d] + 1 > length[v]) {
          length[v] = length[d] + 1;
          previous[v] = d;
        }
      }
    }
    const levels: string[][] = [];
    graph.ids.forEach((id, v) => (levels[level[v]] ??= []).push(id));
    let end = 0;
    length.forEach((l, v) => (l > length[end] ? (end = v) : undefined));
    const criticalPath: string[] = [];
    for (let v = graph.ids.length > 0 ? end : -1; v !== -1; v = previous[v]) criticalPath.unshift(graph.ids[v]);
    return {
      topologicalOrder: order.map((v) => graph.ids[v]),
      levels,
      criticalPath,
      maxParallelism: levels.reduce((max, ids) => Math.max(max, ids.length), 0),
    };
  }

  /** Ancestors of a step whose id duplicates an earlier one: through its own dependsOn. */
  private static ancestorsOf(step: DagStep, graphIndex: Map<string, number>, ancestors: Set<number>[]): Set<number> {
    const result = new Set<number>();
    for (const dep of step.dependsOn) {
      const d = graphIndex.get(dep);
      if (d === undefined) continue;
      result.add(d);
      for (const a of ancestors[d]) result.add(a);
    }
    return result;
  }

  /** Each expression-bearing field of a step with its analysis; params per top-level key. */
  private static stepExpressions(step: DagStep, path: string): [ExpressionAnalysis, string][] {
    const found: [ExpressionAnalysis, string][] = [];
    for (const key of ['condition', 'forEach', 'concurrencyKey'] as const) {
      const expression = step[key];
      if (expression === null || expression === undefined) continue;
      const at = `${path}.${key}`;
      const analysis = analyzeExpression(expression, at);
      if (expression.trim().startsWith('${{')) {
        analysis.problems = [{ path: at, message: `${key} is a bare CEL expression; remove the surrounding \${{ }}` }];
      }
      found.push([analysis, at]);
    }
    for (const [key, value] of Object.entries(step.params ?? {})) {
      const at = childPath(`${path}.params`, key);
      found.push([analyzeTemplate(value, at), at]);
    }
    return found;
  }

  /** `item` and `index` exist only in forEach steps, and not in the forEach expression itself. */
  private static checkVariables(analysis: ExpressionAnalysis, path: string, step: DagStep, problems: ErrorDetail[]): void {
    const used = ['item', 'index'].filter((v) => analysis.variables.has(v));
    if (used.length === 0) return;
    if (path.endsWith('.forEach')) {
      problems.push(problem(path, 'INVALID_EXPRESSION', `forEach cannot read ${used.join(' or ')}: they come from its result`));
    } else if (!step.forEach) {
      problems.push(problem(path, 'INVALID_EXPRESSION', `${used.join(' and ')} can only be read in a step with forEach`));
    }
  }
}
