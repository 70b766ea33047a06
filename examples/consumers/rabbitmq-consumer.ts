/**
 * Consumes CognitionOS events from RabbitMQ (docs/events-brokers.md).
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 BINDING='<tenantId>.#' npx ts-node examples/consumers/rabbitmq-consumer.ts
 *
 * A durable queue bound to the topic exchange: events wait in it while the consumer is down (only
 * those published after the binding was made: RabbitMQ drops what no queue is bound for). Delivery is
 * at least once and RabbitMQ does not de-duplicate, so the handler skips message ids (= event ids)
 * it has processed. Each event is printed as one JSON line.
 */
import * as amqp from 'amqplib';

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

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = process.env.EXCHANGE ?? 'cognitionos.events';
const queue = process.env.QUEUE ?? 'example-consumer.events';
// Routing keys are <tenantId>.<aggregateType>.<type>: e.g. '*.WorkflowExecution.*' or '<tenantId>.#'.
const binding = process.env.BINDING ?? '#';

async function main(): Promise<void> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  await channel.bindQueue(queue, exchange, binding);
  await channel.prefetch(50);
  // Ids already handled. A real service keeps them in its own database, written in the same
  // transaction as the work the event caused, so a crash between the two cannot process an event twice.
  const processed = new Set<string>();

  // One queue, one consumer, handled in delivery order: each aggregate's events arrive in the order they happened.
  await channel.consume(queue, (m) => {
    if (!m) return;
    const event = JSON.parse(m.content.toString('utf8')) as EventEnvelope;
    const id = m.properties.messageId as string;
    if (!processed.has(id)) {
      handle(m.fields.routingKey, event);
      processed.add(id);
    }
    channel.ack(m);
  });
  console.error(`consuming ${queue} (${exchange}, ${binding})`);

  const stop = async () => {
    await channel.close();
    await connection.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function handle(routingKey: string, event: EventEnvelope): void {
  console.log(JSON.stringify({ routingKey, event }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
