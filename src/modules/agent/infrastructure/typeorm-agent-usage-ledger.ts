import { Injectable } from '@nestjs/common';
import { newId, isUuid } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import type { UsageRecording } from '../contracts/agent.commands';
import { AgentApproachingBudgetLimit, AgentBudgetExceeded } from '../contracts/agent.events';
import type { AgentUsageView, Budget, UsageEntryView } from '../contracts/agent.types';
import { BUDGET_WARNING_RATIO, limitPassedBy, round, usageRatio } from '../domain/budget';
import { AgentUsageLedger, UsageOutcome } from '../domain/agent-usage-ledger.port';
import { deltaOf } from '../domain/usage-recording';
import { usageFromColumns, UsageColumns } from './agent.mapper';

type LimitColumns = { maxTokens: string; maxCostUsd: string; maxTimeSeconds: string; maxToolExecutions: number };
type AgentTotalsRow = UsageColumns & LimitColumns & { status: string };

const TOTALS = `tokens_used AS "tokensUsed", cost_usd AS "costUsd", time_seconds AS "timeSeconds", tool_executions AS "toolExecutions",
  max_tokens AS "maxTokens", max_cost_usd AS "maxCostUsd", max_time_seconds AS "maxTimeSeconds", max_tool_executions AS "maxToolExecutions"`;

/**
 * Adds the amounts to the totals only if no total passes its limit, in one statement. Under
 * concurrency PostgreSQL re-checks the WHERE clause on the newest row version after waiting for
 * the row lock (READ COMMITTED), so concurrent recordings can never push a total past a limit.
 * `budget_warned_at` is set in the same statement the first time a total reaches 80% of its limit;
 * `now()` is the transaction's start, so `budget_warned_at = now()` tells that this statement set it.
 */
const RECORD_SQL = `
WITH u AS (
  UPDATE agents SET
    tokens_used = tokens_used + $3::bigint,
    cost_usd = cost_usd + $4::numeric(14,6),
    time_seconds = time_seconds + round($5::numeric / 1000, 3),
    tool_executions = tool_executions + $6::int,
    last_active_at = now(),
    budget_warned_at = COALESCE(budget_warned_at, CASE WHEN
         tokens_used + $3::bigint >= ${BUDGET_WARNING_RATIO} * max_tokens
      OR cost_usd + $4::numeric(14,6) >= ${BUDGET_WARNING_RATIO} * max_cost_usd
      OR time_seconds + round($5::numeric / 1000, 3) >= ${BUDGET_WARNING_RATIO} * max_time_seconds
      OR tool_executions + $6::int >= ${BUDGET_WARNING_RATIO} * max_tool_executions
    THEN now() END)
  WHERE tenant_id = $1 AND id = $2 AND status <> 'terminated'
    AND tokens_used + $3::bigint <= max_tokens
    AND cost_usd + $4::numeric(14,6) <= max_cost_usd
    AND time_seconds + round($5::numeric / 1000, 3) <= max_time_seconds
    AND tool_executions + $6::int <= max_tool_executions
  RETURNING *, budget_warned_at = now() AS warned_now)
SELECT ${TOTALS}, status, warned_now AS "warnedNow" FROM u`;

/**
 * The ledger's totals: its entries plus the daily rollups retention made of older ones
 * (UsageLedgerRetentionJob). One statement, so one snapshot: a rollup committing meanwhile is seen
 * either before (entries) or after (rollups), never half.
 */
export const LEDGER_TOTALS = `
SELECT coalesce(sum(tokens_in), 0)::bigint AS "tokensIn", coalesce(sum(tokens_out), 0)::bigint AS "tokensOut",
       coalesce(sum(cost_usd), 0) AS "costUsd", coalesce(sum(duration_ms), 0)::bigint AS "durationMs",
       coalesce(sum(model_calls), 0)::int AS "modelCalls", coalesce(sum(tool_calls), 0)::int AS "toolCalls"
FROM (
  SELECT tokens_in, tokens_out, cost_usd, duration_ms,
         CASE WHEN kind = 'model_call' THEN 1 ELSE 0 END AS model_calls, CASE WHEN kind = 'tool_call' THEN 1 ELSE 0 END AS tool_calls
  FROM agent_usage_ledger WHERE tenant_id = $1 AND agent_id = $2
  UNION ALL
  SELECT tokens_in, tokens_out, cost_usd, duration_ms,
         CASE WHEN kind = 'model_call' THEN calls ELSE 0 END, CASE WHEN kind = 'tool_call' THEN calls ELSE 0 END
  FROM agent_usage_daily WHERE tenant_id = $1 AND agent_id = $2
) usage`;

const ENTRY_COLUMNS = `id, agent_id AS "agentId", task_id AS "taskId", run_id AS "runId", kind, name, provider, tokens_in AS "tokensIn",
  tokens_out AS "tokensOut", cost_usd AS "costUsd", duration_ms AS "durationMs", status, error, created_at AS "createdAt"`;

