import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { ApiKeyService } from '@cognition/platform/auth/api-key.service';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { limitsOf } from '@cognition/platform/limits/limits';
import { TERMINAL_EXECUTION_EVENTS } from '../contracts';
import { LiveStream, ResumePoint } from './execution-live-stream';
import { STREAM_START } from './execution-stream-order';

const LIFECYCLE_EVENTS = ['WorkflowExecutionStarted', ...TERMINAL_EXECUTION_EVENTS];

/** The event a `Last-Event-ID` names (only if it is this tenant's and this execution's) and the last lifecycle event up to it. */
const RESUME_POINT = `
  SELECT e.tx_id::text AS tx_id, e.position,
         (SELECT l.type FROM domain_events l
          WHERE l.tenant_id = e.tenant_id AND l.aggregate_id = e.aggregate_id AND l.type = ANY($4::text[])
            AND (l.tx_id, l.position) <= (e.tx_id, e.position)
          ORDER BY l.tx_id DESC, l.position DESC LIMIT 1) AS lifecycle
  FROM domain_events e
  WHERE e.id = $1 AND e.tenant_id = $2 AND e.aggregate_id = $3`;


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
