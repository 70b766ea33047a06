import { MigrationInterface, QueryRunner } from 'typeorm';
import { CLAIM_FUNCTION } from './1764150740000-claim-fast-path';

/**
 * The claim that serves several tenants keeps their claim bounds instead of dropping them, so that
 * a tenant it finds at its cap, or fills to it, is woken when its running steps finish (migration
 * 1764150900000-capped-tenant-wake-up reads the bounds).
 *
 * Until now that claim deleted the bounds of the tenants it served, and left alone those it found at
 * their caps: neither said "at its cap" afterwards, so their queued steps waited for the poll (three
 * tenants with a cap of 2 ran 2 steps each per `WORKER_POLL_MS`). Now:
 *
 * - the tenants it finds at their caps (this snapshot's counts) are locked and counted again with
 *   the ones it serves (their advisory locks in key order, as before: claimers never deadlock);
 *   one that has room by then takes its turn after the others;
 * - in the statement that picks the steps, every tenant it locked gets its bound: its running steps
 *   counted under the lock plus the steps picked for it — exact, as the one-tenant claim's.
 *
 * Every bound is still written under its tenant's advisory lock, so no claim waits for another's
 * row lock on `tenant_claim_bounds`. `enable_seqscan = off` is kept (1764150750000-running-steps-index).
 */
export class CappedTenantBounds1764150910000 implements MigrationInterface {
  name = 'CappedTenantBounds1764150910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(withBoundsKept(CLAIM_FUNCTION));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(CLAIM_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION').replace(HEADER_SETTINGS, `${HEADER_SETTINGS} SET enable_seqscan = off`));
  }
}

const HEADER_SETTINGS = 'SET plan_cache_mode = force_generic_plan';

const SELECT_TENANTS = `    SELECT array_agg(l.tenant_id ORDER BY l.served) INTO v_tenants
    FROM (SELECT d.tenant_id, row_number() OVER (ORDER BY d.running::float8 / d.cap, d.oldest) AS served
          FROM (SELECT x.tenant_id, x.oldest, x.cap,
                       (SELECT count(*) FROM (SELECT 1 FROM step_executions r
                                              WHERE r.tenant_id = x.tenant_id AND r.status = 'running' AND r.deps_remaining = 0
                                              LIMIT x.cap) c) AS running
                FROM unnest(v_due, v_oldest, v_caps) AS x(tenant_id, oldest, cap)) d
          WHERE d.running < d.cap ORDER BY d.running::float8 / d.cap, d.oldest LIMIT p_limit) l;
    IF v_tenants IS NULL THEN RETURN; END IF;`;

const SELECT_TENANTS_AND_CAPPED = `    -- And those at their caps, whose bounds must say so.
    WITH d AS (
      SELECT x.tenant_id, x.oldest, x.cap,
             (SELECT count(*) FROM (SELECT 1 FROM step_executions r
                                    WHERE r.tenant_id = x.tenant_id AND r.status = 'running' AND r.deps_remaining = 0
                                    LIMIT x.cap) c) AS running
      FROM unnest(v_due, v_oldest, v_caps) AS x(tenant_id, oldest, cap)
    )
    SELECT (SELECT array_agg(l.tenant_id ORDER BY l.served)
            FROM (SELECT d.tenant_id, row_number() OVER (ORDER BY d.running::float8 / d.cap, d.oldest) AS served
                  FROM d WHERE d.running < d.cap ORDER BY d.running::float8 / d.cap, d.oldest LIMIT p_limit) l),
           (SELECT array_agg(d.tenant_id ORDER BY d.tenant_id) FROM d WHERE d.running >= d.cap)
    INTO v_tenants, v_capped;
    IF v_tenants IS NULL AND v_capped IS NULL THEN RETURN; END IF;
    v_locked := COALESCE(v_tenants, '{}'::uuid[]) || COALESCE(v_capped, '{}'::uuid[]);`;

const BOUNDS_DROPPED = `    -- These claims are not added to the tenants' bounds: the bounds are dropped, and counted
    -- afresh by the next one-tenant claim.
    DELETE FROM tenant_claim_bounds b WHERE b.tenant_id = ANY(v_tenants);
`;

function withBoundsKept(fn: string): string {
  const parts: [string, string][] = [
    ['CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'],
    [HEADER_SETTINGS, `${HEADER_SETTINGS} SET enable_seqscan = off`],
    ['  v_tenants uuid[];\n', '  v_tenants uuid[];\n  v_capped uuid[];\n  v_locked uuid[];\n'],
    [SELECT_TENANTS, SELECT_TENANTS_AND_CAPPED],
    ['FROM unnest(v_tenants) x ORDER BY 1 LOOP', 'FROM unnest(v_locked) x ORDER BY 1 LOOP'],
    ['FROM unnest(v_tenants) WITH ORDINALITY AS x(tenant_id, served)', 'FROM unnest(v_locked) WITH ORDINALITY AS x(tenant_id, served)'],
    ['      SELECT p.id, p.was, t.running, t.cap, t.served,\n', '      SELECT p.id, p.was, t.running, t.cap, t.served, t.tenant_id AS owner,\n'],
    [
      '        FOR UPDATE SKIP LOCKED) p\n    )\n',
      `        FOR UPDATE SKIP LOCKED) p
    ), bounds AS (
      -- Every tenant locked above: its running steps counted under the lock plus those picked now.
      INSERT INTO tenant_claim_bounds AS b (tenant_id, running_bound)
      SELECT t.tenant_id, t.running + (SELECT count(*) FROM picked p WHERE p.owner = t.tenant_id)::integer
      FROM tenant t ORDER BY t.tenant_id
      ON CONFLICT (tenant_id) DO UPDATE SET running_bound = EXCLUDED.running_bound
    )
`,
    ],
    [BOUNDS_DROPPED, ''],
  ];
  let out = fn;
  for (const [from, to] of parts) {
    if (out.split(from).length !== 2) throw new Error(`migration 1764150910000: "${from.trim().slice(0, 60)}" is not found exactly once in cognitionos_claim_steps`);
    out = out.replace(from, to);
  }
  return out;
}
