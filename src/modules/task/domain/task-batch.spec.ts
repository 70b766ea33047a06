import { newTaskInput, TASK_TENANT } from '@cognition/test-support/mothers/task.mother';
import { newId } from '@cognition/platform/ids/uuid';
import type { TaskStatus } from '../contracts';
import { TaskBatch } from './task-batch';

const single = (input: unknown) => TaskBatch.plan([input], { tenantId: TASK_TENANT, batch: false, newId });
const batch = (inputs: unknown[]) => TaskBatch.plan(inputs, { tenantId: TASK_TENANT, batch: true, newId });
const caught = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; errors: { path: string; code: string; message: string }[] };
  }
  throw new Error('expected an error');
};

describe('TaskBatch', () => {
  describe('validation', () => {
    it('applies the defaults', () => {
      const [task] = single({ name: 'x' }).tasks;
      expect(task.toView()).toMatchObject({
        name: 'x',
        description: null,
        priority: 'medium',
        maxAttempts: 3,
        requiredCapabilities: [],
        dependencies: [],
        input: null,
        outputSchema: null,
        attempt: 1,
        status: 'pending',
      });
    });

    it('keeps every valid field', () => {
      const execution = newId();
      const [task] = single(
        newTaskInput({
          description: 'd',
          priority: 'critical',
          requiredCapabilities: ['summarize', 'search'],
          preferredRole: 'critic',
          maxAttempts: 100,
          outputSchema: { type: 'object', required: ['summary'] },
          userId: 'u1',
          sessionId: 's1',
          goalId: 'g1',
          workflowExecutionId: execution.toUpperCase(),
        }),
      ).tasks;
      expect(task.toView()).toMatchObject({ priority: 'critical', requiredCapabilities: ['summarize', 'search'], preferredRole: 'critic', maxAttempts: 100, workflowExecutionId: execution, userId: 'u1' });
    });

    it('lists every problem at once as VALIDATION_FAILED', () => {
      const error = caught(() =>
        single({
          name: 'n'.repeat(201),
          priority: 'urgent',
          maxAttempts: 0,
          requiredCapabilities: ['a', 'a', ''],
          outputSchema: { type: 'nonsense' },
          workflowExecutionId: 'not-a-uuid',
          input: { when: new Date() },
        }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.errors.map((e) => [e.path, e.code])).toEqual([
        ['name', 'OUT_OF_RANGE'],
        ['priority', 'INVALID_VALUE'],
        ['requiredCapabilities[1]', 'DUPLICATE'],
        ['requiredCapabilities[2]', 'REQUIRED'],
        ['input', 'INVALID_TYPE'],
        ['outputSchema', 'INVALID_SCHEMA'],
        ['maxAttempts', 'OUT_OF_RANGE'],
        ['workflowExecutionId', 'INVALID_FORMAT'],
      ]);
    });

    it('requires a non-blank name and an integer maxAttempts', () => {
      expect(caught(() => single({})).errors).toEqual([expect.objectContaining({ path: 'name', code: 'REQUIRED' })]);
      expect(caught(() => single({ name: '   ' })).errors[0]).toMatchObject({ path: 'name', code: 'REQUIRED' });
      expect(caught(() => single({ name: 'x', maxAttempts: 1.5 })).errors[0]).toMatchObject({ path: 'maxAttempts', code: 'INVALID_TYPE' });
      expect(caught(() => single({ name: 'x', maxAttempts: 101 })).errors[0]).toMatchObject({ path: 'maxAttempts', code: 'OUT_OF_RANGE' });
      expect(caught(() => single('a string')).errors[0]).toMatchObject({ code: 'INVALID_TYPE' });
    });

    it('prefixes batch problems with the task index and checks refs and the batch size', () => {
      const error = caught(() => batch([{ name: 'a', ref: 'x' }, { name: '', ref: 'x' }]));
      expect(error.errors.map((e) => [e.path, e.code])).toEqual([
        ['tasks[1].name', 'REQUIRED'],
        ['tasks[1].ref', 'DUPLICATE'],
      ]);
      expect(caught(() => batch([])).errors[0]).toMatchObject({ path: 'tasks', code: 'OUT_OF_RANGE' });
      expect(caught(() => batch(Array.from({ length: 101 }, () => ({ name: 'a' })))).errors[0]).toMatchObject({ path: 'tasks', code: 'OUT_OF_RANGE' });
    });
  });

  describe('dependencies', () => {
    it('resolves refs to the new ids and keeps existing ids apart', () => {
      const existing = newId();
      const plan = batch([
        { name: 'fetch', ref: 'fetch' },
        { name: 'summarize', ref: 'sum', dependencies: ['fetch', existing] },
      ]);
      const [fetch, sum] = plan.tasks;
      expect(sum.dependencies).toEqual([fetch.id, existing]);
      expect(plan.externalIds).toEqual([existing]);
    });

    it('a self-dependency and a cycle are TASK_DEPENDENCY_CYCLE naming the cycle', () => {
      const self = caught(() => batch([{ name: 'a', ref: 'a', dependencies: ['a'] }]));
      expect(self.code).toBe('TASK_DEPENDENCY_CYCLE');
      expect(self.errors).toEqual([{ path: 'tasks[0].dependencies', code: 'SELF_DEPENDENCY', message: 'task a depends on itself' }]);
      const cycle = caught(() =>
        batch([
          { name: 'a', ref: 'a', dependencies: ['b'] },
          { name: 'b', ref: 'b', dependencies: ['c'] },
          { name: 'c', ref: 'c', dependencies: ['a'] },
          { name: 'd', ref: 'd', dependencies: ['a'] },
        ]),
      );
      expect(cycle.code).toBe('TASK_DEPENDENCY_CYCLE');
      expect(cycle.errors).toEqual([{ path: 'tasks[0].dependencies', code: 'DEPENDENCY_CYCLE', message: 'dependency cycle: a -> b -> c -> a' }]);
    });

    it('malformed, missing, failed and cancelled dependencies are TASK_INVALID_DEPENDENCIES naming each', () => {
      const [found, missing, failed, cancelled] = [newId(), newId(), newId(), newId()];
      const plan = single({ name: 'x', dependencies: ['nope', found, missing, failed, cancelled] });
      const statuses = new Map<string, TaskStatus>([
        [found, 'completed'],
        [failed, 'failed'],
        [cancelled, 'cancelled'],
      ]);
      const error = caught(() => plan.assertDependenciesUsable(statuses));
      expect(error.code).toBe('TASK_INVALID_DEPENDENCIES');
      expect(error.errors.map((e) => [e.path, e.code])).toEqual([
        ['dependencies[0]', 'INVALID_FORMAT'],
        ['dependencies[2]', 'NOT_FOUND'],
        ['dependencies[3]', 'DEPENDENCY_UNUSABLE'],
        ['dependencies[4]', 'DEPENDENCY_UNUSABLE'],
      ]);
      expect((error as unknown as Error).message).toContain(missing);
      expect(() => single({ name: 'x', dependencies: [found] }).assertDependenciesUsable(new Map([[found, 'pending']]))).not.toThrow();
    });
  });
});
