import { AGENT, aTask, aTaskIn, OTHER_AGENT } from '@cognition/test-support/mothers/task.mother';
import type { TaskStatus } from '../contracts';
import { TASK_TRANSITIONS } from './task.aggregate';

const ERROR = { code: 'MODEL_ERROR', message: 'the model said no' };
const types = (task: { pullEvents(): { type: string }[] }) => task.pullEvents().map((e) => e.type);

describe('Task aggregate', () => {
  it('is created pending at attempt 1 with TaskCreated', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const task = aTask({ now, priority: 'high', dependencies: [] });
    const view = task.toView();
    expect(view).toMatchObject({ status: 'pending', attempt: 1, maxAttempts: 3, priority: 'high', assignedAgentId: null, startedAt: null, completedAt: null });
    expect(view.createdAt).toBe('2030-01-01T00:00:00.000Z');
    const [created] = task.pullEvents();
    expect(created.type).toBe('TaskCreated');
    expect(created.payload).toMatchObject({ taskId: task.id, attempt: 1, priority: 'high', dependencies: [], input: { ticket: 42 } });
  });

  describe('legal edges', () => {
    it('pending → assigned → in_progress → completed, with startedAt, completedAt and durationMs', () => {
      const task = aTaskIn('pending');
      task.assign(AGENT, new Date(1000));
      expect(task.toView()).toMatchObject({ status: 'assigned', assignedAgentId: AGENT });
      task.start(AGENT, new Date(2000));
      expect(task.toView()).toMatchObject({ status: 'in_progress', startedAt: new Date(2000).toISOString() });
      task.complete(AGENT, { summary: 'done' }, new Date(4500));
      expect(task.toView()).toMatchObject({ status: 'completed', output: { summary: 'done' }, completedAt: new Date(4500).toISOString(), error: null });
      const events = task.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['TaskAssigned', 'TaskStarted', 'TaskCompleted']);
      expect(events[2].payload).toMatchObject({ agentId: AGENT, output: { summary: 'done' }, durationMs: 2500 });
    });

    it('in_progress → failed for good with disposition fail', () => {
      const task = aTaskIn('in_progress');
      task.fail(AGENT, ERROR, 'fail', {}, new Date(9000));
      expect(task.toView()).toMatchObject({ status: 'failed', error: ERROR, attempt: 1, completedAt: new Date(9000).toISOString() });
      const events = task.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['TaskFailed']);
      expect(events[0].payload).toMatchObject({ willRetry: false, agentId: AGENT, error: ERROR });
    });

    it('assigned → failed (an agent gives the task up before starting)', () => {
      const task = aTaskIn('assigned');
      task.fail(AGENT, ERROR, 'fail');
      expect(task.status).toBe('failed');
    });

    it('failed → pending by a manual retry, even beyond maxAttempts', () => {
      const task = aTaskIn('failed', { maxAttempts: 1 });
      task.retry();
      expect(task.toView()).toMatchObject({ status: 'pending', attempt: 2, assignedAgentId: null, startedAt: null, completedAt: null });
      const events = task.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['TaskRequeued']);
      expect(events[0].payload).toMatchObject({ reason: 'manual', attempt: 2 });
    });

    it.each<TaskStatus>(['pending', 'assigned', 'in_progress'])('%s → cancelled with completedAt and the reason', (status) => {
      const task = aTaskIn(status);
      task.cancel('no longer needed', new Date(5000));
      expect(task.toView()).toMatchObject({ status: 'cancelled', completedAt: new Date(5000).toISOString() });
      const [event] = task.pullEvents();
      expect(event.type).toBe('TaskCancelled');
      expect(event.payload).toMatchObject({ reason: 'no longer needed' });
    });
  });

  describe('fail dispositions', () => {
    it('requeue: back to pending as the next attempt while attempts remain, then final', () => {
      const task = aTaskIn('in_progress', { maxAttempts: 2 });
      task.fail(AGENT, ERROR, 'requeue');
      expect(task.toView()).toMatchObject({ status: 'pending', attempt: 2, assignedAgentId: null, startedAt: null, completedAt: null, error: ERROR, excludedAgentIds: [] });
      const events = task.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['TaskFailed', 'TaskRequeued']);
      expect(events[0].payload).toMatchObject({ willRetry: true, attempt: 1 });
      expect(events[1].payload).toMatchObject({ reason: 'retry', attempt: 2 });

      task.assign(AGENT);
      task.start(AGENT);
      task.fail(AGENT, ERROR, 'requeue');
      expect(task.toView()).toMatchObject({ status: 'failed', attempt: 2 });
      expect(task.toView().completedAt).not.toBeNull();
      expect(task.pullEvents().map((e) => [e.type, (e.payload as { willRetry?: boolean }).willRetry])).toEqual([
        ['TaskAssigned', undefined],
        ['TaskStarted', undefined],
        ['TaskFailed', false],
      ]);
    });

    it('requeue with excludeAgent remembers the agent (once) and carries the reason', () => {
      const task = aTaskIn('in_progress', { maxAttempts: 5 });
      task.fail(AGENT, ERROR, 'requeue', { excludeAgent: true, reason: 'escalated' });
      expect(task.toView().excludedAgentIds).toEqual([AGENT]);
      expect(task.pullEvents()[1].payload).toMatchObject({ reason: 'escalated' });
      task.assign(AGENT);
      task.fail(AGENT, ERROR, 'requeue', { excludeAgent: true });
      expect(task.toView().excludedAgentIds).toEqual([AGENT]);
    });

    it('reassign: the same agent gets the next attempt at once', () => {
      const task = aTaskIn('in_progress');
      task.fail(AGENT, ERROR, 'reassign');
      expect(task.toView()).toMatchObject({ status: 'assigned', assignedAgentId: AGENT, attempt: 2, startedAt: null });
      expect(types(task)).toEqual(['TaskFailed', 'TaskRequeued', 'TaskAssigned']);
    });

    it('reassign without attempts left fails for good', () => {
      const task = aTaskIn('in_progress', { maxAttempts: 1 });
      task.fail(AGENT, ERROR, 'reassign');
      expect(task.toView()).toMatchObject({ status: 'failed', attempt: 1 });
      expect(types(task)).toEqual(['TaskFailed']);
    });

    it('a system release (agentId null) works whoever holds the task', () => {
      const task = aTaskIn('in_progress');
      task.fail(null, { code: 'AGENT_STUCK', message: 'no progress' }, 'requeue', { reason: 'stuck', excludeAgent: true });
      expect(task.toView()).toMatchObject({ status: 'pending', attempt: 2, excludedAgentIds: [AGENT] });
      const events = task.pullEvents();
      expect(events[0].payload).toMatchObject({ agentId: AGENT, willRetry: true });
      expect(events[1].payload).toMatchObject({ reason: 'stuck' });
    });
  });

  describe('illegal edges', () => {
    const all: TaskStatus[] = ['pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled'];
    const attempts: Record<string, (t: ReturnType<typeof aTaskIn>) => void> = {
      assigned: (t) => t.assign(AGENT),
      in_progress: (t) => t.start(AGENT),
      completed: (t) => t.complete(AGENT, null),
      failed: (t) => t.fail(AGENT, ERROR, 'fail'),
    };
    const illegal = all.flatMap((from) => Object.keys(attempts).filter((to) => !TASK_TRANSITIONS[from].includes(to as TaskStatus)).map((to) => [from, to] as const));

    it.each(illegal)('%s → %s is TASK_INVALID_TRANSITION and changes nothing', (from, to) => {
      const task = aTaskIn(from);
      if (from === 'pending' || from === 'cancelled') {
        // No agent holds these: force the agent check to pass so the state check is what refuses.
        (task as unknown as { state: { assignedAgentId: string } }).state.assignedAgentId = AGENT;
      }
      const before = task.toView();
      expect(() => attempts[to](task)).toThrow(expect.objectContaining({ code: 'TASK_INVALID_TRANSITION' }));
      expect(task.toView()).toEqual(before);
      expect(task.pullEvents()).toEqual([]);
    });

    it.each<TaskStatus>(['completed', 'failed', 'cancelled'])('cancelling a %s task is TASK_ALREADY_FINISHED', (status) => {
      expect(() => aTaskIn(status).cancel('x')).toThrow(expect.objectContaining({ code: 'TASK_ALREADY_FINISHED' }));
    });

    it.each<TaskStatus>(['pending', 'assigned', 'in_progress', 'completed', 'cancelled'])('retrying a %s task is TASK_NOT_FAILED', (status) => {
      expect(() => aTaskIn(status).retry()).toThrow(expect.objectContaining({ code: 'TASK_NOT_FAILED' }));
    });

    it('only the assigned agent may start, complete or fail', () => {
      const assigned = aTaskIn('assigned');
      expect(() => assigned.start(OTHER_AGENT)).toThrow(expect.objectContaining({ code: 'TASK_INVALID_TRANSITION' }));
      const running = aTaskIn('in_progress');
      expect(() => running.complete(OTHER_AGENT, 1)).toThrow(expect.objectContaining({ code: 'TASK_INVALID_TRANSITION' }));
      expect(() => running.fail(OTHER_AGENT, ERROR, 'fail')).toThrow(expect.objectContaining({ code: 'TASK_INVALID_TRANSITION' }));
      expect(running.status).toBe('in_progress');
    });

    it('a pending task cannot be failed, even by the system', () => {
      expect(() => aTaskIn('pending').fail(null, ERROR, 'requeue')).toThrow(expect.objectContaining({ code: 'TASK_INVALID_TRANSITION' }));
    });
  });
});
