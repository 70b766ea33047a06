import { Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { ServerResponse } from 'node:http';
import { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { DomainEvent } from '@cognition/platform/domain';
import { StoredEventRow } from '@cognition/platform/outbox/event-type.registry';
import { TERMINAL_EXECUTION_EVENTS } from '../contracts';
import { streamEnvelope, StreamEvent, StreamKey, StreamOrder } from './execution-stream-order';

/** A `domain_events` row as the history query reads it (the relay's row shape). */
type EventRow = StoredEventRow;

/** Where a resumed stream starts, and whether the execution had ended by then. */
export interface ResumePoint {
  after: StreamKey;
  ended: boolean;
}

const KEEPALIVE_MS = 15_000;
const HORIZON_POLL_MIN_MS = 10;
const HORIZON_POLL_MAX_MS = 250;

/**
 * The execution's events after a key, from transactions older than every running one (the
 * relay's horizon): below it nothing can still commit, so the read is complete up to there.
 */
const HISTORY = `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
  FROM domain_events
  WHERE tenant_id = $1 AND aggregate_id = $2 AND (tx_id, position) > ($3::xid8, $4::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY domain_events.tx_id, domain_events.position`;


const SNAPSHOT = `SELECT pg_snapshot_xmin(s)::text AS horizon, pg_snapshot_xmax(s)::text AS next FROM pg_current_snapshot() s`;

/** One open stream. Every error after the response started ends the stream (the client resumes); none escapes. */
export class LiveStream {
  private readonly order: StreamOrder;
  /** Live events that arrive while the history is read; `null` once live. */
  private buffer: StreamEvent[] | null = [];
  private closed = false;
  /** The last lifecycle event sent was terminal (key of that event), or null. */
  private endedAt: StreamKey | null;
  private finishing = false;
  private subscription?: Subscription;
  private keepalive?: NodeJS.Timeout;

  constructor(
    private readonly eventBus: EventBus,
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly tenantId: string,
    private readonly executionId: string,
    resume: ResumePoint,
    private readonly raw: ServerResponse,
    private readonly onClose: () => void,
  ) {
    this.order = new StreamOrder(resume.after);
    this.endedAt = resume.ended ? resume.after : null;
  }

  async run(): Promise<void> {
    const raw = this.raw;
    raw.on('close', () => this.close());
    raw.on('error', () => this.close());
    // The client may have gone while the request was checked; its 'close' has been emitted then.
    if (gone(raw)) return this.close();
    try {
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      // Subscribe before reading the history (see the class comment of ExecutionEventStream).
      this.subscription = this.eventBus.subscribe((value) => this.onLive(value));
      this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
      this.keepalive.unref();
      const history = await this.history(this.order.last);
      if (this.closed) return;
      for (const e of history) this.send(e);
      for (const e of StreamOrder.sorted(this.buffer ?? [])) this.send(e);
      this.buffer = null;
      // An execution that has ended but whose terminal event is gone (retention pruned its old
      // events) would otherwise keep the stream open forever: end it as after a terminal event.
      if (!this.endedAt && (await this.hasEnded())) this.endedAt = this.order.last;
      this.finishIfEnded();
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.unsubscribe();
    if (this.keepalive) clearInterval(this.keepalive);
    this.buffer = null;
    try {
      if (!this.raw.writableEnded && !this.raw.destroyed) this.raw.end();
    } catch {
      /* the socket is gone already */
    }
    this.onClose();
  }

  private onLive(value: unknown): void {
    if (this.closed || !(value instanceof DomainEvent)) return;
    const event = value as DomainEvent;
    const m = event.metadata;
    if (!m?.txId || event.aggregateId !== this.executionId || event.tenantId !== this.tenantId) return;
    const e: StreamEvent = {
      key: { txId: BigInt(m.txId), position: BigInt(m.position) },
      envelope: streamEnvelope(event),
    };
    if (this.buffer) this.buffer.push(e);
    else {
      this.send(e);
      this.finishIfEnded();
    }
  }

  private send(e: StreamEvent): void {
    if (this.closed || !this.order.accept(e.key)) return;
    const { envelope: data } = e;
    this.write(`id: ${data.id}\nevent: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (TERMINAL_EXECUTION_EVENTS.has(data.type)) this.endedAt = e.key;
    else if (data.type === 'WorkflowExecutionStarted') this.endedAt = null;
  }

  /** A write to a closed socket must never throw (the keepalive timer calls this too). */
  private write(chunk: string): void {
    if (this.closed) return;
    if (gone(this.raw)) return this.close();
    try {
      this.raw.write(chunk);
    } catch {
      this.close();
    }
  }

  private finishIfEnded(): void {
    if (this.endedAt && !this.finishing && !this.closed && !this.buffer) void this.finish();
  }

  /**
   * After a terminal event: wait until the horizon passes every transaction that had started when
   * it was sent (any event committed before it is then readable), send what is left, and close.
   */
  private async finish(): Promise<void> {
    this.finishing = true;
    try {
      while (!this.closed && this.endedAt) {
        const terminal = this.endedAt;
        const target = BigInt((await this.snapshot()).next);
        for (let wait = HORIZON_POLL_MIN_MS; !this.closed && BigInt((await this.snapshot()).horizon) < target; wait = Math.min(wait * 2, HORIZON_POLL_MAX_MS)) {
          await new Promise((r) => setTimeout(r, wait));
        }
        if (this.closed) return;
        for (const e of await this.history(this.order.last)) this.send(e);
        if (this.endedAt === terminal) this.close();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.finishing = false;
    }
  }

  private async hasEnded(): Promise<boolean> {
    const [row] = await this.db.query(`SELECT status FROM workflow_executions WHERE tenant_id = $1 AND id = $2`, [this.tenantId, this.executionId]);
    return row?.status === 'completed' || row?.status === 'failed' || row?.status === 'cancelled';
  }

  private async snapshot(): Promise<{ horizon: string; next: string }> {
    const [row] = await this.db.query(SNAPSHOT);
    return row;
  }

  private async history(after: StreamKey): Promise<StreamEvent[]> {
    const rows: EventRow[] = await this.db.query(HISTORY, [this.tenantId, this.executionId, after.txId.toString(), after.position.toString()]);
    return rows.map((r) => ({
      key: { txId: BigInt(r.tx_id), position: BigInt(r.position) },
      envelope: streamEnvelope(r),
    }));
  }

  private fail(error: unknown): void {
    if (!this.closed) this.logger.warn(`event stream of execution ${this.executionId} ended: ${(error as Error)?.message ?? String(error)}`);
    this.close();
  }
}

function gone(raw: ServerResponse): boolean {
  return raw.writableEnded || raw.destroyed || !raw.socket || raw.socket.destroyed;
}
