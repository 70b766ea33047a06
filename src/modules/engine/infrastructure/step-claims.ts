import { LIMITS } from '@cognition/platform/limits/limits';
import { wakeStepsOfFinishedChildren } from './child-wakeups';
import { ExecutionInputsCache } from './execution-inputs-cache';
import { Sql } from './sql';

/** A step a worker holds the lease of. */
export interface ClaimedStep {
  id: string;
  executionId: string;
  tenantId: string;
  stepId: string;
  itemIndex: number | null;
  type: string;
  attempt: number;
  /** Set when the step had asked to wait and is now resumed (by its timer, a signal, a child or a deadline). */
  waitKind: string | null;
  waitKey: string | null;
  resume: { reason?: string; payload?: unknown } | null;
  /** When the step became runnable (for claim-to-start latency). */
  availableAt: Date;
  workflowId: string;
  workflowVersion: string;
  inputs: Record<string, unknown>;
  /** The status the step was claimed from: a hand-back restores it. */
  claimedFrom: 'pending' | 'waiting';
  /** The concurrency key this attempt holds, once acquired by the runner. */
  heldKey?: string;
}

/**
 * Claims up to `limit` runnable steps in one round trip: due pending steps whose dependencies are
 * done, and waiting steps whose wake-up came. The claim is `cognitionos_claim_steps` (migration
 * 1764150720000-tenant-quotas), fair across tenants and capped per tenant:
 *
 * - fair: tenants with due steps are served least loaded first (fewest running steps for their
 *   cap, then the longest-waiting oldest step), and the batch is shared out round robin in that
 *   order, so a tenant's deep backlog delays another tenant's step by one claim at most;
 * - capped: a tenant never has more than its cap of steps running (claimed, prefetched or running),
 *   across every worker: `tenant_quotas.max_running_steps`, else `tenantMaxRunningSteps`
 *   (TENANT_MAX_RUNNING_STEPS). Claims of one tenant take a transaction advisory lock on it, so each
 *   counts the running steps of the claims before it.
 *
 * Rows are locked FOR UPDATE SKIP LOCKED, so any number of workers claim side by side; the lease
 * lets another worker take a step over if this one dies. A StepExecutionStarted event is written in
 * the same statement for each first start of an attempt. Steps come back in their fair order.
 */
const CLAIM = `
SELECT id, execution_id, tenant_id, step_id, item_index, type, attempt, wait_kind, wait_key, resume, available_at, was,
       workflow_id, workflow_version, inputs
FROM cognitionos_claim_steps($1::text, $2::integer, $3::float8, $4::integer, $5::uuid[])
ORDER BY turn`;

/**
 * `tenantMaxRunningSteps`: the cap of a tenant without a `tenant_quotas` row (TENANT_MAX_RUNNING_STEPS).
 * `inputs`: the worker's cache of execution inputs; the claim sends none for the executions in it.
 */
export async function claimSteps(
  sql: Sql,
  workerId: string,
  limit: number,
  leaseSeconds: number,
  tenantMaxRunningSteps: number = LIMITS.tenantRunningSteps.default,
  inputs: ExecutionInputsCache = new ExecutionInputsCache(0),
): Promise<ClaimedStep[]> {
  const cap = tenantMaxRunningSteps;
  const rows = await sql(CLAIM, [workerId, limit, leaseSeconds, cap, inputs.known()], 'cognitionos_claim_steps');
  return claimedSteps(sql, rows, inputs);
}

/**
 * The hand-off: steps this transaction has just made runnable (their last dependency completed in
 * it, their rows locked by it) are claimed by id, for the worker whose results completed that
 * dependency, taking the running slots those results freed. A chain's next link thus starts without
 * a claim through the queue. The caller hands a tenant at most as many steps as its results in this
 * transaction stopped running, so the tenant's running count does not grow and its cap holds
 * without counting; tenants with a `tenant_quotas` row (a cap that may have been lowered, or a
 * paused tenant) are left to the fair claim. Returns the steps claimed, in the order given.
 *
 * The rows are found by primary key only. `deps_remaining <= 0` (never below 0) says what
 * `= 0` would without implying the predicate of the queue's partial index: given that index, a
 * generic plan walked every due step of the queue and filtered it by id, per hand-off (a drain of
 * chains spent a third more PostgreSQL CPU per step). The order of the ids is joined after the
 * update, not in it, where a join would be re-scanned for every row updated.
 */
