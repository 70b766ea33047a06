import { randomBytes } from 'node:crypto';
import * as amqplib from 'amqplib';
import { connect, NatsConnection, StoredMsg } from 'nats';
import type { EventEnvelope } from '@cognition/platform/outbox/event-envelope';
import type { StoredEventRow } from '@cognition/platform/outbox/event-type.registry';

/**
 * The real brokers the broker tests use (scripts/start-brokers.sh starts them when they are down):
 * NATS with JetStream and RabbitMQ on this machine, overridable with NATS_TEST_URL / RABBITMQ_TEST_URL.
 * Every test names its own stream, subject prefix and exchange, so runs in parallel never collide.
 */
export const NATS_TEST_URL = process.env.NATS_TEST_URL ?? 'nats://127.0.0.1:4222';
export const RABBITMQ_TEST_URL = process.env.RABBITMQ_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Unique names for one test: a JetStream stream, a subject prefix (one token) and a RabbitMQ exchange. */
export function brokerNames(label: string) {
  const id = `${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}${process.pid}${randomBytes(3).toString('hex')}`;
  return { stream: `COSTEST_${id}`, subjectPrefix: `costest_${id}`, exchange: `costest.${id}` };
}

/**
 * The envelope SPEC §1 describes, written out field by field from a `domain_events` row — on purpose
 * not with the app's mapper, so a test comparing a broker's body with it checks that mapper.
 */
export function expectedEnvelope(r: Pick<StoredEventRow, 'id' | 'position' | 'tenant_id' | 'type' | 'aggregate_type' | 'aggregate_id' | 'payload' | 'occurred_at' | 'correlation_id'>) {
  return {
    id: r.id,
    position: String(r.position),
    tenantId: r.tenant_id,
    type: r.type,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    payload: r.payload,
    occurredAt: r.occurred_at.toISOString(),
    correlationId: r.correlation_id,
  };
}

/** An envelope for adapter tests: an execution's event of `type`. */
export function sampleEnvelope(id: string, type = 'StepExecutionCompleted'): EventEnvelope {
  return {
    id,
    position: '7',
    tenantId: '0194f0a0-0000-7000-8000-00000000000a',
    type,
    aggregateType: 'WorkflowExecution',
    aggregateId: '0194f0a0-0000-7000-8000-0000000000e1',
    payload: { output: { ok: true } },
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'req-1',
  };
}

export interface StoredNatsMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  contentType: string | undefined;
  body: any;
}

/** Reads a stream's messages in stream order (by sequence), as the broker stored them. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredNatsMessage[]> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(stream);
  const out: StoredNatsMessage[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    let m: StoredMsg;
    try {
      m = await jsm.streams.getMessage(stream, { seq });
    } catch {
      continue; // a deleted sequence
    }
    out.push({ seq: m.seq, subject: m.subject, msgId: m.header?.get('Nats-Msg-Id'), contentType: m.header?.get('Content-Type'), body: m.json() });
  }
  return out;
}

export async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: NATS_TEST_URL });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export interface ReceivedAmqpMessage {
  routingKey: string;
  messageId: string | undefined;
  contentType: string | undefined;
  deliveryMode: number | undefined;
  body: any;
}

/**
 * A RabbitMQ consumer for tests: an exclusive queue bound to `exchange` with `binding`, collecting
 * what arrives. The exchange is declared (durable topic, as the app declares it) so the binding can
 * be made before the app starts publishing.
 */
export async function amqpCollector(exchange: string, binding = '#') {
  const conn = await amqplib.connect(RABBITMQ_TEST_URL);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchange, binding);
  const received: ReceivedAmqpMessage[] = [];
  await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      received.push({
        routingKey: m.fields.routingKey,
        messageId: m.properties.messageId,
        contentType: m.properties.contentType,
        deliveryMode: m.properties.deliveryMode,
        body: JSON.parse(m.content.toString('utf8')),
      });
    },
    { noAck: true },
  );
  return {
    received,
    close: async () => {
      await ch.deleteExchange(exchange).catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}

/** Deletes an exchange (tests that declared one another way). */
export async function deleteExchange(exchange: string): Promise<void> {
  const conn = await amqplib.connect(RABBITMQ_TEST_URL);
  try {
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

