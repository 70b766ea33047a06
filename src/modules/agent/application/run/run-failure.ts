import { DomainError } from '@cognition/platform/domain';
import type { TaskError } from '@cognition/task/contracts';
import type { AgentView } from '../../contracts';
import { ModelProviderError } from '../../domain/model-provider.port';

/** The first budget dimension already used up, if any (a call would be refused before it is made). */
export function budgetLimitReached(agent: AgentView): 'tokens' | 'cost' | 'time' | null {
  const { budgetLimits: limit, budgetUsage: used } = agent;
  if (used.tokensUsed >= limit.maxTokens) return 'tokens';
  if (used.costUsd >= limit.maxCostUsd) return 'cost';
  if (used.timeSeconds >= limit.maxTimeSeconds) return 'time';
  return null;
}

/** Tokens left; a model call's max_tokens is capped by it so one answer cannot overrun the budget alone. */
export function remainingTokens(agent: AgentView): number {
  return Math.max(1, agent.budgetLimits.maxTokens - agent.budgetUsage.tokensUsed);
}

/** Anything a run throws, as the task's error. */
export function toTaskError(error: unknown): TaskError {
  if (error instanceof DomainError) return { code: error.code, message: error.message, ...(error.errors ? { details: error.errors } : {}) };
  if (error instanceof ModelProviderError) return { code: error.code, message: error.message, ...(error.status ? { details: { status: error.status } } : {}) };
  const coded = error as { code?: unknown; message?: unknown; name?: unknown };
  if (coded?.name === 'TimeoutError' || coded?.name === 'AbortError') return { code: 'BUDGET_EXCEEDED', message: 'the run reached its time budget' };
  if (typeof coded?.code === 'string' && /^[A-Z_]+$/.test(coded.code)) return { code: coded.code, message: String(coded.message ?? coded.code) };
  return { code: 'AGENT_ERROR', message: error instanceof Error ? error.message : String(error) };
}
