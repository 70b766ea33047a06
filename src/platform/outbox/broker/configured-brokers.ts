import { Env } from '@cognition/config/env.schema';
import { EventBroker } from './event-broker.port';

/**
 * The brokers the environment asks for: NATS_URL → NATS JetStream, RABBITMQ_URL → RabbitMQ, both →
 * both (each relay has its own checkpoint, so one broker's outage does not hold back the other),
 * neither → none (the outbox and the in-process relay work as before). The client libraries are
 * loaded only for a configured broker: a process without one does not pay for requiring them.
 */
export async function configuredBrokers(env: Env): Promise<EventBroker[]> {
  const common = { publishTimeoutMs: env.EVENTS_BROKER_PUBLISH_TIMEOUT_MS, maxMessageBytes: env.EVENTS_BROKER_MAX_MESSAGE_BYTES };
  const brokers: EventBroker[] = [];
  if (env.NATS_URL) {
    const { NatsJetStreamBroker } = await import('./nats-jetstream.broker');
    brokers.push(
      new NatsJetStreamBroker({
        url: env.NATS_URL,
        stream: env.EVENTS_BROKER_NATS_STREAM,
        subjectPrefix: env.EVENTS_BROKER_NATS_SUBJECT_PREFIX,
        duplicateWindowSeconds: env.EVENTS_BROKER_NATS_DUPLICATE_WINDOW_SECONDS,
        ...common,
      }),
    );
  }
  if (env.RABBITMQ_URL) {
    const { RabbitMqBroker } = await import('./rabbitmq.broker');
    brokers.push(new RabbitMqBroker({ url: env.RABBITMQ_URL, exchange: env.EVENTS_BROKER_RABBITMQ_EXCHANGE, ...common }));
  }
  return brokers;
}
