import type { UsageRecording } from '../contracts/agent.commands';
import type { AgentUsageView, Budget, BudgetUsage } from '../contracts/agent.types';
import type { BudgetLimitName } from './budget';

/** The outcome of one recording (the adapter has written the ledger row and events, or nothing). */
export type UsageOutcome =
  | { kind: 'accepted'; entryId: string; usage: BudgetUsage; limits: Budget; warned: boolean }
  | { kind: 'refused'; limit: BudgetLimitName; usage: BudgetUsage; limits: Budget }
  | { kind: 'not_found' }
  | { kind: 'terminated' };

/**
 * Port (DI token) for the usage ledger: adds a model or tool call to an agent's totals with one
 * conditional update that cannot pass a limit (under any concurrency), inserts the ledger row when
 * accepted, and writes AgentApproachingBudgetLimit (first time at 80%) or AgentBudgetExceeded (when
 * refused) to the outbox, all in the caller's transaction.
 */
export abstract class AgentUsageLedger {
  abstract record(tenantId: string, agentId: string, usage: Required<UsageRecording>): Promise<UsageOutcome>;

  /** Limits, usage, ledger totals and the latest `limit` entries; null when the agent is unknown. */
  abstract usageOf(tenantId: string, agentId: string, limit: number): Promise<AgentUsageView | null>;
}
