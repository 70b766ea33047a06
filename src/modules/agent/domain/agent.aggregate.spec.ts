import { agentIn, errorOf, registeredDefinition, RUN, RUN_2, t0, t1, TASK, testId } from '@cognition/test-support/mothers/agent.mother';
import type { AgentStatus } from '../contracts/agent.types';
import { Agent } from './agent.aggregate';

const types = (agent: Agent) => agent.pullEvents().map((e) => e.type);
const ALL: AgentStatus[] = ['idle', 'assigned', 'reasoning', 'executing', 'validating', 'failed', 'retry', 'terminated'];

describe('Agent', () => {
  describe('instantiate', () => {
    it('copies the definition, merges the budget, starts idle and records AgentCreated then AgentBecameIdle', () => {
      const definition = registeredDefinition({ modelConfig: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.1 }, failureStrategy: 'fallback' });
      const agent = Agent.instantiate(definition, { id: testId(), budget: { maxTokens: 500 }, permissions: ['http'] }, t0);
      expect(agent.toView()).toMatchObject({
        definitionId: definition.id,
        name: 'ticket-summarizer',
        role: 'summarizer',
        status: 'idle',
        capabilities: ['summarize'],
        tools: ['http_fetch'],
        modelConfig: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.1, maxTokens: 2000, topP: 1, fallback: null },
        failureStrategy: 'fallback',
        budgetLimits: { maxTokens: 500, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 10 },
        budgetUsage: { tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 },
        grantedPermissions: ['http'],
        currentTaskId: null,
        lastActiveAt: t0.toISOString(),
      });
      const events = agent.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['AgentCreated', 'AgentBecameIdle']);
      expect(events[0].payload).toEqual({ agentId: agent.id, definitionId: definition.id, name: 'ticket-summarizer', role: 'summarizer' });
      expect(events[0].aggregateType).toBe('Agent');
    });

    it('refuses a bad budget override and bad permissions, listing every problem', () => {
      const error = errorOf(() => Agent.instantiate(registeredDefinition(), { id: testId(), budget: { maxTokens: 0, maxCostUsd: -1 }, permissions: ['ok', 'has space', 'ok'] }, t0));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.errors!.map((e) => e.path)).toEqual(['budget.maxTokens', 'budget.maxCostUsd', 'permissions[1]', 'permissions[2]']);
    });

    it("grants the definition's permissions, then those asked for that it lacks", () => {
      const definition = registeredDefinition({ permissions: ['http', 'math'] });
      expect(Agent.instantiate(definition, { id: testId() }, t0).grantedPermissions).toEqual(['http', 'math']);
      expect(Agent.instantiate(definition, { id: testId(), permissions: [] }, t0).grantedPermissions).toEqual(['http', 'math']);
      expect(Agent.instantiate(definition, { id: testId(), permissions: ['destructive', 'math', 'fs:read'] }, t0).toView().grantedPermissions).toEqual([
        'http',
        'math',
        'destructive',
        'fs:read',
      ]);
      expect(Agent.instantiate(registeredDefinition(), { id: testId() }, t0).grantedPermissions).toEqual([]);
      const agent = Agent.instantiate(definition, { id: testId() }, t0);
      expect([agent.hasPermissions(['http']), agent.hasPermissions(['destructive'])]).toEqual([true, false]);
    });
  });

  describe('the status machine', () => {
    it('runs a task: assign → reasoning ⇄ executing → validating → completed → idle, with run payloads', () => {
      const agent = agentIn('idle');
      agent.assign(TASK, t1);
      expect(agent.currentTaskId).toBe(TASK);
      agent.startReasoning(RUN, 1, t1);
      agent.startExecution(RUN, ['http_fetch'], t1);
      agent.startReasoning(RUN, 2, t1);
      agent.startValidation(RUN, t1);
      agent.completeTask(RUN, 1234, t1);
      const events = agent.pullEvents();
      expect(events.map((e) => e.type)).toEqual([
        'AgentAssigned',
        'AgentStartedReasoning',
        'AgentStartedExecution',
        'AgentStartedReasoning',
        'AgentStartedValidation',
        'AgentCompletedTask',
        'AgentBecameIdle',
      ]);
      expect(events[1].payload).toEqual({ agentId: agent.id, taskId: TASK, runId: RUN, iteration: 1, model: 'echo', provider: 'echo' });
      expect(events[2].payload).toEqual({ agentId: agent.id, taskId: TASK, runId: RUN, tools: ['http_fetch'] });
      expect(events[5].payload).toEqual({ agentId: agent.id, taskId: TASK, runId: RUN, durationMs: 1234 });
      expect(agent.status).toBe('idle');
      expect(agent.currentTaskId).toBeNull();
      expect(agent.lastActiveAt).toEqual(t1);
    });

    it('asks the model again after a validation error (validating → reasoning) and validates after tools (executing → validating)', () => {
      const agent = agentIn('validating');
      agent.startReasoning(RUN, 2, t1);
      agent.startExecution(RUN, ['calculator'], t1);
      agent.startValidation(RUN, t1);
      agent.completeTask(RUN, 5, t1);
      expect(types(agent)).toEqual(['AgentStartedReasoning', 'AgentStartedExecution', 'AgentStartedValidation', 'AgentCompletedTask', 'AgentBecameIdle']);
    });

    it('completes straight from reasoning', () => {
      const agent = agentIn('reasoning');
      agent.completeTask(RUN, 10, t1);
      expect(types(agent)).toEqual(['AgentCompletedTask', 'AgentBecameIdle']);
    });

    it('fails, retries with the fallback model and reasons again', () => {
      const agent = agentIn('executing', { failureStrategy: 'fallback' });
      agent.failTask(RUN, { code: 'MODEL_UNAVAILABLE', message: 'down' }, 50, t1);
      expect(agent.status).toBe('failed');
      expect(agent.currentTaskId).toBe(TASK);
      agent.retry(RUN_2, RUN, 2, true, t1);
      agent.startReasoning(RUN_2, 1, t1, 'small-model', 'openai');
      const events = agent.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['AgentFailedTask', 'AgentRetrying', 'AgentStartedReasoning']);
      expect(events[0].payload).toEqual({ agentId: agent.id, taskId: TASK, runId: RUN, durationMs: 50, error: { code: 'MODEL_UNAVAILABLE', message: 'down' }, strategy: 'fallback' });
      expect(events[1].payload).toEqual({ agentId: agent.id, taskId: TASK, runId: RUN_2, attempt: 2, previousRunId: RUN, useFallbackModel: true });
      expect(events[2].payload).toMatchObject({ runId: RUN_2, model: 'small-model', provider: 'openai' });
    });

    it.each<AgentStatus>(['assigned', 'reasoning', 'executing', 'validating', 'retry'])('fails from %s', (status) => {
      const agent = agentIn(status);
      agent.failTask(RUN, { code: 'E', message: 'e' }, 1, t1);
      expect(agent.status).toBe('failed');
    });

    it('becomes idle after a failure, releasing the task', () => {
      const agent = agentIn('failed');
      agent.becomeIdle(t1);
      expect([agent.status, agent.currentTaskId, types(agent)]).toEqual(['idle', null, ['AgentBecameIdle']]);
    });

    it.each<AgentStatus>(['assigned', 'reasoning', 'executing', 'validating', 'retry'])('is marked stuck from %s and recovers', (status) => {
      const agent = agentIn(status);
      agent.markStuck(600, t1);
      expect(agent.status).toBe('failed');
      agent.recover(t1);
      const events = agent.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['AgentStuck', 'AgentRecovered']);
      expect(events[0].payload).toEqual({ agentId: agent.id, taskId: TASK, status, inactiveSeconds: 600 });
      expect([agent.status, agent.currentTaskId]).toEqual(['idle', null]);
    });

    it.each<AgentStatus>(['idle', 'assigned', 'reasoning', 'executing', 'validating', 'failed', 'retry'])('terminates from %s, releasing the task', (status) => {
      const agent = agentIn(status);
      agent.terminate('no longer needed', t1);
      const events = agent.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['AgentTerminated']);
      expect(events[0].payload).toEqual({ agentId: agent.id, reason: 'no longer needed' });
      expect([agent.status, agent.currentTaskId]).toEqual(['terminated', null]);
    });

    const illegal: [AgentStatus, string, (a: Agent) => void][] = [
      ['assigned', 'assign', (a) => a.assign(TASK, t1)],
      ['idle', 'startReasoning', (a) => a.startReasoning(RUN, 1, t1)],
      ['failed', 'startReasoning', (a) => a.startReasoning(RUN, 1, t1)],
      ['assigned', 'startExecution', (a) => a.startExecution(RUN, [], t1)],
      ['idle', 'startValidation', (a) => a.startValidation(RUN, t1)],
      ['executing', 'completeTask', (a) => a.completeTask(RUN, 1, t1)],
      ['idle', 'failTask', (a) => a.failTask(RUN, { code: 'E', message: 'e' }, 1, t1)],
      ['reasoning', 'retry', (a) => a.retry(RUN_2, RUN, 2, false, t1)],
      ['reasoning', 'becomeIdle', (a) => a.becomeIdle(t1)],
      ['idle', 'markStuck', (a) => a.markStuck(10, t1)],
      ['failed', 'markStuck', (a) => a.markStuck(10, t1)],
      ['reasoning', 'recover', (a) => a.recover(t1)],
    ];
    it.each(illegal)('refuses from %s: %s', (status, _name, act) => {
      const agent = agentIn(status);
      const error = errorOf(() => act(agent));
      expect(error.code).toBe('AGENT_INVALID_TRANSITION');
      expect(error.message).toContain(`from ${status} to`);
      expect(agent.status).toBe(status);
      expect(agent.peekEvents()).toEqual([]);
    });

    it('refuses every call on a terminated agent with AGENT_TERMINATED', () => {
      const calls: ((a: Agent) => void)[] = [
        (a) => a.assign(TASK, t1),
        (a) => a.startReasoning(RUN, 1, t1),
        (a) => a.completeTask(RUN, 1, t1),
        (a) => a.failTask(RUN, { code: 'E', message: 'e' }, 1, t1),
        (a) => a.becomeIdle(t1),
        (a) => a.recover(t1),
        (a) => a.terminate('again', t1),
        (a) => a.grantPermissions(['x'], t1),
        (a) => a.revokePermission('http', t1),
        (a) => a.resetBudget(undefined, t1),
        (a) => a.touch(t1),
      ];
      for (const call of calls) expect(errorOf(() => call(agentIn('terminated'))).code).toBe('AGENT_TERMINATED');
    });

    it('covers every status in the fixtures', () => {
      for (const status of ALL) expect(agentIn(status).status).toBe(status);
    });
  });

  describe('permissions', () => {
    it('grants only new ones, revokes held ones, and checks required sets', () => {
      const agent = agentIn('idle');
      agent.grantPermissions(['http', 'destructive', 'fs:write', 'destructive'], t1);
      agent.grantPermissions(['http'], t1);
      agent.revokePermission('fs:write', t1);
      agent.revokePermission('never-held', t1);
      const events = agent.pullEvents();
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['AgentPermissionGranted', { agentId: agent.id, permissions: ['destructive', 'fs:write'] }],
        ['AgentPermissionRevoked', { agentId: agent.id, permission: 'fs:write' }],
      ]);
      expect(agent.grantedPermissions).toEqual(['http', 'destructive']);
      expect(agent.hasPermissions(['http', 'destructive'])).toBe(true);
      expect(agent.hasPermissions(['http', 'fs:write'])).toBe(false);
      expect(agent.hasPermissions([])).toBe(true);
    });

    it('refuses malformed permissions', () => {
      expect(errorOf(() => agentIn('idle').grantPermissions(['', 'a b'], t1)).errors).toHaveLength(2);
    });
  });

  describe('budget', () => {
    it('resets usage to zero, merges new limits, clears the warning and flags the reset for the repository', () => {
      const agent = Agent.restore({
        ...agentIn('idle').toState(),
        budgetUsage: { tokensUsed: 900, costUsd: 0.5, timeSeconds: 12.5, toolExecutions: 3 },
        budgetWarnedAt: t0,
      });
      agent.resetBudget({ maxTokens: 5000 }, t1);
      expect(agent.budgetWasReset).toBe(true);
      expect(agent.budgetUsage).toEqual({ tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 });
      expect(agent.budgetLimits).toEqual({ maxTokens: 5000, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 10 });
      expect(agent.budgetWarnedAt).toBeNull();
      const [event] = agent.pullEvents();
      expect([event.type, event.payload]).toEqual(['AgentBudgetReset', { agentId: agent.id, previousUsage: { tokensUsed: 900, costUsd: 0.5, timeSeconds: 12.5, toolExecutions: 3 } }]);
      agent.markPersisted(2);
      expect(agent.budgetWasReset).toBe(false);
      expect(errorOf(() => agent.resetBudget({ maxToolExecutions: 1.5 }, t1)).code).toBe('VALIDATION_FAILED');
    });

    it('touch moves lastActiveAt without an event', () => {
      const agent = agentIn('reasoning');
      agent.touch(t1);
      expect([agent.lastActiveAt, agent.peekEvents()]).toEqual([t1, []]);
    });
  });
});
