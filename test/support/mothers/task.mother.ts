import type { NewTask, TaskStatus } from '@cognition/task/contracts';
import { Task } from '@cognition/task/domain/task.aggregate';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_PRIORITY, type TaskSpec } from '@cognition/task/domain/task-spec.value-object';
import { newId } from '@cognition/platform/ids/uuid';

export const TASK_TENANT = '00000000-0000-7000-8000-0000000000a1';
export const OTHER_TENANT = '00000000-0000-7000-8000-0000000000b2';
export const AGENT = '00000000-0000-7000-8000-00000000a9e1';
export const OTHER_AGENT = '00000000-0000-7000-8000-00000000a9e2';

/** What a client sends for one task. */
export function newTaskInput(overrides: Partial<NewTask> & { ref?: string } = {}): NewTask & { ref?: string } {
  return { name: 'Summarize the ticket', input: { ticket: 42 }, ...overrides };
}

/** A checked spec with defaults (the shape TaskBatch hands to Task.create). */
export function taskSpec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    name: 'Summarize the ticket',
    description: null,
    priority: DEFAULT_PRIORITY,
    requiredCapabilities: [],
    preferredRole: null,
    agentDefinitionId: null,
    dependencies: [],
    input: { ticket: 42 },
    outputSchema: null,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    userId: null,
    sessionId: null,
    goalId: null,
    workflowExecutionId: null,
    stepExecutionId: null,
    ...overrides,
  };
}

export interface TaskOptions extends Partial<TaskSpec> {
  id?: string;
  tenantId?: string;
  now?: Date;
}

/** A new pending task (its TaskCreated event still pending). */
export function aTask(options: TaskOptions = {}): Task {
  const { id = newId(), tenantId = TASK_TENANT, now = new Date(), ...spec } = options;
  return Task.create({ id, tenantId, spec: taskSpec(spec), dependencies: spec.dependencies ?? [] }, now);
}

/** A task driven to `status` through legal transitions by AGENT, with its events drained. */
export function aTaskIn(status: TaskStatus, options: TaskOptions = {}): Task {
  const task = aTask(options);
  if (status === 'cancelled') task.cancel('test');
  if (['assigned', 'in_progress', 'completed', 'failed'].includes(status)) task.assign(AGENT);
  if (['in_progress', 'completed', 'failed'].includes(status)) task.start(AGENT);
  if (status === 'completed') task.complete(AGENT, { ok: true });
  if (status === 'failed') task.fail(AGENT, { code: 'BOOM', message: 'it broke' }, 'fail');
  task.pullEvents();
  return task;
}
