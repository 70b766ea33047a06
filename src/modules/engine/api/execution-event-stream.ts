import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { ApiKeyService } from '../../../platform/auth/api-key.service';
import { DomainError, DomainEvent } from '../../../platform/domain';
import { isUuid } from '../../../platform/ids/uuid';
import { limitsOf } from '../../../platform/limits/limits';
import { StoredEventRow } from '../../../platform/outbox/event-type.registry';
import { TERMINAL_EXECUTION_EVENTS } from '../contracts';

/**
 * Where an event sits in a stream: `(tx_id, position)` of its `domain_events` row, the order in
 * which the outbox relay publishes. `position` alone is not a commit order: transactions commit out
 * of position order, so a cursor on `position` skips events committed late.
 */
export interface StreamKey {
  txId: bigint;
  position: bigint;
}

export const STREAM_START: StreamKey = { txId: 0n, position: 0n };

export function compareKeys(a: StreamKey, b: StreamKey): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

/** The envelope of SPEC §7, plus `executionId` for convenience. */
export interface StreamEnvelope {
  id: string;
  position: string;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: string;
  correlationId: string | null;
  executionId: string;
}

export interface StreamEvent {
  key: StreamKey;
  envelope: StreamEnvelope;
}

/**
 * The pure part of a stream: remembers the last key sent and lets through only what comes after
 * it, so whatever mix of history rows and live events arrives, each event goes out once, in order.
 */
export class StreamOrder {
  constructor(private lastKey: StreamKey = STREAM_START) {}

  get last(): StreamKey {
    return this.lastKey;
  }

  /** True (and the event becomes the last one sent) when it comes after everything sent so far. */
  accept(key: StreamKey): boolean {
    if (compareKeys(key, this.lastKey) <= 0) return false;
    this.lastKey = key;
    return true;
  }

  /** Events buffered while the history was read, in stream order (`accept` then drops repeats). */
  static sorted<E extends { key: StreamKey }>(events: E[]): E[] {
    return [...events].sort((a, b) => compareKeys(a.key, b.key));
  }
}

/** A `domain_events` row as the history query reads it (the relay's row shape). */
type EventRow = StoredEventRow;

/** Where a resumed stream starts, and whether the execution had ended by then. */
interface ResumePoint {
  after: StreamKey;
  ended: boolean;
}

const KEEPALIVE_MS = 15_000;
const HORIZON_POLL_MIN_MS = 10;
const HORIZON_POLL_MAX_MS = 250;
const LIFECYCLE_EVENTS = ['WorkflowExecutionStarted', ...TERMINAL_EXECUTION_EVENTS];

/**
 * The execution's events after a key, from transactions older than every running one (the
 * relay's horizon): below it nothing can still commit, so the read is complete up to there.
 */
const HISTORY = `
  SELECT id, position, tx_id::text AS tx_id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
  FROM domain_events
  WHERE tenant_id = $1 AND aggregate_id = $2 AND (tx_id, position) > ($3::xid8, $4::bigint)
    AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY tx_id, position`;

/** The event a `Last-Event-ID` names (only if it is this tenant's and this execution's) and the last lifecycle event up to it. */
const RESUME_POINT = `
  SELECT e.tx_id::text AS tx_id, e.position,
         (SELECT l.type FROM domain_events l
          WHERE l.tenant_id = e.tenant_id AND l.aggregate_id = e.aggregate_id AND l.type = ANY($4::text[])
            AND (l.tx_id, l.position) <= (e.tx_id, e.position)
          ORDER BY l.tx_id DESC, l.position DESC LIMIT 1) AS lifecycle
  FROM domain_events e
  WHERE e.id = $1 AND e.tenant_id = $2 AND e.aggregate_id = $3`;

const SNAPSHOT = `SELECT pg_snapshot_xmin(s)::text AS horizon, pg_snapshot_xmax(s)::text AS next FROM pg_current_snapshot() s`;

/**
 * Server-Sent Events of one execution: every event exactly once, in `(tx_id, position)` order —
 * the outbox relay's order — live and on resume. `id:` is the event's id (`domain_events.id`),
 * `data:` its envelope; `Last-Event-ID` resumes strictly after that event.
 *
 * Why nothing falls between history and live: the stream subscribes to the EventBus first and
 * buffers, then reads the history below the visibility horizon (`tx_id < pg_snapshot_xmin(...)`).
 * The horizon only moves forward, so every event the relay published before we subscribed came
 * from a read whose horizon was at most ours: it is in our history read. Every event published
 * after we subscribed is in the buffer. History then the sorted buffer, each dropped when its key is
 * not past the last one sent, gives the relay's order without gap or repeat; after that, live
 * events arrive in that same order.
 *
 * The end: a terminal event is not always last in `(tx_id, position)` order (a transaction with a
 * larger tx_id may have committed before the one that ended the execution). So after a terminal
 * event the stream waits until the horizon passes every transaction that had started by then,
 * sends what is left below it, and closes — unless a retry started the execution again.
 */
@Injectable()
export class ExecutionEventStream implements OnModuleDestroy {
  private readonly logger = new Logger(ExecutionEventStream.name);
  private readonly streams = new Set<LiveStream>();
  private shuttingDown = false;
  /** Open streams of each API key on this instance (SSE_MAX_CONNECTIONS_PER_KEY). */
  private readonly perKey = new Map<string, number>();
  private readonly maxPerKey: number;

