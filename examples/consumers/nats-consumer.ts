/**
 * Consumes CognitionOS events from NATS JetStream (docs/events-brokers.md).
 *
 *   NATS_URL=nats://127.0.0.1:4222 FILTER='cognitionos.<tenantId>.>' npx ts-node examples/consumers/nats-consumer.ts
 *
 * A durable pull consumer on the stream: the server remembers what was acknowledged, so a restart
 * resumes where it stopped. Delivery is at least once: the same event id can arrive again (a
 * redelivery, or a re-publish after the JetStream de-duplication window), so the handler skips ids
 * it has processed. Each event is printed as one JSON line.
 */
import { AckPolicy, connect, DeliverPolicy } from 'nats';

/** The message body: the event envelope. */
interface EventEnvelope {
  id: string;
  position: string;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: string;
  correlationId: string | null;
  /** Present (true) when the event was too large for the broker: read it from GET /api/v3/events. */
  payloadOmitted?: boolean;
}

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const stream = process.env.STREAM ?? 'COGNITIONOS';
// Subjects are cognitionos.<tenantId>.<aggregateType>.<type>: narrow with wildcards, e.g. 'cognitionos.*.WorkflowExecution.>'.
const filter = process.env.FILTER ?? 'cognitionos.>';
const durable = process.env.DURABLE ?? 'example-consumer';

async function main(): Promise<void> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1 });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: filter });
  const consumer = await nc.jetstream().consumers.get(stream, durable);
  // Ids already handled. A real service keeps them in its own database, written in the same
  // transaction as the work the event caused, so a crash between the two cannot process an event twice.
  const processed = new Set<string>();

  const messages = await consumer.consume();
  const stop = () => void messages.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.error(`consuming ${stream} (${filter}) as ${durable}`);

  // One at a time, in stream order: each aggregate's events arrive in the order they happened.
  for await (const m of messages) {
    const event = m.json<EventEnvelope>();
    if (!processed.has(event.id)) {
      handle(m.subject, event);
      processed.add(event.id);
    }
    m.ack();
  }
  await nc.close();
}

function handle(subject: string, event: EventEnvelope): void {
  console.log(JSON.stringify({ subject, event }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
