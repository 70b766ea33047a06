import { newId } from '@cognition/platform/ids/uuid';
import { EventRows } from './event-rows';
import { dispatchEagerly, EagerClaim } from './eager-dispatch';
import { ITEM_INSERT_CHUNK } from './for-each-items';
import { propagate } from './propagation';
import { wakeStepsOfFinishedChildren } from './child-wakeups';
import { deliverBufferedSignals, lockSignalsOf } from './signals';
import { Sql } from './sql';
import { ClaimedStep, lockTenantsAtCap } from './step-claims';
import { latestAttemptPerStep, StepResult, stepPayload, TerminalStep, terminalOf } from './step-result';

// `s.id = ANY($2)` (the batch's ids) steers every statement to the primary key.
const GUARD = `s.id = ANY($2::uuid[]) AND s.status = 'running' AND s.lease_owner = $1`;
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * Applies a batch of step results in the caller's transaction: a handful of set-based statements
 * whatever the batch size. Every write is guarded by this worker's lease, so a result that arrives
 * after the lease was lost (or the execution was cancelled) changes nothing: a step completes once.
 */
export interface WriteOutcome {
  notify: boolean;
  finished: Record<string, number>;
  /** Steps this worker claimed in the same transaction (eager dispatch of what the batch unlocked). */
  claimed: ClaimedStep[];
  /** A claim through the queue ran in this transaction and found less than it asked for: the queue is drained. */
  drained: boolean;
}

