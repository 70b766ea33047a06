import { STEPS_CHANNEL } from './execution-starter';
import { ExecutionInputsCache } from './execution-inputs-cache';
import { UnlockedStep } from './propagation';
import { Sql } from './sql';
import { claimSteps, claimUnlocked, ClaimedStep } from './step-claims';
import { StepResult } from './step-result';

export interface EagerClaim {
  limit: number;
  leaseSeconds: number;
  /** The worker's TENANT_MAX_RUNNING_STEPS, so eager claims keep the same cap as its own. */
  tenantMaxRunningSteps?: number;
  /**
   * Whether the worker's last claim through the queue filled all it asked for (or it was woken since):
   * then the queue may hold more, and the eager claim goes through the queue too. Otherwise, what
   * this batch unlocked is handed off by id, without a claim through the queue.
   */
  backlog?: boolean;
  /** The worker's cache of execution inputs (claims send none for the executions in it). */
  inputs?: ExecutionInputsCache;
}

export interface EagerDispatch {
  /**
   * More may be due than this worker took: it claims again. The other workers were woken (NOTIFY)
   * too, unless all that is due is a capped tenant's freed slots and this worker has room for them.
   */
  notify: boolean;
  claimed: ClaimedStep[];
  /** A claim through the queue ran and found less than it asked for: the queue is drained. */
  drained: boolean;
}

/**
 * Eager dispatch after a batch of results, in the writer's transaction (no NOTIFY round trip, no
 * separate claim transaction per chain link): first what the batch unlocked, handed off in the
 * slots its results freed (`claimUnlocked`); then, if more may be due (unlocked steps left over,
 * other work made runnable, or the worker's last claim filled up), a claim through the queue for the
 * rest of the worker's room (or, when `capped`, a claim of this worker's after the commit). Called
 * only when the batch made something runnable or freed a capped tenant's slots.
 */
export async function dispatchEagerly(
  sql: Sql,
  workerId: string,
  eager: EagerClaim | undefined,
  batch: { unlocked: UnlockedStep[]; moreMayBeDue: boolean; freedBy: StepResult[]; capped?: boolean },
): Promise<EagerDispatch> {
  if (!eager || eager.limit <= 0) {
    await notifyWorkers(sql);
    return { notify: true, claimed: [], drained: false };
  }
  const handOff = handOffOf(batch.unlocked, freedSlots(batch.freedBy), eager.limit);
  const claimed = await claimUnlocked(sql, workerId, handOff, eager.leaseSeconds, eager.inputs);
  const room = eager.limit - claimed.length;
  const moreMayBeDue = batch.moreMayBeDue || batch.unlocked.length > claimed.length;
  let drained = false;
  // Not while a capped tenant's claim lock is held: the claim would take other tenants' locks after
  // it, out of key order (lockTenantsAtCap). This worker claims after the commit instead.
  const throughQueue = room > 0 && !batch.capped && (moreMayBeDue || eager.backlog !== false);
  if (throughQueue) {
    const more = await claimSteps(sql, workerId, room, eager.leaseSeconds, eager.tenantMaxRunningSteps, eager.inputs);
    claimed.push(...more);
    drained = more.length < room;
  }
  // Only a capped tenant's freed slots to fill, and room for them all: this worker claims them after
  // the commit, the others are not woken for nothing.
  const self = !!batch.capped && batch.unlocked.length <= claimed.length && room >= batch.freedBy.length;
  // Wake the other workers only if this one could not take everything that is due.
  const wakeOthers = throughQueue ? !drained : moreMayBeDue && !self;
  if (wakeOthers) await notifyWorkers(sql);
  return { notify: wakeOthers || self, claimed, drained };
}

function notifyWorkers(sql: Sql): Promise<unknown> {
  return sql(`SELECT pg_notify('${STEPS_CHANNEL}', '')`, [], 'cognitionos_notify_steps');
}

/** The running slots a batch's accepted results freed, by tenant. */
function freedSlots(results: StepResult[]): Map<string, number> {
  const slots = new Map<string, number>();
  for (const r of results) slots.set(r.claim.tenantId, (slots.get(r.claim.tenantId) ?? 0) + 1);
  return slots;
}

/** The unlocked steps to hand off: per tenant, no more than the slots its results freed; at most `limit`. */
function handOffOf(unlocked: UnlockedStep[], slots: Map<string, number>, limit: number): string[] {
  const ids: string[] = [];
  for (const u of unlocked) {
    const free = slots.get(u.tenantId) ?? 0;
    if (free <= 0 || ids.length >= limit) continue;
    slots.set(u.tenantId, free - 1);
    ids.push(u.id);
  }
  return ids;
}
