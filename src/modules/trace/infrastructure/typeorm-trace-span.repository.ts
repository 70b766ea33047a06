import { Injectable } from '@nestjs/common';
import { stableV7, timeOfV7 } from '@cognition/platform/ids/uuid';
import { TimedRepository } from '@cognition/platform/metrics/timed';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { FINAL_SPAN_STATUSES, SpanWrite } from '../domain/span-write';
import { TraceSpanRepository } from '../domain/trace-span.repository.port';

/**
 * A span's id is a function of what it traces, (tenant, type, entity): rebuilding the projection
 * from the events (a replay) gives every span, and every parent link, the id it had. It is a
 * UUIDv7 with the time of the traced entity's own UUIDv7 id (execution, step, task, run and call ids
 * are UUIDv7s), so spans still sort by age; an entity id that is not one takes the event's time.
 */
export function spanIdOf(tenantId: string, type: string, entityId: string, at: Date): string {
  return stableV7(`trace-span:${tenantId}:${type}:${entityId}`, timeOfV7(entityId) ?? at.getTime());
}

/** Spans in PostgreSQL, upserted in the caller's transaction when there is one. */
@Injectable()
@TimedRepository('trace-span')
export class TypeOrmTraceSpanRepository extends TraceSpanRepository {
  constructor(private readonly txHost: TransactionHost) {
    super();
  }

  async apply(w: SpanWrite): Promise<void> {
    await this.applyAll([w]);
  }

  /**
   * The writes in order, in one statement: `cognitionos_apply_span_writes` (migration
   * 1764150840000) holds the upsert and SpanWrite's merge rules. The projection hands it a run of
   * events' writes at once instead of a round trip and a commit per span.
   */
  async applyAll(writes: SpanWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await (this.txHost as unknown as Tx).tx.query(`SELECT cognitionos_apply_span_writes($1::jsonb)`, [JSON.stringify(writes.map(rowOf))]);
  }
}

/** One write as the function reads it; an undefined field is left out (SQL NULL: keep what is there). */
function rowOf(w: SpanWrite): Record<string, unknown> {
  const final = w.status !== undefined && FINAL_SPAN_STATUSES.has(w.status);
  return {
    id: spanIdOf(w.tenantId, w.type, w.entityId, w.at),
    tenantId: w.tenantId,
    type: w.type,
    entityId: w.entityId,
    name: w.name,
    status: w.status,
    inputs: w.inputs,
    outputs: w.status ? w.outputs : undefined,
    error: w.status ? w.error : undefined,
    metadata: w.metadata ?? {},
    startedAt: w.startedAt,
    completedAt: final ? (w.completedAt ?? w.at) : undefined,
    position: w.position !== null && /^\d{1,19}$/.test(w.position) ? w.position : undefined,
    parentId: w.parent ? spanIdOf(w.tenantId, w.parent.type, w.parent.entityId, w.at) : undefined,
    parentType: w.parent?.type,
    parentEntityId: w.parent?.entityId,
  };
}