  constructor(
    private readonly eventBus: EventBus,
    @InjectDataSource() private readonly db: DataSource,
    private readonly keys: ApiKeyService,
    config: AppConfig,
  ) {
    this.maxPerKey = limitsOf(config.all).sseConnectionsPerKey;
  }

  /**
   * Streams the execution (which the caller has checked is the tenant's). Problems (a bad
   * `Last-Event-ID`, shutting down) are thrown before anything is written, as problem+json.
   */
  /**
   * With the key's id, the stream counts against the key's open streams (over
   * SSE_MAX_CONNECTIONS_PER_KEY on this instance: 429 RATE_LIMITED) and ends when the key is revoked
   * (within ApiKeyService.revocationCheckMs, at once when revoked on this instance).
   */
  async open(tenantId: string, executionId: string, lastEventId: string | undefined, reply: FastifyReply, keyId?: string): Promise<void> {
    this.refuseWhenShuttingDown();
    // Counted before the first await, so concurrent opens cannot all pass the check.
    const release = keyId === undefined ? undefined : this.admit(keyId);
    let resume: ResumePoint;
    try {
      resume = lastEventId === undefined || lastEventId.trim() === '' ? { after: STREAM_START, ended: false } : await this.resumePoint(tenantId, executionId, lastEventId.trim());
      this.refuseWhenShuttingDown();
    } catch (error) {
      release?.();
      throw error;
    }
    reply.hijack();
    let unwatch: (() => void) | undefined;
    const stream = new LiveStream(this.eventBus, this.db, this.logger, tenantId, executionId, resume, reply.raw, () => {
      this.streams.delete(stream);
      release?.();
      unwatch?.();
    });
    this.streams.add(stream);
    if (keyId !== undefined) unwatch = this.keys.watchRevocation(keyId, () => stream.close());
    await stream.run();
  }

  /** Open streams of one key on this instance (tests and metrics). */
  openStreamsOf(keyId: string): number {
    return this.perKey.get(keyId) ?? 0;
  }

  /** Counts a stream of the key, or refuses it over the limit; returns the release (idempotent). */
  private admit(keyId: string): () => void {
    const open = this.perKey.get(keyId) ?? 0;
    if (open >= this.maxPerKey) {
      throw new DomainError('RATE_LIMITED', `This API key has ${open} open event streams on this instance, the most SSE_MAX_CONNECTIONS_PER_KEY allows; close one first`);
    }
    this.perKey.set(keyId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perKey.get(keyId) ?? 1) - 1;
      if (left > 0) this.perKey.set(keyId, left);
      else this.perKey.delete(keyId);
    };
  }

  /** Ends every open stream before the HTTP server closes (clients reconnect elsewhere with `Last-Event-ID`) and refuses new ones. */
  // onModuleDestroy is the first hook of app.close(), for every module, before any module drains
  // its workers in beforeApplicationShutdown: streams end at once whatever the other hooks do.
  onModuleDestroy(): void {
    this.shuttingDown = true;
    for (const stream of [...this.streams]) stream.close();
  }

  /** Number of open streams (for tests and metrics). */
  get openStreams(): number {
    return this.streams.size;
  }

  private refuseWhenShuttingDown(): void {
    if (this.shuttingDown) throw new DomainError('SERVICE_UNAVAILABLE', 'This instance is shutting down; reconnect with Last-Event-ID');
  }

  private async resumePoint(tenantId: string, executionId: string, lastEventId: string): Promise<ResumePoint> {
    const invalid = () => new DomainError('BAD_REQUEST', `Last-Event-ID ${JSON.stringify(lastEventId.slice(0, 64))} is not an event of this execution`, [{ path: 'Last-Event-ID', message: 'must be the id of an event of this stream' }]);
    if (!isUuid(lastEventId)) throw invalid();
    const rows: { tx_id: string; position: string; lifecycle: string | null }[] = await this.db.query(RESUME_POINT, [lastEventId, tenantId, executionId, LIFECYCLE_EVENTS]);
    if (rows.length === 0) throw invalid();
    return { after: { txId: BigInt(rows[0].tx_id), position: BigInt(rows[0].position) }, ended: rows[0].lifecycle !== null && TERMINAL_EXECUTION_EVENTS.has(rows[0].lifecycle) };
  }
}

/** One open stream. Every error after the response started ends the stream (the client resumes); none escapes. */
class LiveStream {
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
      envelope: envelope(m.id, m.position, event.tenantId, event.type, event.aggregateType, event.aggregateId, event.payload, event.occurredAt, m.correlationId),
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

  private async snapshot(): Promise<{ horizon: string; next: string }> {
    const [row] = await this.db.query(SNAPSHOT);
    return row;
  }

  private async history(after: StreamKey): Promise<StreamEvent[]> {
    const rows: EventRow[] = await this.db.query(HISTORY, [this.tenantId, this.executionId, after.txId.toString(), after.position.toString()]);
    return rows.map((r) => ({
      key: { txId: BigInt(r.tx_id), position: BigInt(r.position) },
      envelope: envelope(r.id, String(r.position), r.tenant_id, r.type, r.aggregate_type, r.aggregate_id, r.payload, r.occurred_at, r.correlation_id),
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

function envelope(
  id: string,
  position: string,
  tenantId: string,
  type: string,
  aggregateType: string,
  aggregateId: string,
  payload: unknown,
  occurredAt: Date,
  correlationId: string | null,
): StreamEnvelope {
  return {
    id,
    position,
    tenantId,
    type,
    aggregateType,
    aggregateId,
    payload,
    occurredAt: new Date(occurredAt).toISOString(),
    correlationId,
    executionId: aggregateId,
  };
}
