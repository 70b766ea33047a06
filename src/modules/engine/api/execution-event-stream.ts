import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainEvent } from '../../../platform/domain';
import { TERMINAL_EXECUTION_EVENTS } from '../contracts';

interface StreamEvent {
  position: string;
  type: string;
  data: Record<string, unknown>;
}

const KEEPALIVE_MS = 15_000;

/**
 * Server-Sent Events of one execution: its stored history from the outbox, then live events from
 * the in-process EventBus (subscribed first, so nothing falls between), ending after the
 * execution's terminal event. Event ids are outbox positions, so `Last-Event-ID` resumes.
 */
@Injectable()
export class ExecutionEventStream {
  constructor(
    private readonly eventBus: EventBus,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async open(tenantId: string, executionId: string, after: string, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let last = BigInt(after);
    let live = false;
    const buffered: StreamEvent[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      subscription.unsubscribe();
      clearInterval(keepalive);
      raw.end();
    };
    const send = (e: StreamEvent) => {
      if (closed || BigInt(e.position) <= last) return;
      last = BigInt(e.position);
      raw.write(`id: ${e.position}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      if (TERMINAL_EXECUTION_EVENTS.has(e.type)) close();
    };
    const subscription = this.eventBus.subscribe((value) => {
      const event = value as DomainEvent;
      if (!(event instanceof DomainEvent) || event.aggregateId !== executionId || event.tenantId !== tenantId || !event.metadata) return;
      const e = { position: event.metadata.position, type: event.type, data: this.envelope(event.metadata.position, event.type, event.payload, event.occurredAt) };
      if (live) send(e);
      else buffered.push(e);
    });
    const keepalive = setInterval(() => !closed && raw.write(': keepalive\n\n'), KEEPALIVE_MS);
    raw.on('close', close);
    const rows = await this.db.query(
      `SELECT position, type, payload, occurred_at FROM domain_events WHERE tenant_id = $1 AND aggregate_id = $2 AND position > $3 ORDER BY position`,
      [tenantId, executionId, after],
    );
    for (const r of rows) send({ position: String(r.position), type: r.type, data: this.envelope(String(r.position), r.type, r.payload, r.occurred_at) });
    for (const e of buffered.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1))) send(e);
    live = true;
  }

  private envelope(position: string, type: string, payload: unknown, occurredAt: Date): Record<string, unknown> {
    return { position, type, executionId: (payload as { executionId?: string })?.executionId, payload, occurredAt: new Date(occurredAt).toISOString() };
  }
}
