import { Logger } from '@nestjs/common';
import * as amqplib from 'amqplib';
import { amqpCollector, brokerNames, deleteExchange, RABBITMQ_TEST_URL, sampleEnvelope } from '@cognition/test-support/brokers';
import { startTcpProxy } from '@cognition/test-support/tcp-proxy';
import { until } from '@cognition/test-support/wait';
import { toBrokerMessage } from './broker-message';
import { RabbitMqBroker, RabbitMqSettings } from './rabbitmq.broker';

/** Needs RabbitMQ at RABBITMQ_TEST_URL (default amqp://guest:guest@127.0.0.1:5672; scripts/start-brokers.sh starts it). */
const envelope = sampleEnvelope;

/** Declares the exchange again with `type`/`durable`: true when that matches it (a mismatch is a 406 that closes the channel). */
async function exchangeIs(exchange: string, type: string, durable: boolean): Promise<boolean> {
  const conn = await amqplib.connect(RABBITMQ_TEST_URL);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    await ch.assertExchange(exchange, type, { durable });
    return true;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

describe('RabbitMQ broker adapter (real RabbitMQ)', () => {
  const brokers: RabbitMqBroker[] = [];
  const exchanges: string[] = [];
  const broker = (overrides: Partial<RabbitMqSettings> & { exchange: string }) => {
    const b = new RabbitMqBroker({ url: RABBITMQ_TEST_URL, publishTimeoutMs: 3000, maxMessageBytes: 8 << 20, ...overrides });
    brokers.push(b);
    exchanges.push(overrides.exchange);
    return b;
  };

  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    for (const b of brokers) await b.close();
    for (const e of exchanges) await deleteExchange(e).catch(() => undefined);
  });

  it('declares a durable topic exchange and publishes persistent JSON messages with message_id = event id and routing key <tenant>.<aggregateType>.<type>, confirmed', async () => {
    const { exchange } = brokerNames('rabbit-adapter');
    const a = broker({ exchange });
    await a.connect();
    await a.connect();
    expect(await exchangeIs(exchange, 'topic', true)).toBe(true);
    expect(await exchangeIs(exchange, 'topic', false)).toBe(false);

    const consumer = await amqpCollector(exchange, '*.WorkflowExecution.#');
    try {
      const e1 = envelope('0194f0a0-0000-7000-8000-000000000101');
      const e2 = envelope('0194f0a0-0000-7000-8000-000000000102', 'WorkflowExecutionCompleted');
      await a.publish(toBrokerMessage(e1, a.maxMessageBytes()));
      await a.publish(toBrokerMessage(e2, a.maxMessageBytes()));
      await until(async () => consumer.received.length, (n) => n === 2, 'two messages');
      expect(consumer.received).toEqual([
        { routingKey: `${e1.tenantId}.WorkflowExecution.StepExecutionCompleted`, messageId: e1.id, contentType: 'application/json', deliveryMode: 2, body: e1 },
        { routingKey: `${e2.tenantId}.WorkflowExecution.WorkflowExecutionCompleted`, messageId: e2.id, contentType: 'application/json', deliveryMode: 2, body: e2 },
      ]);
    } finally {
      await consumer.close();
    }
  });

  it('keeps an existing exchange with other settings as it is, says so, and publishes to it', async () => {
    const { exchange } = brokerNames('rabbit-existing');
    exchanges.push(exchange);
    const conn = await amqplib.connect(RABBITMQ_TEST_URL);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, exchange, '');
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const a = broker({ exchange, publishTimeoutMs: 2000 });
      // The first declaration is refused (406); the next connect uses the exchange as it is.
      await expect(a.connect()).rejects.toThrow();
      await a.connect();
      await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000201'), a.maxMessageBytes()));
      const got = await until(() => ch.get(queue, { noAck: true }), (m) => m !== false, 'the message on the fanout queue');
      expect(got && got.properties.messageId).toBe('0194f0a0-0000-7000-8000-000000000201');
      expect(await exchangeIs(exchange, 'fanout', true)).toBe(true);
      expect(warned.mock.calls.map((c) => String(c[0])).join('\n')).toContain(`exchange ${exchange} exists with other settings`);
    } finally {
      await conn.close();
    }
  });

  it('fails publishes while RabbitMQ is cut off, and publishes again once it is back (amqp-connection-manager reconnects)', async () => {
    const { exchange } = brokerNames('rabbit-outage');
    const target = new URL(RABBITMQ_TEST_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5672));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const consumer = await amqpCollector(exchange);
    try {
      const url = `amqp://${target.username}:${target.password}@127.0.0.1:${proxy.port}`;
      const a = broker({ exchange, url, publishTimeoutMs: 1000 });
      await a.connect();
      await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000401'), a.maxMessageBytes()));
      expect(a.state().connected).toBe(true);
      proxy.refuse();
      proxy.cutAll();
      await expect(a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000402'), a.maxMessageBytes()))).rejects.toThrow(/timeout|closed/);
      await until(async () => a.state().connected, (c) => c === false, 'the adapter to see the disconnect');
      a.reset();
      await expect(a.connect()).rejects.toThrow(/not reachable/);
      proxy.allow();
      await until(
        () => a.connect().then(() => true, () => false),
        (ok) => ok,
        'a reconnect',
      );
      await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000402'), a.maxMessageBytes()));
      await until(async () => consumer.received.map((m) => m.messageId), (ids) => ids.includes('0194f0a0-0000-7000-8000-000000000402'), 'the message after the outage');
      expect(consumer.received.map((m) => m.messageId)).toEqual(['0194f0a0-0000-7000-8000-000000000401', '0194f0a0-0000-7000-8000-000000000402']);
    } finally {
      await consumer.close();
      await proxy.close();
    }
  });

  it('rejects a connect to a server that is not there within the publish timeout', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = broker({ exchange: brokerNames('rabbit-down').exchange, url: 'amqp://guest:guest@127.0.0.1:1', publishTimeoutMs: 500 });
    await expect(a.connect()).rejects.toThrow(/not reachable within 500 ms/);
    expect(a.state()).toEqual({ connected: false, target: expect.stringMatching(/^amqp:\/\/127\.0\.0\.1:1\/costest\./) });
  });
});
