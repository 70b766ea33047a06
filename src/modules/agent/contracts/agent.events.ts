import { DomainEvent } from '@cognition/platform/domain';
import type { BudgetUsage } from './agent.types';

abstract class AgentDefinitionEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'AgentDefinition';
  }
}

/** aggregateId is the agent id. */
abstract class AgentEvent<P extends object> extends DomainEvent<P> {
  override get aggregateType(): string {
    return 'Agent';
  }
}

type DefinitionPayload = { definitionId: string; name: string; version: string; role: string };
export class AgentDefinitionRegistered extends AgentDefinitionEvent<DefinitionPayload> {}
export class AgentDefinitionUpdated extends AgentDefinitionEvent<DefinitionPayload> {}
export class AgentDefinitionDeleted extends AgentDefinitionEvent<DefinitionPayload> {}

type AgentPayload = { agentId: string };
/** A run is one agent's attempt at one task; `runId` keys its trace span (agent_action). */
type RunPayload = AgentPayload & { taskId: string; runId: string };

export class AgentCreated extends AgentEvent<AgentPayload & { definitionId: string; name: string; role: string }> {}
export class AgentAssigned extends AgentEvent<AgentPayload & { taskId: string }> {}
export class AgentStartedReasoning extends AgentEvent<RunPayload & { iteration: number; model: string; provider: string }> {}
export class AgentStartedExecution extends AgentEvent<RunPayload & { tools: string[] }> {}
export class AgentStartedValidation extends AgentEvent<RunPayload> {}
export class AgentCompletedTask extends AgentEvent<RunPayload & { durationMs: number }> {}
export class AgentFailedTask extends AgentEvent<RunPayload & { durationMs: number; error: { code: string; message: string }; strategy: string }> {}
/** The agent retries the task in place as a new run (`runId`) of attempt `attempt`. */
export class AgentRetrying extends AgentEvent<RunPayload & { attempt: number; previousRunId: string; useFallbackModel: boolean }> {}
export class AgentBecameIdle extends AgentEvent<AgentPayload> {}
export class AgentTerminated extends AgentEvent<AgentPayload & { reason: string }> {}
export class AgentBudgetExceeded extends AgentEvent<
  AgentPayload & { taskId: string | null; runId: string | null; limit: 'tokens' | 'cost' | 'time' | 'toolExecutions'; refused: { tokens: number; costUsd: number; timeSeconds: number; toolExecutions: number }; usage: BudgetUsage }
> {}
export class AgentApproachingBudgetLimit extends AgentEvent<AgentPayload & { usage: BudgetUsage; ratio: number }> {}
export class AgentBudgetReset extends AgentEvent<AgentPayload & { previousUsage: BudgetUsage }> {}
/** One model call, recorded in the ledger (`callId` is the ledger row). */
export class AgentModelCalled extends AgentEvent<
  RunPayload & { callId: string; provider: string; model: string; tokensIn: number; tokensOut: number; costUsd: number; startedAt: string; durationMs: number; finishReason: string }
> {}
export class AgentToolExecuted extends AgentEvent<RunPayload & { callId: string; tool: string; arguments: unknown; result: unknown; startedAt: string; durationMs: number }> {}
export class AgentToolFailed extends AgentEvent<RunPayload & { callId: string; tool: string; arguments: unknown; error: { code: string; message: string }; startedAt: string; durationMs: number }> {}
export class AgentPermissionGranted extends AgentEvent<AgentPayload & { permissions: string[] }> {}
export class AgentPermissionRevoked extends AgentEvent<AgentPayload & { permission: string }> {}
export class AgentStuck extends AgentEvent<AgentPayload & { taskId: string | null; status: string; inactiveSeconds: number }> {}
export class AgentRecovered extends AgentEvent<AgentPayload> {}

export const AGENT_EVENTS = [
  AgentDefinitionRegistered,
  AgentDefinitionUpdated,
  AgentDefinitionDeleted,
  AgentCreated,
  AgentAssigned,
  AgentStartedReasoning,
  AgentStartedExecution,
  AgentStartedValidation,
  AgentCompletedTask,
  AgentFailedTask,
  AgentRetrying,
  AgentBecameIdle,
  AgentTerminated,
  AgentBudgetExceeded,
  AgentApproachingBudgetLimit,
  AgentBudgetReset,
  AgentModelCalled,
  AgentToolExecuted,
  AgentToolFailed,
  AgentPermissionGranted,
  AgentPermissionRevoked,
  AgentStuck,
  AgentRecovered,
];
