import { Logger } from '@nestjs/common';
import { connect, nanos, NatsConnection } from 'nats';
import { brokerNames, deleteStream, NATS_TEST_URL, readStream, sampleEnvelope } from '@cognition/test-support/brokers';
import { startTcpProxy, TcpProxy } from '@cognition/test-support/tcp-proxy';
import { toBrokerMessage } from './broker-message';
import { NatsJetStreamBroker, NatsJetStreamSettings } from './nats-jetstream.broker';

/** Needs NATS with JetStream at NATS_TEST_URL (default nats://127.0.0.1:4222; scripts/start-brokers.sh starts it). */
const envelope = sampleEnvelope;

describe('NATS JetStream broker adapter (real NATS)', () => {
  let nc: NatsConnection;
  const streams: string[] = [];
  const brokers: NatsJetStreamBroker[] = [];
  const broker = (overrides: Partial<NatsJetStreamSettings> & { stream: string; subjectPrefix: string }) => {
    const b = new NatsJetStreamBroker({ url: NATS_TEST_URL, duplicateWindowSeconds: 120, publishTimeoutMs: 3000, maxMessageBytes: 8 << 20, ...overrides });
    brokers.push(b);
    streams.push(overrides.stream);
    return b;
  };

  beforeAll(async () => {
    nc = await connect({ servers: NATS_TEST_URL });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    for (const b of brokers) await b.close();
    for (const s of streams) await deleteStream(s);
    await nc.close();
  });

  it('creates the stream once, publishes to <prefix>.<tenant>.<aggregateType>.<type> with Nats-Msg-Id = event id, and JetStream drops a repeat of an id', async () => {
    const names = brokerNames('nats-adapter');
    const a = broker(names);
    await a.connect();
    await a.connect();
    // A second instance finds the stream and uses it.
    const b = broker(names);
    await b.connect();
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(names.stream);
    expect(info.config.subjects).toEqual([`${names.subjectPrefix}.>`]);
    expect(info.config.duplicate_window).toBe(nanos(120_000));

    const e1 = envelope('0194f0a0-0000-7000-8000-000000000101');
    const e2 = envelope('0194f0a0-0000-7000-8000-000000000102', 'WorkflowExecutionCompleted');
    await a.publish(toBrokerMessage(e1, a.maxMessageBytes()));
    await b.publish(toBrokerMessage(e1, b.maxMessageBytes()));
    await a.publish(toBrokerMessage(e2, a.maxMessageBytes()));
    await a.publish(toBrokerMessage(e1, a.maxMessageBytes()));

    const stored = await readStream(nc, names.stream);
    expect(stored.map((m) => m.msgId)).toEqual([e1.id, e2.id]);
    expect(stored[0]).toMatchObject({ subject: `${names.subjectPrefix}.${e1.tenantId}.WorkflowExecution.StepExecutionCompleted`, contentType: 'application/json', body: e1 });
    expect(stored[1]).toMatchObject({ subject: `${names.subjectPrefix}.${e2.tenantId}.WorkflowExecution.WorkflowExecutionCompleted`, body: e2 });
  });

  it('keeps an existing stream with other settings as it is, and says so', async () => {
    const names = brokerNames('nats-existing');
    streams.push(names.stream);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: names.stream, subjects: [`${names.subjectPrefix}.>`], max_msgs: 50, duplicate_window: nanos(10_000) });
    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const a = broker(names);
    await a.connect();
    await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000201'), a.maxMessageBytes()));
    const info = await jsm.streams.info(names.stream);
    expect(info.config.max_msgs).toBe(50);
    expect(info.config.duplicate_window).toBe(nanos(10_000));
    expect(info.state.messages).toBe(1);
    expect(logged.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(new RegExp(`stream ${names.stream} exists with a duplicate window of 10 s.*kept`));
  });

  it('warns when an existing stream does not capture the prefix, and changes nothing', async () => {
    const names = brokerNames('nats-other-subjects');
    streams.push(names.stream);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: names.stream, subjects: [`${names.subjectPrefix}_elsewhere.>`] });
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = broker(names);
    await a.connect();
    expect((await jsm.streams.info(names.stream)).config.subjects).toEqual([`${names.subjectPrefix}_elsewhere.>`]);
    expect(warned.mock.calls.map((c) => String(c[0])).join('\n')).toContain(`may not capture ${names.subjectPrefix}.>`);
    // Publishing then fails (no stream takes the subject): the relay would retry, never lose the event.
    await expect(a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000301'), a.maxMessageBytes()))).rejects.toThrow();
  });

  it('fails a publish while the server is cut off, and publishes again once it is back (reconnecting by itself)', async () => {
    const names = brokerNames('nats-outage');
    const target = new URL(NATS_TEST_URL);
    let proxy: TcpProxy | undefined = await startTcpProxy(target.hostname, Number(target.port || 4222));
    try {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const a = broker({ ...names, url: `nats://127.0.0.1:${proxy.port}`, publishTimeoutMs: 1000 });
      await a.connect();
      await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000401'), a.maxMessageBytes()));
      proxy.refuse();
      proxy.cutAll();
      await expect(a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000402'), a.maxMessageBytes()))).rejects.toThrow();
      expect(a.state().connected).toBe(false);
      proxy.allow();
      // The same message again (as the relay would send it from its checkpoint), until the connection is back.
      for (let attempt = 0; ; attempt++) {
        try {
          await a.publish(toBrokerMessage(envelope('0194f0a0-0000-7000-8000-000000000402'), a.maxMessageBytes()));
          break;
        } catch (error) {
          if (attempt > 30) throw error;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      const stored = await readStream(nc, names.stream);
      expect(stored.map((m) => m.msgId)).toEqual(['0194f0a0-0000-7000-8000-000000000401', '0194f0a0-0000-7000-8000-000000000402']);
    } finally {
      await proxy.close();
      proxy = undefined;
    }
  });

  it('rejects a connect to a server that is not there, without hanging', async () => {
    const a = broker({ ...brokerNames('nats-down'), url: 'nats://127.0.0.1:1' });
    await expect(a.connect()).rejects.toThrow();
    expect(a.state()).toEqual({ connected: false, target: expect.stringContaining('nats://127.0.0.1:1/COSTEST_') });
  });

  it('caps the message size below the server max_payload', async () => {
    const a = broker({ ...brokerNames('nats-size'), maxMessageBytes: 64 << 20 });
    await a.connect();
    expect(a.maxMessageBytes()).toBeLessThan(1024 * 1024);
    const huge = toBrokerMessage({ ...envelope('0194f0a0-0000-7000-8000-000000000501'), payload: { output: 'x'.repeat(2 << 20) } }, a.maxMessageBytes());
    expect(huge.payloadOmitted).toBe(true);
    await a.publish(huge);
  });
});
