import { BrokerMessage } from './broker-message';

/** What a broker adapter reports for /health/ready's details and the logs. */
export interface BrokerConnectionState {
  connected: boolean;
  /** Where the events go: `nats://…/COGNITIONOS` or `amqp://…/cognitionos.events` (no credentials). */
  target: string;
}

/**
 * The port the broker relay publishes through (an abstract class, used as the adapters' type and
 * in tests). An adapter connects lazily, declares its stream or exchange idempotently, and resolves
 * `publish` only once the broker has confirmed that message (a JetStream ack, a publisher confirm);
 * everything else — ordering, batching, checkpoints, retries — is the relay's.
 */
export abstract class EventBroker {
  /** `nats` or `rabbitmq`: the relay's checkpoint is the `event_subscriptions` row `broker:<name>`. */
  abstract readonly name: string;

  /** Connects (and declares the stream or exchange) unless already connected; rejects when the broker can't be reached. */
  abstract connect(): Promise<void>;

  /** Publishes one message; resolves when the broker confirmed it, rejects on a refusal or after the publish timeout. */
  abstract publish(message: BrokerMessage): Promise<void>;

  /** The largest body the broker takes (the relay omits the payload of bigger envelopes). */
  abstract maxMessageBytes(): number;

  /** After a failed pass: the next `connect` checks the connection, stream or exchange and channel again. */
  abstract reset(): void;

  abstract state(): BrokerConnectionState;

  abstract close(): Promise<void>;
}

/** The DI token of the configured brokers (`EventBroker[]`, empty without NATS_URL and RABBITMQ_URL). */
export const EVENT_BROKERS = Symbol('EVENT_BROKERS');