/** The usage ledger in PostgreSQL (raw SQL: the one statement above is the point of it). */
@Injectable()
@TimedRepository('agent-usage-ledger')
export class TypeOrmAgentUsageLedger extends AgentUsageLedger {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxWriter,
  ) {
    super();
  }

  /** A getter that touches nothing: @TimedRepository reads every prototype property once. */
  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  async record(tenantId: string, agentId: string, usage: Required<UsageRecording>): Promise<UsageOutcome> {
    if (!isUuid(agentId)) return { kind: 'not_found' };
    const delta = deltaOf(usage);
    const params = [tenantId, agentId, delta.tokens, usage.costUsd, usage.durationMs, delta.toolExecutions];
    for (let attempt = 1; ; attempt++) {
      const [updated]: (AgentTotalsRow & { warnedNow: boolean })[] = await this.host.tx.query(RECORD_SQL, params);
      if (updated) return this.accept(tenantId, agentId, usage, updated);

      // Refused: find out why (the agent may be unknown, terminated, or a limit would be passed).
      const [current]: AgentTotalsRow[] = await this.host.tx.query(`SELECT ${TOTALS}, status FROM agents WHERE tenant_id = $1 AND id = $2`, [tenantId, agentId]);
      if (!current) return { kind: 'not_found' };
      if (current.status === 'terminated') return { kind: 'terminated' };
      const totals = usageFromColumns(current);
      const limits = limitsOf(current);
      // A reset committed between the two statements can make it fit now: try again (bounded).
      const limit = limitPassedBy(totals, limits, delta) ?? (attempt >= 3 ? 'tokens' : null);
      if (!limit) continue;
      await this.outbox.append([
        new AgentBudgetExceeded(tenantId, agentId, {
          agentId,
          taskId: usage.taskId,
          runId: usage.runId,
          limit,
          refused: { tokens: delta.tokens, costUsd: delta.costUsd, timeSeconds: round(delta.timeSeconds, 3), toolExecutions: delta.toolExecutions },
          usage: totals,
        }),
      ]);
      return { kind: 'refused', limit, usage: totals, limits };
    }
  }

  async usageOf(tenantId: string, agentId: string, limit: number): Promise<AgentUsageView | null> {
    if (!isUuid(agentId)) return null;
    const [agent]: AgentTotalsRow[] = await this.host.tx.query(`SELECT ${TOTALS}, status FROM agents WHERE tenant_id = $1 AND id = $2`, [tenantId, agentId]);
    if (!agent) return null;
    const [totals] = await this.host.tx.query(LEDGER_TOTALS, [tenantId, agentId]);
    const entries: EntryRow[] = await this.host.tx.query(
      `SELECT ${ENTRY_COLUMNS} FROM agent_usage_ledger WHERE tenant_id = $1 AND agent_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
      [tenantId, agentId, limit],
    );
    return {
      agentId,
      budgetLimits: limitsOf(agent),
      budgetUsage: usageFromColumns(agent),
      ledgerTotals: {
        tokensIn: Number(totals.tokensIn),
        tokensOut: Number(totals.tokensOut),
        costUsd: Number(totals.costUsd),
        durationMs: Number(totals.durationMs),
        modelCalls: totals.modelCalls,
        toolCalls: totals.toolCalls,
      },
      entries: entries.map(toEntryView),
    };
  }

  private async accept(
    tenantId: string,
    agentId: string,
    usage: Required<UsageRecording>,
    updated: AgentTotalsRow & { warnedNow: boolean },
  ): Promise<UsageOutcome> {
    const entryId = newId();
    await this.host.tx.query(
      `INSERT INTO agent_usage_ledger (id, tenant_id, agent_id, task_id, run_id, kind, name, provider, tokens_in, tokens_out, cost_usd, duration_ms, status, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)`,
      [
        entryId,
        tenantId,
        agentId,
        usage.taskId,
        usage.runId,
        usage.kind,
        usage.name,
        usage.provider,
        usage.tokensIn,
        usage.tokensOut,
        usage.costUsd,
        usage.durationMs,
        usage.status,
        usage.error ? JSON.stringify(usage.error) : null,
      ],
    );
    const totals = usageFromColumns(updated);
    const limits = limitsOf(updated);
    if (updated.warnedNow) {
      await this.outbox.append([new AgentApproachingBudgetLimit(tenantId, agentId, { agentId, usage: totals, ratio: round(usageRatio(totals, limits), 4) })]);
    }
    return { kind: 'accepted', entryId, usage: totals, limits, warned: updated.warnedNow };
  }
}

type EntryRow = Omit<UsageEntryView, 'costUsd' | 'createdAt'> & { costUsd: string; createdAt: Date };

function toEntryView(row: EntryRow): UsageEntryView {
  return { ...row, costUsd: Number(row.costUsd), createdAt: new Date(row.createdAt).toISOString() };
}

function limitsOf(row: LimitColumns): Budget {
  return {
    maxTokens: Number(row.maxTokens),
    maxCostUsd: Number(row.maxCostUsd),
    maxTimeSeconds: Number(row.maxTimeSeconds),
    maxToolExecutions: Number(row.maxToolExecutions),
  };
}

