import { Injectable } from '@nestjs/common';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';

export interface AgentWanted {
  tenantId: string;
  capabilities: string[];
  preferredRole: string | null;
  definitionId: string | null;
  excludedAgentIds: string[];
}

/**
 * The matching rule of SPEC section 5 in SQL, in the caller's transaction: an idle agent within
 * budget with every required capability; the preferred role first, then the lowest budget use
 * ratio (the highest of its four ratios), then the least recently active. The row is locked
 * (SKIP LOCKED, so concurrent dispatchers pick different agents).
 */
@Injectable()
export class AgentPool {
  constructor(private readonly txHost: TransactionHost) {}

  private get tx(): Tx['tx'] {
    return (this.txHost as unknown as Tx).tx;
  }

  async lockIdleAgent(want: AgentWanted): Promise<string | null> {
    const rows: { id: string }[] = await this.tx.query(
      `SELECT id FROM agents
       WHERE tenant_id = $1 AND status = 'idle' AND capabilities @> $2::text[]
         AND ($3::uuid IS NULL OR definition_id = $3) AND NOT (id = ANY($4::uuid[]))
         AND tokens_used < max_tokens AND cost_usd < max_cost_usd AND time_seconds < max_time_seconds AND tool_executions < max_tool_executions
       ORDER BY (role = $5) DESC,
         GREATEST(tokens_used::float8 / max_tokens, cost_usd::float8 / max_cost_usd, time_seconds::float8 / max_time_seconds, tool_executions::float8 / max_tool_executions),
         last_active_at ASC NULLS FIRST, id
       LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [want.tenantId, want.capabilities, want.definitionId, want.excludedAgentIds, want.preferredRole ?? ''],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * A definition that can serve the task and whose pool (non-terminated agents) is below `max`,
   * preferred role first, newest first. Takes a transaction-scoped advisory lock on the chosen
   * definition so two dispatchers cannot both grow a pool past its maximum.
   */
  stuckAgents(seconds: number): Promise<{ tenantId: string; id: string }[]> {
    return findStuckAgents(this.tx, seconds);
  }

  expiredIdleAgents(min: number, seconds: number): Promise<{ tenantId: string; id: string }[]> {
    return findExpiredIdleAgents(this.tx, min, seconds);
  }

  async definitionWithRoom(want: AgentWanted, max: number): Promise<string | null> {
    const candidates: { id: string }[] = await this.tx.query(
      `SELECT d.id FROM agent_definitions d
       WHERE d.tenant_id = $1 AND d.deleted_at IS NULL AND d.capabilities @> $2::text[] AND ($3::uuid IS NULL OR d.id = $3)
       ORDER BY (d.role = $4) DESC, d.created_at DESC, d.id LIMIT 5`,
      [want.tenantId, want.capabilities, want.definitionId, want.preferredRole ?? ''],
    );
    for (const { id } of candidates) {
      await this.tx.query(`SELECT pg_advisory_xact_lock(hashtext('agent-pool:' || $1))`, [id]);
      const [{ size }] = await this.tx.query(`SELECT count(*)::int AS size FROM agents WHERE definition_id = $1 AND status <> 'terminated'`, [id]);
      if (size < max) return id;
    }
    return null;
  }
}

/** Agents busy with a task but with no progress for `seconds` (model and tool calls, transitions touch them). */
export async function findStuckAgents(tx: Tx['tx'], seconds: number): Promise<{ tenantId: string; id: string }[]> {
  return tx.query(
    `SELECT tenant_id AS "tenantId", id FROM agents
     WHERE status IN ('assigned', 'reasoning', 'executing', 'validating', 'retry', 'failed') AND current_task_id IS NOT NULL
       AND last_active_at < now() - make_interval(secs => $1)
     ORDER BY last_active_at LIMIT 100`,
    [seconds],
  );
}

/** Idle agents beyond each definition's `min` most recently active, idle for longer than `seconds`. */
export async function findExpiredIdleAgents(tx: Tx['tx'], min: number, seconds: number): Promise<{ tenantId: string; id: string }[]> {
  return tx.query(
    `SELECT tenant_id AS "tenantId", id FROM (
       SELECT tenant_id, id, status, last_active_at,
              row_number() OVER (PARTITION BY definition_id ORDER BY last_active_at DESC NULLS LAST, id) AS rank
       FROM agents WHERE status <> 'terminated') a
     WHERE rank > $1 AND status = 'idle' AND last_active_at < now() - make_interval(secs => $2)
     LIMIT 100`,
    [min, seconds],
  );
}
