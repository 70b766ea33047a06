import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import type { TaskView } from '../contracts/task.types';
import { TaskBatch } from '../domain/task-batch';
import { TaskIdempotencyStore } from '../domain/task-idempotency.port';
import { TaskRepository } from '../domain/task.repository.port';

/** JSON with object keys sorted, so the same request hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Creates one task or a batch, in the caller's transaction: the idempotency key first (a repeat
 * answers the first result), then checks, dependencies (share-locked), and the inserts.
 */
@Injectable()
export class TaskCreator {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly idempotency: TaskIdempotencyStore,
  ) {}

  async create(tenantId: string, inputs: readonly unknown[], batch: boolean, idempotencyKey: string | null): Promise<TaskView[]> {
    if (idempotencyKey !== null) {
      const hash = createHash('sha256').update(canonicalJson([batch ? 'batch' : 'single', inputs])).digest('hex');
      const first = await this.idempotency.reserve(tenantId, idempotencyKey, hash);
      if (!first.reserved) {
        if (first.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${idempotencyKey} was used for a different request`);
        return (await this.tasks.findByIds(tenantId, first.taskIds)).map((t) => t.toView());
      }
    }
    const plan = TaskBatch.plan(inputs, { tenantId, batch, newId });
    plan.assertDependenciesUsable(await this.tasks.lockDependencies(tenantId, plan.externalIds));
    await this.tasks.insertMany(plan.tasks);
    if (idempotencyKey !== null) await this.idempotency.recordResult(tenantId, idempotencyKey, plan.tasks.map((t) => t.id));
    return plan.tasks.map((t) => t.toView());
  }
}
