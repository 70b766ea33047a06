import { Logger } from '@nestjs/common';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { BrokerMessage } from './broker-message';
import { BrokerConnectionState, EventBroker } from './event-broker.port';
import { redact } from './broker-url';

export interface RabbitMqSettings {
  url: string;
  exchange: string;
  publishTimeoutMs: number;
  maxMessageBytes: number;
}

/** AMQP reply code of a redeclaration with other settings (the server closes the channel). */
const PRECONDITION_FAILED = 406;

/**
 * RabbitMQ adapter: durable topic exchange `<exchange>`, routing key
 * `<tenantId>.<aggregateType>.<type>`, persistent messages with `message_id` = event id and
 * content type application/json, on a confirm channel (each publish resolves on the broker's ack).
 * amqp-connection-manager reconnects and re-runs the channel's setup (the exchange declaration);
 * a message still unconfirmed when the connection drops is sent again after the reconnect, or fails
 * at the publish timeout and is published again by the relay from its checkpoint. An exchange that
 * exists with other settings is logged and used as it is. RabbitMQ drops a message that no queue
 * is bound for: consumers bind a durable queue (docs/events-brokers.md).
 */
export class RabbitMqBroker extends EventBroker {
  readonly name = 'rabbitmq';
  private readonly logger = new Logger('EventBroker:rabbitmq');
  private manager?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  /** The exchange exists with other settings: check it exists instead of declaring it. */
  private exchangeKept = false;
  private connected = false;
  /** Ends a `connect` that is waiting for the channel, when the broker is closed. */
  private abortWait?: (error: Error) => void;

  constructor(private readonly settings: RabbitMqSettings) {
    super();
  }

  async connect(): Promise<void> {
    if (!this.manager) {
      const manager = amqp.connect([this.settings.url], {
        heartbeatIntervalInSeconds: 5,
        reconnectTimeInSeconds: 1,
        connectionOptions: { timeout: this.settings.publishTimeoutMs },
      });
      manager.on('connect', () => {
        if (!this.connected) this.logger.log(`connected to ${redact(this.settings.url)}`);
        this.connected = true;
      });
      manager.on('disconnect', ({ err }) => {
        if (this.connected) this.logger.warn(`disconnected from ${redact(this.settings.url)}: ${err?.message ?? 'closed'}; reconnecting`);
        this.connected = false;
      });
      manager.on('connectFailed', () => (this.connected = false));
      this.manager = manager;
    }
    if (!this.channel) {
      const channel = this.manager.createChannel({
        name: 'cognition-os-events',
        confirm: true,
        publishTimeout: this.settings.publishTimeoutMs,
        setup: (ch: ConfirmChannel) => this.declare(ch),
      });
      // A failed setup (an exchange with other settings) is reported here; without a listener it would throw.
      channel.on('error', (error: Error & { code?: number }) => {
        if (error.code === PRECONDITION_FAILED && !this.exchangeKept) {
          this.exchangeKept = true;
          this.logger.warn(`exchange ${this.settings.exchange} exists with other settings (${error.message}); it is kept as it is and used`);
        } else {
          this.logger.warn(`channel setup failed: ${error.message}`);
        }
        this.reset();
      });
      this.channel = channel;
    }
    const channel = this.channel;
    let timer: NodeJS.Timeout | undefined;
    let onError: ((error: Error) => void) | undefined;
    try {
      await Promise.race([
        channel.waitForConnect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`RabbitMQ at ${redact(this.settings.url)} not reachable within ${this.settings.publishTimeoutMs} ms`)), this.settings.publishTimeoutMs);
          onError = reject;
          channel.once('error', onError);
          this.abortWait = reject;
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.abortWait = undefined;
      if (onError) channel.off('error', onError);
    }
  }

  async publish(message: BrokerMessage): Promise<void> {
    if (!this.channel) throw new Error('RabbitMQ is not connected');
    await this.channel.publish(this.settings.exchange, message.routingKey, message.body, {
      persistent: true,
      messageId: message.id,
      contentType: 'application/json',
      timeout: this.settings.publishTimeoutMs,
    });
  }

  maxMessageBytes(): number {
    return this.settings.maxMessageBytes;
  }

  /** A new channel on the next connect: one the server closed (a 404 or 406) is never reopened by the wrapper. */
  reset(): void {
    const channel = this.channel;
    this.channel = undefined;
    void channel?.close().catch(() => undefined);
  }

  state(): BrokerConnectionState {
    return { connected: this.connected, target: `${redact(this.settings.url)}/${this.settings.exchange}` };
  }

  async close(): Promise<void> {
    const manager = this.manager;
    this.manager = undefined;
    this.channel = undefined;
    this.connected = false;
    this.abortWait?.(new Error('RabbitMQ broker closed'));
    await manager?.close().catch(() => undefined);
  }

  private async declare(ch: ConfirmChannel): Promise<void> {
    if (this.exchangeKept) await ch.checkExchange(this.settings.exchange);
    else await ch.assertExchange(this.settings.exchange, 'topic', { durable: true });
  }
}
