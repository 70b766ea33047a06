import { Injectable } from '@nestjs/common';
import { RetentionJob, RetentionJobHandler, RetentionResult, RetentionRun } from '@cognition/platform/retention/retention-job';

/**
 * One batch, one statement: the oldest ledger entries before the cutoff are deleted and, in the
 * same statement, added to their daily rollup row (per agent, UTC day, kind, model or tool,
 * provider, status). A reader sees an entry either in the ledger or in its rollup, never both and
 * never neither (one statement, one snapshot: see TypeOrmAgentUsageLedger.usageOf).
 */
const ROLL_UP = `
WITH moved AS (
  DELETE FROM agent_usage_ledger WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM agent_usage_ledger WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))
  RETURNING tenant_id, agent_id, created_at, kind, name, provider, status, tokens_in, tokens_out, cost_usd, duration_ms
), rolled AS (
  INSERT INTO agent_usage_daily AS d (tenant_id, agent_id, day, kind, name, provider, status, calls, tokens_in, tokens_out, cost_usd, duration_ms)
  SELECT tenant_id, agent_id, (created_at AT TIME ZONE 'UTC')::date, kind, name, COALESCE(provider, ''), status,
         count(*), sum(tokens_in), sum(tokens_out), sum(cost_usd), sum(duration_ms)
  FROM moved
  GROUP BY tenant_id, agent_id, (created_at AT TIME ZONE 'UTC')::date, kind, name, COALESCE(provider, ''), status
  ON CONFLICT (agent_id, day, kind, name, provider, status) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    tokens_in = d.tokens_in + EXCLUDED.tokens_in,
    tokens_out = d.tokens_out + EXCLUDED.tokens_out,
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    duration_ms = d.duration_ms + EXCLUDED.duration_ms,
    updated_at = now()
  RETURNING 1
)
SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM rolled)::int AS rollups`;

const DRY = `
SELECT count(*)::int AS moved,
       count(DISTINCT (agent_id, (created_at AT TIME ZONE 'UTC')::date, kind, name, COALESCE(provider, ''), status))::int AS rollups
FROM agent_usage_ledger WHERE created_at < $1`;

/**
 * The usage ledger past USAGE_LEDGER_ROLLUP_DAYS: its entries are summed into daily rollup rows
 * (`agent_usage_daily`) and deleted. What reads usage gives the same answers afterwards:
 * `GET /agents/{id}/usage` totals add the rollups to the remaining entries (only its list of latest
 * entries no longer shows the rolled-up ones), and budgets are enforced on the agent's own usage
 * columns, which the ledger never feeds back into — so a rollup can never reset a budget.
 */
@Injectable()
@RetentionJob({
  name: 'usage-ledger',
  setting: 'USAGE_LEDGER_ROLLUP_DAYS',
  unit: 'days',
  description: 'usage-ledger entries older than the setting, summed into daily rollups (agent_usage_daily) then deleted',
})
export class UsageLedgerRetentionJob implements RetentionJobHandler {
  async prune(run: RetentionRun): Promise<RetentionResult> {
    if (run.dryRun) {
      const [row] = await run.db.query<{ moved: number; rollups: number }>(DRY, [run.cutoff]);
      return { rows: { agent_usage_ledger: row.moved }, note: `into at most ${row.rollups} daily rollup rows` };
    }
    let moved = 0;
    let rollups = 0;
    for (;;) {
      const [row] = await run.db.query<{ moved: number; rollups: number }>(ROLL_UP, [run.cutoff, run.batchSize]);
      moved += row.moved;
      rollups += row.rollups;
      if (row.moved < run.batchSize || !(await run.next())) break;
    }
    return { rows: { agent_usage_ledger: moved }, note: `rolled up into ${rollups} daily rollup row writes` };
  }
}
