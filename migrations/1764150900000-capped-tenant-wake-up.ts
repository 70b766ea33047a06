import { MigrationInterface, QueryRunner } from 'typeorm';
import { COMPLETE_STEPS_FUNCTION } from './1764150800000-complete-steps';

/**
 * A completion that frees a slot of a tenant at its cap claims that tenant's queued steps (or wakes
 * the other workers when this one has no room), even though it unlocked nothing.
 *
 * Until now `cognitionos_complete_steps` returned early when the batch made nothing runnable (no
 * dependent unlocked, no parent woken). A tenant held at its cap (`tenant_quotas`, else
 * TENANT_MAX_RUNNING_STEPS) with queued single-step executions then waited for the poll: its claim
 * had stopped short, so the worker knew of no backlog, and nothing told anyone that the slots came
 * free again — a tenant with a cap of 5 ran 5 steps per `WORKER_POLL_MS`, and a worker whose
 * prefetch reached the cap idled between batches.
 *
 * "At its cap" is read from `tenant_claim_bounds`, which the one-tenant claim keeps under the
 * tenant's lock (its running steps at the last count, plus every step claimed since): a bound at or
 * above the cap means the last claim was limited by it. The check runs only for a batch that
 * unlocked fewer steps than it completed (so some freed slots are not handed off): a chain link,
 * which hands its next link the slot, pays nothing for it. The claim
 * through several tenants keeps the bounds too from 1764150910000-capped-tenant-bounds on.
 * The statement path (step-results.writer.ts) does the same with `tenantsAtCap`.
 */
export class CappedTenantWakeUp1764150900000 implements MigrationInterface {
  name = 'CappedTenantWakeUp1764150900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(CAPPED_WAKE_UP_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(COMPLETE_STEPS_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }
}

const EARLY_RETURN = `  -- Nothing became runnable: nothing to dispatch.
  IF v_dependents = 0 AND NOT v_woke THEN
    RETURN`;

const CAPPED_CHECK = `  -- Fewer steps unlocked than completed (none, in a single-step execution or a fan-in still
  -- waiting): some freed slots are not taken by a hand-off. A tenant of these steps whose last claim
  -- was held by its cap has queued steps waiting for them.
  IF NOT v_woke AND COALESCE(cardinality(v_unlocked), 0) < cardinality(v_ids) THEN
    v_capped := EXISTS (SELECT 1 FROM tenant_claim_bounds b LEFT JOIN tenant_quotas t ON t.tenant_id = b.tenant_id
                        WHERE b.tenant_id = ANY(v_tenants) AND b.running_bound >= COALESCE(t.max_running_steps, p_cap));
  END IF;
  -- Nothing became runnable and no capped tenant: nothing to dispatch.
  IF v_dependents = 0 AND NOT v_woke AND NOT v_capped THEN
    RETURN`;

function withCappedWakeUp(fn: string): string {
  const parts = [
    ['CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'],
    ['  v_woke boolean := false;\n', '  v_woke boolean := false;\n  v_capped boolean := false;\n'],
    [EARLY_RETURN, CAPPED_CHECK],
    ['v_more_due := v_woke OR COALESCE', 'v_more_due := v_woke OR v_capped OR COALESCE'],
  ];
  let out = fn;
  for (const [from, to] of parts) {
    if (!out.includes(from)) throw new Error(`migration 1764150900000: "${from.trim()}" not found in cognitionos_complete_steps`);
    out = out.replace(from, to);
  }
  return out;
}

export const CAPPED_WAKE_UP_FUNCTION = withCappedWakeUp(COMPLETE_STEPS_FUNCTION);