export async function writeStepResults(sql: Sql, workerId: string, batch: StepResult[], eager?: EagerClaim): Promise<WriteOutcome> {
  const results = latestAttemptPerStep(batch);
  const events = new EventRows();
  let notify = false;
  const byId = new Map(results.map((r) => [r.claim.id, r]));
  const accepted = async (query: string, rows: StepResult[], columns: unknown[][]): Promise<StepResult[]> => {
    if (rows.length === 0) return [];
    // Not named (prepared per connection): a plan kept per connection is made at its first calls, in
    // a new database while step_executions is small — a sequential scan, kept as the table grows.
    // Planned on each call, it finds the rows by primary key.
    const done = await sql<{ id: string }>(query, [workerId, rows.map((r) => r.claim.id), ...columns]);
    return done.map((d) => byId.get(d.id)!);
  };

  // Final outcomes of this attempt.
  const finals = results.filter((r) => r.kind === 'completed' || r.kind === 'skipped' || (r.kind === 'failed' && !r.retryAt));
  const ended = await accepted(`UPDATE step_executions s SET status = v.status, output = v.output, error = v.error, skip_reason = v.reason,
       completed_at = now(), lease_owner = NULL, lease_expires_at = NULL, wait_kind = NULL, resume = NULL, updated_at = now()
     FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[]) AS v(id, status, output, error, reason)
     WHERE s.id = v.id AND ${GUARD} RETURNING s.id`,
    finals,
    [
      finals.map((r) => r.kind),
      finals.map((r) => (r.kind === 'completed' ? (r.serialized ?? json(r.output)) : null)),
      finals.map((r) => (r.kind === 'failed' ? json(r.error) : null)),
      finals.map((r) => (r.kind === 'skipped' ? r.reason : null)),
    ],
  );
  const terminal: TerminalStep[] = [];
  for (const r of ended) {
    if (r.kind === 'completed') events.add(r.claim.tenantId, 'StepExecutionCompleted', r.claim.executionId, { ...stepPayload(terminalOf(r.claim, r.plan, 'completed')), output: r.output ?? null, workerId });
    if (r.kind === 'skipped') events.add(r.claim.tenantId, 'StepExecutionSkipped', r.claim.executionId, { ...stepPayload(terminalOf(r.claim, r.plan, 'skipped')), reason: r.reason });
    if (r.kind === 'failed') events.add(r.claim.tenantId, 'StepExecutionFailed', r.claim.executionId, { ...stepPayload(terminalOf(r.claim, r.plan, 'failed')), error: r.error });
    terminal.push(terminalOf(r.claim, r.plan, r.kind as TerminalStep['status'], r.kind === 'failed' ? r.error : undefined));
  }

  // Failed attempts with attempts left: back to pending after the backoff.
  const retries = results.filter((r): r is Extract<StepResult, { kind: 'failed' }> => r.kind === 'failed' && !!r.retryAt);
  const retried = (await accepted(`UPDATE step_executions s SET status = 'pending', available_at = v.at, error = v.error, lease_owner = NULL,
       lease_expires_at = NULL, wait_kind = NULL, resume = NULL, updated_at = now()
     FROM unnest($2::uuid[], $3::timestamptz[], $4::jsonb[]) AS v(id, at, error) WHERE s.id = v.id AND ${GUARD} RETURNING s.id`,
    retries,
    [retries.map((r) => r.retryAt), retries.map((r) => json(r.error))],
  )) as typeof retries;
  for (const r of retried) {
    events.add(r.claim.tenantId, 'StepExecutionRetried', r.claim.executionId, {
      ...stepPayload(terminalOf(r.claim, r.plan, 'failed')),
      error: r.error,
      retryAt: r.retryAt!.toISOString(),
    });
    notify = true;
  }

  // Waits: the worker is released; the row wakes on its timer, a signal or its child.
  const waits = results.filter((r): r is Extract<StepResult, { kind: 'waiting' }> => r.kind === 'waiting');
  // Lock before the row changes, in the order sendSignal locks: a signal and a wait never miss each other.
  await lockSignalsOf(sql, waits.filter((r) => r.wait.kind === 'signal').map((r) => r.claim.executionId));
  const waiting = (await accepted(`UPDATE step_executions s SET status = 'waiting', wait_kind = v.kind, wait_key = v.key, available_at = COALESCE(v.until, 'infinity'),
       resume = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS v(id, kind, key, until) WHERE s.id = v.id AND ${GUARD} RETURNING s.id`,
    waits,
    [waits.map((r) => r.wait.kind), waits.map((r) => r.wait.key ?? null), waits.map((r) => r.wait.until ?? null)],
  )) as typeof waits;
  for (const r of waiting) {
    events.add(r.claim.tenantId, 'StepExecutionWaiting', r.claim.executionId, {
      ...stepPayload(terminalOf(r.claim, r.plan, 'completed')),
      waitKind: r.wait.kind,
      waitKey: r.wait.key ?? null,
      until: r.wait.until?.toISOString() ?? null,
    });
  }
  const signalWaits = waiting.filter((r) => r.wait.kind === 'signal').map((r) => ({ id: r.claim.id, executionId: r.claim.executionId, name: r.wait.key! }));
  if (signalWaits.length && (await deliverBufferedSignals(sql, signalWaits))) notify = true;
  const childWaits = waiting.filter((r) => r.wait.kind === 'child').map((r) => r.claim.id);
  if (childWaits.length && (await wakeStepsOfFinishedChildren(sql, childWaits))) notify = true;

  // forEach: the step waits for its items, one row each.
  const expansions = results.filter((r): r is Extract<StepResult, { kind: 'expanded' }> => r.kind === 'expanded');
  const expanded = (await accepted(`UPDATE step_executions s SET status = 'waiting', wait_kind = 'children', children_remaining = v.n, available_at = 'infinity',
       lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     FROM unnest($2::uuid[], $3::int[]) AS v(id, n) WHERE s.id = v.id AND ${GUARD} RETURNING s.id`,
    expansions,
    [expansions.map((r) => r.count)],
  )) as typeof expansions;
  if (expanded.length) {
    // One row per item, each storing its item (the list is never evaluated again), a bounded
    // number of rows per statement.
    const children = expanded.flatMap((r) => Array.from({ length: r.count }, (_, i) => ({ r, i })));
    for (let from = 0; from < children.length; from += ITEM_INSERT_CHUNK) {
      const chunk = children.slice(from, from + ITEM_INSERT_CHUNK);
      await sql(
        `INSERT INTO step_executions (id, execution_id, tenant_id, step_id, item_index, type, status, deps_remaining, item)
         SELECT v.id, v.execution_id, v.tenant_id, v.step_id, v.item_index, v.type, 'pending', 0, v.item
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::jsonb[]) AS v(id, execution_id, tenant_id, step_id, item_index, type, item)`,
        [
          chunk.map(() => newId()),
          chunk.map((c) => c.r.claim.executionId),
          chunk.map((c) => c.r.claim.tenantId),
          chunk.map((c) => c.r.claim.stepId),
          chunk.map((c) => c.i),
          chunk.map((c) => c.r.claim.type),
          chunk.map((c) => (c.r.items ? (JSON.stringify(c.r.items[c.i]) ?? 'null') : null)),
        ],
        'cognitionos_insert_foreach_items',
      );
    }
    for (const r of expanded) {
      events.add(r.claim.tenantId, 'StepExecutionWaiting', r.claim.executionId, {
        ...stepPayload(terminalOf(r.claim, r.plan, 'completed')),
        waitKind: 'children',
        waitKey: String(r.count),
        until: null,
      });
    }
    notify = true;
  }

  // A busy concurrency key: back to pending, woken when the key is released.
  const blocked = results.filter((r): r is Extract<StepResult, { kind: 'blocked' }> => r.kind === 'blocked');
  const blockedAccepted = await accepted(`UPDATE step_executions s SET status = 'pending', attempt = s.attempt - 1, concurrency_key = v.key,
       available_at = now() + interval '5 seconds', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     FROM unnest($2::uuid[], $3::text[]) AS v(id, key) WHERE s.id = v.id AND ${GUARD} RETURNING s.id`,
    blocked,
    [blocked.map((r) => r.concurrencyKey)],
  );
  if (await releaseConcurrencySlots(sql, results.filter((r) => r.kind !== 'blocked' && r.claim.heldKey).map((r) => r.claim.id))) notify = true;

  // Runnable for reasons other than unlocked dependencies: retries, signals, children, forEach items, keys.
  const other = notify;
  const propagation = await propagate(sql, terminal, events);
  if (propagation.runnable) notify = true;
  const finished = { completed: events.count('WorkflowExecutionCompleted'), failed: events.count('WorkflowExecutionFailed') };
  await events.flush(sql);
  const freedBy = [...ended, ...blockedAccepted, ...retried, ...waiting, ...expanded];
  // Slots freed and not all taken by a hand-off of unlocked steps: a tenant of these steps held at
  // its cap has queued steps waiting for them. Its claim lock is held from here to the commit, and
  // they are claimed after it (as cognitionos_complete_steps, migration 1764150920000).
  const someSlotsLeft = !other && !propagation.woke && propagation.unlocked.length < freedBy.length;
  const capped = someSlotsLeft && (await lockTenantsAtCap(sql, freedBy.map((r) => r.claim.tenantId), eager?.tenantMaxRunningSteps));
  if (!notify && !capped) return { notify: false, finished, claimed: [], drained: false };
  const dispatched = await dispatchEagerly(sql, workerId, eager, {
    unlocked: propagation.unlocked,
    moreMayBeDue: other || propagation.woke || capped,
    capped,
    freedBy,
  });
  return { finished, ...dispatched };
}

/** Frees the keys these steps held and makes the steps queued behind them runnable now. */
async function releaseConcurrencySlots(sql: Sql, stepExecutionIds: string[]): Promise<boolean> {
  if (stepExecutionIds.length === 0) return false;
  const released = await sql<{ tenant_id: string; key: string }>(
    `DELETE FROM concurrency_slots WHERE step_execution_id = ANY($1::uuid[]) RETURNING tenant_id, key`,
    [stepExecutionIds],
  );
  if (released.length === 0) return false;
  await sql(
    `UPDATE step_executions s SET available_at = now()
     FROM unnest($1::uuid[], $2::text[]) AS v(tenant_id, key)
     WHERE s.tenant_id = v.tenant_id AND s.concurrency_key = v.key AND s.status = 'pending'`,
    [released.map((r) => r.tenant_id), released.map((r) => r.key)],
  );
  return true;
}
