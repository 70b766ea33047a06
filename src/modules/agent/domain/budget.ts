import type { Budget, BudgetUsage } from '../contracts/agent.types';
import { describe, Problems, readNumber } from './problems';

/** SPEC section 5: the default budget of a definition (every limit > 0). */
export const DEFAULT_BUDGET: Readonly<Budget> = Object.freeze({ maxTokens: 32_000, maxCostUsd: 1.0, maxTimeSeconds: 300, maxToolExecutions: 10 });

export const ZERO_USAGE: Readonly<BudgetUsage> = Object.freeze({ tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 });

/** At this share of any limit, AgentApproachingBudgetLimit is emitted (once). */
export const BUDGET_WARNING_RATIO = 0.8;

export type BudgetLimitName = 'tokens' | 'cost' | 'time' | 'toolExecutions';

/**
 * Column ranges: tokens bigint, cost numeric(14,6) (at least one micro-dollar), time numeric(12,3)
 * (at least one millisecond), tool executions integer.
 */
const RULES: Record<keyof Budget, { min: number; max: number; integer?: boolean }> = {
  maxTokens: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  maxCostUsd: { min: 0.000001, max: 99_999_999 },
  maxTimeSeconds: { min: 0.001, max: 999_999_999 },
  maxToolExecutions: { min: 1, max: 2_147_483_647, integer: true },
};

/**
 * Reads a (partial) budget over `base`: every given limit must be a number in its range (> 0).
 * Unknown keys are reported. Returns the merged budget (invalid limits keep the base value).
 */
export function readBudget(value: unknown, base: Budget, path: string, problems: Problems): Budget {
  if (value === undefined || value === null) return { ...base };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.add(path, 'INVALID_TYPE', `must be an object, got ${describe(value)}`);
    return { ...base };
  }
  const budget = { ...base };
  for (const [key, limit] of Object.entries(value as Record<string, unknown>)) {
    if (!(key in RULES)) {
      problems.add(`${path}.${key}`, 'INVALID_VALUE', `is not a budget limit; limits are ${Object.keys(RULES).join(', ')}`);
      continue;
    }
    if (limit === undefined) continue;
    const read = readNumber(limit, `${path}.${key}`, problems, RULES[key as keyof Budget]);
    if (read !== undefined) budget[key as keyof Budget] = read;
  }
  return budget;
}

/** Usage after adding a recording's amounts. */
export interface UsageDelta {
  tokens: number;
  costUsd: number;
  timeSeconds: number;
  toolExecutions: number;
}

/** The first limit (tokens, cost, time, tool executions) that `usage + delta` would pass, or null. */
export function limitPassedBy(usage: BudgetUsage, limits: Budget, delta: UsageDelta): BudgetLimitName | null {
  if (usage.tokensUsed + delta.tokens > limits.maxTokens) return 'tokens';
  if (round(usage.costUsd + delta.costUsd, 6) > limits.maxCostUsd) return 'cost';
  if (round(usage.timeSeconds + delta.timeSeconds, 3) > limits.maxTimeSeconds) return 'time';
  if (usage.toolExecutions + delta.toolExecutions > limits.maxToolExecutions) return 'toolExecutions';
  return null;
}

/** The highest share of a limit that `usage` uses (0..1, may pass 1 only if limits were lowered). */
export function usageRatio(usage: BudgetUsage, limits: Budget): number {
  return Math.max(
    usage.tokensUsed / limits.maxTokens,
    usage.costUsd / limits.maxCostUsd,
    usage.timeSeconds / limits.maxTimeSeconds,
    usage.toolExecutions / limits.maxToolExecutions,
  );
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
