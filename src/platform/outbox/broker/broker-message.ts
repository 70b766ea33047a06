import { EventEnvelope } from '../event-envelope';

/** One event as a broker carries it: the envelope as JSON, keyed by the event id. */
export interface BrokerMessage {
  /** The event id: `Nats-Msg-Id` on NATS, `message_id` on RabbitMQ; consumers de-duplicate by it. */
  id: string;
  /** `<tenantId>.<aggregateType>.<type>`, each part a valid subject token / routing-key word. */
  routingKey: string;
  /** Per-aggregate order is kept within this key. */
  aggregateKey: string;
  /** UTF-8 JSON of the envelope. */
  body: Buffer;
  /** The payload was left out because the envelope was over the size limit (the body says so too). */
  payloadOmitted: boolean;
}

/**
 * A subject token / routing-key word: NATS forbids `.`, `*`, `>` and whitespace in a token, and AMQP
 * topic routing splits on `.`, so anything other than letters, digits, `_` and `-` becomes `_`
 * (the names the modules use — UUIDs, `WorkflowExecution`, `StepExecutionCompleted` — pass unchanged).
 */
export function routingToken(value: string): string {
  const token = value.replace(/[^A-Za-z0-9_-]/g, '_');
  return token === '' ? '_' : token;
}

export function routingKeyOf(envelope: Pick<EventEnvelope, 'tenantId' | 'aggregateType' | 'type'>): string {
  return [envelope.tenantId, envelope.aggregateType, envelope.type].map(routingToken).join('.');
}

/**
 * The message of an envelope. A body over `maxBytes` (a step output near its 1 MiB limit is, on a
 * NATS server's default max_payload of 1 MB) would be refused by the broker on every retry and
 * stop the relay at that event for good; it is sent instead with `payload: null` and
 * `payloadOmitted: true`, so it still arrives, in order, and the consumer reads the full event
 * from the event store (`GET /api/v3/events`).
 */
export function toBrokerMessage(envelope: EventEnvelope, maxBytes: number): BrokerMessage {
  let body = Buffer.from(JSON.stringify(envelope), 'utf8');
  let payloadOmitted = false;
  if (body.length > maxBytes) {
    body = Buffer.from(JSON.stringify({ ...envelope, payload: null, payloadOmitted: true }), 'utf8');
    payloadOmitted = true;
  }
  return {
    id: envelope.id,
    routingKey: routingKeyOf(envelope),
    aggregateKey: `${envelope.tenantId}/${envelope.aggregateType}/${envelope.aggregateId}`,
    body,
    payloadOmitted,
  };
}
