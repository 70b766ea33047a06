import { DomainError, type ErrorDetail } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import type { TaskStatus } from '../contracts/task.types';
import { findDependencyCycles } from './task-dependency-graph';
import { TaskProblemList } from './task-problem-list';
import { readTaskSpec, type TaskSpec } from './task-spec.value-object';
import { Task } from './task.aggregate';

export const MAX_BATCH_SIZE = 100;
const MAX_REF_LENGTH = 100;

export interface TaskBatchOptions {
  tenantId: string;
  /** True for `{tasks: [...]}` (paths `tasks[i].…`, refs allowed); false for one task. */
  batch: boolean;
  newId: () => string;
  now?: Date;
}

interface ExternalDependency {
  path: string;
  id: string;
  /** Position among all dependencies of the batch, so problems are listed in the order given. */
  order: number;
}

/**
 * New tasks checked together: every field (VALIDATION_FAILED), refs resolved to the new ids,
 * no cycle among them (TASK_DEPENDENCY_CYCLE). Dependencies on existing tasks are checked against
 * the store with `assertDependenciesUsable` before saving.
 */
export class TaskBatch {
  private constructor(
    readonly tasks: Task[],
    private readonly external: ExternalDependency[],
    private readonly malformed: ExternalDependency[],
  ) {}

  static plan(inputs: readonly unknown[], options: TaskBatchOptions): TaskBatch {
    const { batch } = options;
    const problems = new TaskProblemList();
    if (inputs.length === 0 || inputs.length > MAX_BATCH_SIZE) {
      problems.add('tasks', 'OUT_OF_RANGE', `must hold 1 to ${MAX_BATCH_SIZE} tasks, got ${inputs.length}`);
    }
    const prefixOf = (i: number) => (batch ? `tasks[${i}].` : '');
    const specs = inputs.map((input, i) => readTaskSpec(input, problems, prefixOf(i)));
    const refs = new Map<string, number>();
    if (batch) inputs.forEach((input, i) => readRef(input, i, refs, problems));
    problems.throwIfAny('VALIDATION_FAILED', batch ? 'batch of tasks' : 'task');

    const ids = specs.map(() => options.newId());
    const external: ExternalDependency[] = [];
    const malformed: ExternalDependency[] = [];
    const resolved = (specs as TaskSpec[]).map((spec, i) =>
      spec.dependencies.map((dep, j) => {
        const path = `${prefixOf(i)}dependencies[${j}]`;
        const index = refs.get(dep);
        const order = external.length + malformed.length;
        if (index !== undefined) return ids[index];
        if (isUuid(dep)) {
          external.push({ path, id: dep.toLowerCase(), order });
          return dep.toLowerCase();
        }
        malformed.push({ path, id: dep, order });
        return dep;
      }),
    );
    TaskBatch.assertAcyclic(specs as TaskSpec[], refs, prefixOf);

    const now = options.now ?? new Date();
    const tasks = (specs as TaskSpec[]).map((spec, i) => Task.create({ id: ids[i], tenantId: options.tenantId, spec, dependencies: [...new Set(resolved[i])] }, now));
    return new TaskBatch(tasks, external, malformed);
  }

  /** Distinct ids of existing tasks the batch depends on (to look up, in the tenant, with a share lock). */
  get externalIds(): string[] {
    return [...new Set(this.external.map((d) => d.id))];
  }

  /**
   * Throws TASK_INVALID_DEPENDENCIES naming every dependency that is malformed, not a task of the
   * tenant, or already failed or cancelled (it would never complete, so the new task would wait forever).
   */
  assertDependenciesUsable(found: ReadonlyMap<string, TaskStatus>): void {
    const problems: (ErrorDetail & { order: number; name: string })[] = this.malformed.map(({ path, id, order }) => ({
      path,
      code: 'INVALID_FORMAT',
      message: `${JSON.stringify(id)} is neither a task id (UUID) nor the ref of a task in the same batch`,
      order,
      name: JSON.stringify(id),
    }));
    for (const { path, id, order } of this.external) {
      const status = found.get(id);
      if (status === undefined) problems.push({ path, code: 'NOT_FOUND', message: `task ${id} does not exist`, order, name: id });
      else if (status === 'failed' || status === 'cancelled') problems.push({ path, code: 'DEPENDENCY_UNUSABLE', message: `task ${id} is ${status}; it will not complete`, order, name: id });
    }
    if (problems.length === 0) return;
    problems.sort((a, b) => a.order - b.order);
    throw new DomainError(
      'TASK_INVALID_DEPENDENCIES',
      `Invalid dependencies: ${problems.map((p) => p.name).join(', ')}`,
      problems.map(({ path, code, message }) => ({ path, code, message })),
    );
  }

  private static assertAcyclic(specs: TaskSpec[], refs: Map<string, number>, prefixOf: (i: number) => string): void {
    const keyOf = new Map([...refs].map(([ref, index]) => [index, ref]));
    const nodes = specs.flatMap((spec, i) => {
      const key = keyOf.get(i);
      return key === undefined ? [] : [{ key, dependsOn: spec.dependencies.filter((d) => refs.has(d)) }];
    });
    const cycles = findDependencyCycles(nodes);
    if (cycles.length === 0) return;
    const errors = cycles.map((cycle) => ({
      path: `${prefixOf(refs.get(cycle[0])!)}dependencies`,
      code: cycle.length === 2 ? 'SELF_DEPENDENCY' : 'DEPENDENCY_CYCLE',
      message: cycle.length === 2 ? `task ${cycle[0]} depends on itself` : `dependency cycle: ${cycle.join(' -> ')}`,
    }));
    throw new DomainError('TASK_DEPENDENCY_CYCLE', `The tasks' dependencies form a cycle: ${cycles[0].join(' -> ')}`, errors);
  }
}

function readRef(input: unknown, i: number, refs: Map<string, number>, problems: TaskProblemList): void {
  if (typeof input !== 'object' || input === null) return;
  const ref = (input as { ref?: unknown }).ref;
  const path = `tasks[${i}].ref`;
  if (ref === undefined || ref === null) return;
  if (typeof ref !== 'string' || ref.trim() === '' || ref.length > MAX_REF_LENGTH) {
    problems.add(path, 'INVALID_FORMAT', `must be a non-empty string of at most ${MAX_REF_LENGTH} characters`);
  } else if (refs.has(ref)) {
    problems.add(path, 'DUPLICATE', `ref ${JSON.stringify(ref)} is used by tasks[${refs.get(ref)}] too`);
  } else refs.set(ref, i);
}
