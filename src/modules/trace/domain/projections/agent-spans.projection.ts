import type { DomainEvent } from '@cognition/platform/domain';
import {
  AgentBudgetExceeded,
  AgentCompletedTask,
  AgentFailedTask,
  AgentModelCalled,
  AgentRetrying,
  AgentStartedReasoning,
  AgentToolExecuted,
  AgentToolFailed,
} from '@cognition/agent/contracts/agent.events';
import type { SpanWrite } from '../span-write';
import { before, dateOr, defined, fromEvent, on, ref } from './span-projector';

type Rest = Omit<SpanWrite, 'tenantId' | 'at' | 'position' | 'type' | 'entityId' | 'name' | 'parent'>;
type RunPayload = { agentId: string; taskId: string | null; runId: string };

/** agent_action span: entity = run id, name = `agent <agentId>`, parent = the task span. */
function run(e: DomainEvent<Omit<RunPayload, 'runId'>>, runId: string, rest: Rest): SpanWrite {
  const p = e.payload;
  return {
    ...fromEvent(e),
    ...ref('agent_action', runId),
    name: `agent ${p.agentId ?? e.aggregateId}`,
    parent: p.taskId ? ref('task', p.taskId) : undefined,
    ...rest,
    metadata: { agentId: p.agentId ?? e.aggregateId, ...rest.metadata },
  };
}

/** model_call and tool_call spans: entity = the ledger call id, parent = the run's span; times from the payload. */
function call(e: DomainEvent<RunPayload & { callId: string; startedAt: string; durationMs: number }>, type: 'model_call' | 'tool_call', name: string, rest: Rest): SpanWrite {
  const p = e.payload;
  const startedAt = dateOr(p.startedAt, before(e.occurredAt, p.durationMs) ?? e.occurredAt);
  const completedAt = typeof p.durationMs === 'number' && Number.isFinite(p.durationMs) ? new Date(startedAt.getTime() + p.durationMs) : e.occurredAt;
  return {
    ...fromEvent(e),
    ...ref(type, p.callId),
    name,
    parent: ref('agent_action', p.runId),
    startedAt,
    completedAt,
    ...rest,
    metadata: defined({ agentId: p.agentId ?? e.aggregateId, durationMs: p.durationMs, ...rest.metadata }),
  };
}

export const AGENT_SPAN_PROJECTORS = [
  on(AgentStartedReasoning, (e) =>
    run(e, e.payload.runId, { status: 'running', startedAt: e.occurredAt, metadata: { model: e.payload.model, provider: e.payload.provider, iteration: e.payload.iteration } }),
  ),
  on(AgentRetrying, (e) =>
    run(e, e.payload.runId, { status: 'running', startedAt: e.occurredAt, metadata: { attempt: e.payload.attempt, previousRunId: e.payload.previousRunId, useFallbackModel: e.payload.useFallbackModel } }),
  ),
  on(AgentCompletedTask, (e) => run(e, e.payload.runId, { status: 'completed', startedAt: before(e.occurredAt, e.payload.durationMs), completedAt: e.occurredAt })),
  on(AgentFailedTask, (e) =>
    run(e, e.payload.runId, { status: 'failed', error: e.payload.error, startedAt: before(e.occurredAt, e.payload.durationMs), completedAt: e.occurredAt, metadata: { strategy: e.payload.strategy } }),
  ),
  on(AgentBudgetExceeded, (e) =>
    e.payload.runId ? run(e, e.payload.runId, { metadata: { budgetExceeded: true, budgetLimit: e.payload.limit } }) : null,
  ),
  on(AgentModelCalled, (e) => {
    const p = e.payload;
    return call(e, 'model_call', `${p.provider}/${p.model}`, {
      status: 'completed',
      metadata: { provider: p.provider, model: p.model, tokensIn: p.tokensIn, tokensOut: p.tokensOut, costUsd: p.costUsd, finishReason: p.finishReason },
    });
  }),
  on(AgentToolExecuted, (e) => call(e, 'tool_call', e.payload.tool, { status: 'completed', inputs: e.payload.arguments, outputs: e.payload.result, metadata: { tool: e.payload.tool } })),
  on(AgentToolFailed, (e) => call(e, 'tool_call', e.payload.tool, { status: 'failed', inputs: e.payload.arguments, error: e.payload.error, metadata: { tool: e.payload.tool } })),
];
