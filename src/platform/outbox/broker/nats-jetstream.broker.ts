import { Logger } from '@nestjs/common';
import { connect, headers, JetStreamClient, nanos, NatsConnection, NatsError, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import { BrokerMessage } from './broker-message';
import { natsServerOptions, redact } from './broker-url';
import { BrokerConnectionState, EventBroker } from './event-broker.port';

export interface NatsJetStreamSettings {
  url: string;
  stream: string;
  subjectPrefix: string;
  duplicateWindowSeconds: number;
  publishTimeoutMs: number;
  maxMessageBytes: number;
}

/** JetStream's "stream not found" and "stream name already in use" API error codes. */
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
/** Room left under max_payload for the headers (Nats-Msg-Id, Content-Type) and the subject. */
const HEADER_ROOM = 1024;

/**
 * NATS JetStream adapter: subject `<prefix>.<tenantId>.<aggregateType>.<type>`, stream `<stream>`
 * (subjects `<prefix>.>`) created when missing, `Nats-Msg-Id` = event id (JetStream drops a second
 * message with the same id within the stream's duplicate window), each publish's ack awaited. A
 * stream that already exists is never changed: if its settings differ from ours it is logged and
 * used as it is. nats.js reconnects by itself; a publish that gets no ack within the timeout fails
 * and the relay publishes it again from its checkpoint.
 */
export class NatsJetStreamBroker extends EventBroker {
  readonly name = 'nats';
  private readonly logger = new Logger('EventBroker:nats');
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private streamChecked = false;
  private connected = false;

  constructor(private readonly settings: NatsJetStreamSettings) {
    super();
  }

  subject(message: BrokerMessage): string {
    return `${this.settings.subjectPrefix}.${message.routingKey}`;
  }

  async connect(): Promise<void> {
    if (!this.nc || this.nc.isClosed()) {
      this.nc = undefined;
      this.js = undefined;
      this.streamChecked = false;
      const nc = await connect({
        ...natsServerOptions(this.settings.url),
        name: `cognition-os:${process.pid}`,
        // Reconnect for ever (the relay's checkpoint is the backlog); a fresh connect that fails rejects.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        timeout: this.settings.publishTimeoutMs,
      }).catch((error: unknown) => Promise.reject(explained(error, `could not connect to NATS at ${redact(this.settings.url)}`)));
      this.nc = nc;
      this.connected = true;
      void this.watch(nc);
    }
    if (!this.streamChecked) {
      await this.ensureStream(this.nc);
      this.js = this.nc.jetstream({ timeout: this.settings.publishTimeoutMs });
      this.streamChecked = true;
    }
  }

  async publish(message: BrokerMessage): Promise<void> {
    if (!this.js) throw new Error('NATS JetStream is not connected');
    const h = headers();
    h.set('Content-Type', 'application/json');
    const subject = this.subject(message);
    try {
      await this.js.publish(subject, message.body, { msgID: message.id, headers: h, timeout: this.settings.publishTimeoutMs });
    } catch (error) {
      throw explained(error, `NATS JetStream did not store event ${message.id} on ${subject}`);
    }
  }

  maxMessageBytes(): number {
    const serverMax = this.nc?.info?.max_payload;
    return serverMax ? Math.min(this.settings.maxMessageBytes, serverMax - HEADER_ROOM) : this.settings.maxMessageBytes;
  }

  reset(): void {
    this.streamChecked = false;
  }

  state(): BrokerConnectionState {
    return { connected: !!this.nc && !this.nc.isClosed() && this.connected, target: `${redact(this.settings.url)}/${this.settings.stream}` };
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.js = undefined;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }

  /** Follows the connection's state (for health) and logs its changes once each. */
  private async watch(nc: NatsConnection): Promise<void> {
    try {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.logger.warn(`disconnected from ${redact(String(s.data))}; reconnecting`);
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.logger.log(`reconnected to ${redact(String(s.data))}`);
        }
      }
    } catch {
      /* the connection closed */
    }
  }

  /** Creates the stream when it is missing; an existing one is kept as it is (differences are logged). */
  private async ensureStream(nc: NatsConnection): Promise<void> {
    const { stream, subjectPrefix, duplicateWindowSeconds } = this.settings;
    const wanted = `${subjectPrefix}.>`;
    const jsm = await nc.jetstreamManager({ timeout: this.settings.publishTimeoutMs });
    let existing: StreamConfig | undefined;
    try {
      existing = (await jsm.streams.info(stream)).config;
    } catch (error) {
      if (apiErrorCode(error) !== STREAM_NOT_FOUND) throw error;
    }
    if (!existing) {
      try {
        await jsm.streams.add({
          name: stream,
          subjects: [wanted],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          duplicate_window: nanos(duplicateWindowSeconds * 1000),
        });
        this.logger.log(`created JetStream stream ${stream} (subjects ${wanted})`);
        return;
      } catch (error) {
        // Another instance created it meanwhile: use it.
        if (apiErrorCode(error) !== STREAM_NAME_IN_USE) throw error;
        existing = (await jsm.streams.info(stream)).config;
      }
    }
    const subjects = existing.subjects ?? [];
    if (!subjects.includes(wanted) && !subjects.includes('>')) {
      this.logger.warn(
        `JetStream stream ${stream} exists with subjects ${JSON.stringify(subjects)}, which may not capture ${wanted}; it is kept as it is (change it or EVENTS_BROKER_NATS_SUBJECT_PREFIX)`,
      );
    }
    if (existing.duplicate_window !== nanos(duplicateWindowSeconds * 1000)) {
      this.logger.log(
        `JetStream stream ${stream} exists with a duplicate window of ${Math.round(existing.duplicate_window / 1e9)} s (EVENTS_BROKER_NATS_DUPLICATE_WINDOW_SECONDS is ${duplicateWindowSeconds}); its settings are kept`,
      );
    }
  }
}

/** The error with what failed in front of nats.js's code (`TIMEOUT`, `503`, `CONNECTION_REFUSED`), keeping its code. */
function explained(error: unknown, what: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(`${what}: ${message}`), { code: (error as { code?: unknown })?.code, cause: error });
}

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}