const HAND_OFF = `
WITH claimed AS (
  UPDATE step_executions s
  SET status = 'running', attempt = s.attempt + 1, lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3),
      started_at = now(), updated_at = now()
  WHERE s.id = ANY($2::uuid[]) AND s.status = 'pending' AND s.deps_remaining <= 0 AND s.available_at <= now()
    AND NOT EXISTS (SELECT 1 FROM tenant_quotas q WHERE q.tenant_id = s.tenant_id)
  RETURNING s.id, s.execution_id, s.tenant_id, s.step_id, s.item_index, s.type, s.attempt, s.wait_kind, s.wait_key,
            s.resume, s.available_at
), ordered AS (
  SELECT c.*, p.turn FROM claimed c JOIN unnest($2::uuid[]) WITH ORDINALITY AS p(id, turn) ON p.id = c.id
), started AS (
  INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
  SELECT cognitionos_uuid_v7(), c.tenant_id, 'StepExecutionStarted', 'WorkflowExecution', c.execution_id::text,
         jsonb_build_object('executionId', c.execution_id, 'stepExecutionId', c.id, 'stepId', c.step_id,
                            'itemIndex', c.item_index, 'type', c.type, 'attempt', c.attempt, 'workerId', $1::text),
         now()
  FROM ordered c ORDER BY c.turn
)
SELECT c.id, c.execution_id, c.tenant_id, c.step_id, c.item_index, c.type, c.attempt, c.wait_kind, c.wait_key, c.resume,
       c.available_at, 'pending' AS was, e.workflow_id, e.workflow_version,
       CASE WHEN c.execution_id = ANY($4::uuid[]) THEN NULL
            WHEN row_number() OVER (PARTITION BY c.execution_id ORDER BY c.turn) = 1 THEN e.inputs END AS inputs
FROM ordered c JOIN workflow_executions e ON e.id = c.execution_id
ORDER BY c.turn`;

export async function claimUnlocked(
  sql: Sql,
  workerId: string,
  ids: string[],
  leaseSeconds: number,
  inputs: ExecutionInputsCache = new ExecutionInputsCache(0),
): Promise<ClaimedStep[]> {
  if (ids.length === 0) return [];
  // Not a named statement: a plan kept per connection would be the one made while the table was
  // small (a sequential scan), kept as it grows; planned on each call it finds the rows by key.
  return claimedSteps(sql, await sql(HAND_OFF, [workerId, ids, leaseSeconds, inputs.known()]), inputs);
}

/**
 * Whether one of these tenants was held at its cap by its last claim (its claim bound reached its
 * cap), taking the claim lock of each that was, keys in order, to the end of the caller's
 * transaction: a claim of theirs that began before has committed by then (a claim through the queue
 * after this transaction sees its steps), and one that begins after waits, and counts the slots this
 * transaction frees. A write that frees such a tenant's slots has them claimed after its commit, as
 * `cognitionos_complete_steps` does (migration 1764150920000-capped-tenant-lock). Volatile functions
 * of a target list are evaluated after its ORDER BY.
 */
export async function lockTenantsAtCap(sql: Sql, tenantIds: string[], tenantMaxRunningSteps: number = LIMITS.tenantRunningSteps.default): Promise<boolean> {
  const locked = await sql(
    `SELECT pg_advisory_xact_lock(1131373139, x.key) FROM (
       SELECT DISTINCT hashtext(b.tenant_id::text) AS key FROM tenant_claim_bounds b LEFT JOIN tenant_quotas t ON t.tenant_id = b.tenant_id
       WHERE b.tenant_id = ANY($1::uuid[]) AND b.running_bound >= COALESCE(t.max_running_steps, $2)) x
     ORDER BY x.key`,
    [[...new Set(tenantIds)], tenantMaxRunningSteps],
  );
  return locked.length > 0;
}

/**
 * Claim rows to claims. An execution's inputs come on its first row of the batch only, and not at
 * all when the worker's cache held them at the time of the claim; one the cache has dropped since
 * (another claim ran meanwhile) is read again.
 */
