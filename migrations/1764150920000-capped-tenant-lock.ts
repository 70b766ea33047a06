import { MigrationInterface, QueryRunner } from 'typeorm';
import { CAPPED_WAKE_UP_FUNCTION } from './1764150900000-capped-tenant-wake-up';

/**
 * A completion that frees a capped tenant's slot holds the tenant's claim lock until it commits, and
 * has its worker claim right after the commit instead of claiming in its own transaction.
 *
 * 1764150900000-capped-tenant-wake-up let such a completion claim through the queue, without the
 * tenant's lock. A start (or any claim) of the same tenant running at the same moment could then
 * miss it both ways: the claim, under the lock, counted the step being completed as still running
 * and stopped at the cap; the completion's claim, in its own snapshot, did not see the step the
 * start had not committed yet. Both committed, and the new step waited for the poll (seen in CI:
 * one of ten executions of a tenant capped at 2 still queued after 45 s, WORKER_POLL_MS at 60 s).
 *
 * Now the completion takes the claim lock (`pg_advisory_xact_lock(1131373139, hashtext(tenant))`,
 * keys in order) of every tenant of its steps whose bound says it is at its cap, and holds it to its
 * commit. A claim of that tenant that began before has committed by then, so the wake-up's claim sees
 * its steps; one that begins after waits for the commit, and counts the freed slot. The wake-up is a
 * claim after the commit: `notify` in the answer makes the completing worker claim at once, and the
 * other workers get a NOTIFY only when this one has no room for all the slots freed (or something
 * else is due too). A claim through the queue in this transaction would take other tenants' locks
 * after this one, out of key order, and could deadlock with a claimer holding them. A completion
 * whose steps' tenants are below their caps takes no lock, and claims as before.
 *
 * The statement path (step-results.writer.ts) does the same with `lockTenantsAtCap`.
 */
export class CappedTenantLock1764150920000 implements MigrationInterface {
  name = 'CappedTenantLock1764150920000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(CAPPED_LOCK_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(CAPPED_WAKE_UP_FUNCTION);
  }
}

const CAPPED_READ = `    v_capped := EXISTS (SELECT 1 FROM tenant_claim_bounds b LEFT JOIN tenant_quotas t ON t.tenant_id = b.tenant_id
                        WHERE b.tenant_id = ANY(v_tenants) AND b.running_bound >= COALESCE(t.max_running_steps, p_cap));`;

const CAPPED_LOCK = `    -- Their claim locks, held to the commit (keys in order, as every claimer takes them): a claim of
    -- theirs that began before has committed, one that begins after counts the freed slots.
    FOR v_key IN SELECT DISTINCT hashtext(b.tenant_id::text)
                 FROM tenant_claim_bounds b LEFT JOIN tenant_quotas t ON t.tenant_id = b.tenant_id
                 WHERE b.tenant_id = ANY(v_tenants) AND b.running_bound >= COALESCE(t.max_running_steps, p_cap) ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(1131373139, v_key);
      v_capped := true;
    END LOOP;`;

const SELF_CLAIM = `  -- Only a capped tenant's freed slots to fill, and room for them all: this worker claims them
  -- after the commit ('notify' in the answer); the others are not woken for nothing.
  v_self := v_capped AND COALESCE(cardinality(v_unlocked), 0) <= v_taken AND v_room >= cardinality(v_ids);
  v_notify := CASE WHEN v_queue THEN NOT v_drained WHEN v_self THEN false ELSE v_more_due END;`;

function withCappedLock(fn: string): string {
  const parts: [string, string][] = [
    ['  v_capped boolean := false;\n', '  v_capped boolean := false;\n  v_key integer;\n  v_self boolean;\n'],
    [CAPPED_READ, CAPPED_LOCK],
    // With a claim lock held, no claim here (it would take other locks out of order): a claim after the commit.
    ['  v_queue := v_room > 0 AND (v_more_due OR p_backlog);', '  v_queue := v_room > 0 AND NOT v_capped AND (v_more_due OR p_backlog);'],
    [`  v_notify := CASE WHEN v_queue THEN NOT v_drained ELSE v_more_due END;`, SELF_CLAIM],
    [`'notify', v_notify, 'drained', v_drained`, `'notify', v_notify OR v_self, 'drained', v_drained`],
  ];
  let out = fn;
  for (const [from, to] of parts) {
    if (out.split(from).length !== 2) throw new Error(`migration 1764150920000: "${from.trim().slice(0, 60)}" is not found exactly once in cognitionos_complete_steps`);
    out = out.replace(from, to);
  }
  return out;
}

/** `cognitionos_complete_steps` as this migration leaves it (the next one that changes it starts here). */
export const CAPPED_LOCK_FUNCTION = withCappedLock(CAPPED_WAKE_UP_FUNCTION);