export async function claimedSteps(sql: Sql, rows: any[], cache: ExecutionInputsCache = new ExecutionInputsCache(0)): Promise<ClaimedStep[]> {
  const inputsOf = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    if (r.inputs === null || r.inputs === undefined || inputsOf.has(r.execution_id)) continue;
    inputsOf.set(r.execution_id, r.inputs);
    cache.set(r.execution_id, r.inputs);
  }
  const missing = new Set<string>();
  for (const r of rows) {
    if (inputsOf.has(r.execution_id)) continue;
    const cached = cache.get(r.execution_id);
    if (cached) inputsOf.set(r.execution_id, cached);
    else missing.add(r.execution_id);
  }
  if (missing.size) {
    const read = await sql<{ id: string; inputs: Record<string, unknown> }>(`SELECT id, inputs FROM workflow_executions WHERE id = ANY($1::uuid[])`, [[...missing]]);
    for (const r of read) {
      inputsOf.set(r.id, r.inputs);
      cache.set(r.id, r.inputs);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    executionId: r.execution_id,
    tenantId: r.tenant_id,
    stepId: r.step_id,
    itemIndex: r.item_index,
    type: r.type,
    attempt: r.attempt,
    waitKind: r.wait_kind,
    waitKey: r.wait_key,
    resume: r.resume,
    availableAt: r.available_at,
    workflowId: r.workflow_id,
    workflowVersion: r.workflow_version,
    inputs: inputsOf.get(r.execution_id) ?? {},
    claimedFrom: r.was,
  }));
}

/**
 * Gives back steps this worker claimed but never started (shutdown): each returns to the status it
 * was claimed from, available at once, and a pending step gets its attempt back (it did not run).
 */
export async function handBackUnstarted(sql: Sql, workerId: string, claims: ClaimedStep[]): Promise<number> {
  if (claims.length === 0) return 0;
  const rows = await sql(
    `UPDATE step_executions s SET status = v.was, attempt = CASE WHEN v.was = 'pending' THEN s.attempt - 1 ELSE s.attempt END,
       lease_owner = NULL, lease_expires_at = NULL, available_at = now(), updated_at = now()
     FROM unnest($2::uuid[], $3::text[]) AS v(id, was)
     WHERE s.id = v.id AND s.status = 'running' AND s.lease_owner = $1 RETURNING s.id`,
    [workerId, claims.map((c) => c.id), claims.map((c) => c.claimedFrom)],
  );
  if (rows.length) await sql(`SELECT pg_notify('cognitionos_steps', '')`);
  return rows.length;
}

/**
 * Releases the leases of steps still running when the shutdown grace ends: they go back to pending,
 * available at once, so another worker takes them over now rather than when the lease expires (the
 * interrupted attempt counts, as after a crash). A late result of this worker then changes nothing.
 */
export async function releaseLeases(sql: Sql, workerId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await sql(
    `UPDATE step_executions SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, available_at = now(), updated_at = now()
     WHERE id = ANY($2::uuid[]) AND status = 'running' AND lease_owner = $1 RETURNING id`,
    [workerId, ids],
  );
  if (rows.length) await sql(`SELECT pg_notify('cognitionos_steps', '')`);
  return rows.length;
}

/** Extends the leases of the steps this worker still runs. */
export async function heartbeat(sql: Sql, workerId: string, ids: string[], leaseSeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await sql(
    `UPDATE step_executions SET lease_expires_at = now() + make_interval(secs => $3)
     WHERE id = ANY($2::uuid[]) AND status = 'running' AND lease_owner = $1`,
    [workerId, ids, leaseSeconds],
  );
}

/**
 * Steps whose worker stopped renewing the lease go back to pending (running → pending, lease
 * lost), and concurrency slots held by steps no longer running are released. (`deps_remaining = 0`,
 * true of every running step, lets the search use the index of running steps.)
 */
export async function reapExpiredLeases(sql: Sql): Promise<number> {
  const rows = await sql(
    `UPDATE step_executions SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, available_at = now(), updated_at = now()
     WHERE id IN (SELECT id FROM step_executions WHERE status = 'running' AND deps_remaining = 0 AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
     RETURNING id`,
  );
  await sql(
    `DELETE FROM concurrency_slots c WHERE NOT EXISTS (SELECT 1 FROM step_executions s WHERE s.id = c.step_execution_id AND s.status = 'running')`,
  );
  const woken = await wakeStepsOfFinishedChildren(sql);
  if (rows.length || woken) await sql(`SELECT pg_notify('cognitionos_steps', '')`);
  return rows.length;
}
