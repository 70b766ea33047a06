import { Logger } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { validateEnv } from '@cognition/config/env.schema';
import { brokerNames, deleteStream, NATS_TEST_URL, readStream } from '@cognition/test-support/brokers';
import { startTcpProxy, TcpProxy } from '@cognition/test-support/tcp-proxy';
import { createTestDatabase, TEST_DB, TestDatabase } from '@cognition/test-support/test-database';
import { BrokerRelay, BrokerRelayMetrics } from './broker-relay';
import { NatsJetStreamBroker } from './nats-jetstream.broker';

const TENANT = '0194f0a0-0000-7000-8000-00000000000a';

function metrics(): BrokerRelayMetrics & { registry: Registry } {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    published: new Counter({ name: 'p', help: 'p', labelNames: ['broker'], registers }),
    errors: new Counter({ name: 'e', help: 'e', labelNames: ['broker'], registers }),
    lagEvents: new Gauge({ name: 'le', help: 'le', labelNames: ['broker'], registers }),
    lagSeconds: new Gauge({ name: 'ls', help: 'ls', labelNames: ['broker'], registers }),
  };
}

/**
 * The broker relay against real PostgreSQL and real NATS JetStream: one instance at a time (the
 * advisory lock), the checkpoint `broker:nats` moved only past what JetStream confirmed, a failed
 * pass leaving it where it was, and the next instance resuming from it.
 */
describe('BrokerRelay (real PostgreSQL, real NATS JetStream)', () => {
  let db: TestDatabase;
  let admin: Client;
  let nc: NatsConnection;
  let proxy: TcpProxy;
  const names = brokerNames('relay');
  const relays: BrokerRelay[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('broker_relay');
    admin = new Client({ ...TEST_DB, database: db.name });
    await admin.connect();
    nc = await connect({ servers: NATS_TEST_URL });
    const target = new URL(NATS_TEST_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 4222));
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    for (const r of relays) {
      await r.stop();
      await r.broker.close();
    }
    await admin?.end();
    await nc?.close();
    await proxy?.close();
    await deleteStream(names.stream);
    await db?.drop();
    jest.restoreAllMocks();
  });

  const relay = (m = metrics()) => {
    const env = validateEnv({ ...db.env, NATS_URL: `nats://127.0.0.1:${proxy.port}` });
    const broker = new NatsJetStreamBroker({ url: env.NATS_URL!, stream: names.stream, subjectPrefix: names.subjectPrefix, duplicateWindowSeconds: 120, publishTimeoutMs: 1000, maxMessageBytes: 8 << 20 });
    const r = new BrokerRelay(broker, env, m);
    relays.push(r);
    return r;
  };
  const insert = async (aggregate: string, n: number) => {
    for (let i = 0; i < n; i++) {
      await admin.query(
        `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at) VALUES (gen_random_uuid(), $1, 'ThingHappened', 'Thing', $2, $3, now())`,
        [TENANT, aggregate, JSON.stringify({ n: i })],
      );
    }
  };
  const checkpoint = async () => (await admin.query(`SELECT last_position::text AS p FROM event_subscriptions WHERE name = 'broker:nats'`)).rows[0]?.p as string | undefined;
  const lastPosition = async () => (await admin.query(`SELECT max(position)::text AS p FROM domain_events`)).rows[0].p as string;

  it('publishes from its checkpoint, one instance at a time, and the next instance resumes where the first stopped', async () => {
    await insert('t1', 3);
    const m = metrics();
    const first = relay(m);
    const second = relay();
    expect(await first.pass()).toBe(false);
    expect(await checkpoint()).toBe(await lastPosition());
    expect((await readStream(nc, names.stream)).length).toBe(3);
    expect(await m.registry.getSingleMetricAsString('p')).toContain('p{broker="nats"} 3');

    // The second one stands by while the first holds the lock.
    await insert('t2', 2);
    expect(await second.pass()).toBe(false);
    expect(second.status()).toMatchObject({ state: 'standby', behind: null });
    expect((await readStream(nc, names.stream)).length).toBe(3);

    // The first goes away (its session and lock with it): the second takes over from the checkpoint.
    await first.stop();
    await second.pass();
    expect(second.status()).toMatchObject({ state: 'publishing', behind: 0, lastError: null });
    const stored = await readStream(nc, names.stream);
    expect(stored.map((s) => s.body.aggregateId)).toEqual(['t1', 't1', 't1', 't2', 't2']);
    expect(stored.map((s) => s.body.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 0 }, { n: 1 }]);
    expect(await checkpoint()).toBe(await lastPosition());
  });

  it('leaves the checkpoint where it was when the broker does not confirm, reports the lag, and catches up afterwards', async () => {
    const m = metrics();
    // The previous test's relays let go of the lock; this one takes it.
    for (const other of [...relays]) await other.stop();
    const r = relay(m);
    await r.pass();
    expect(r.status().state).toBe('publishing');
    const before = await checkpoint();
    await insert('t3', 4);
    proxy.refuse();
    proxy.cutAll();
    await expect(r.pass()).rejects.toThrow();
    expect(await checkpoint()).toBe(before);
    expect(r.status()).toMatchObject({ state: 'unreachable', behind: 4 });
    expect(r.status().lastError).toBeTruthy();
    expect(await m.registry.getSingleMetricAsString('le')).toContain('le{broker="nats"} 4');
    expect(await m.registry.getSingleMetricAsString('e')).toMatch(/e\{broker="nats"\} [1-9]/);

    proxy.allow();
    for (let attempt = 0; ; attempt++) {
      try {
        await r.pass();
        break;
      } catch (error) {
        if (attempt > 30) throw error;
        await new Promise((res) => setTimeout(res, 300));
      }
    }
    expect(await checkpoint()).toBe(await lastPosition());
    expect(r.status()).toMatchObject({ state: 'publishing', behind: 0 });
    const t3 = (await readStream(nc, names.stream)).filter((s) => s.body.aggregateId === 't3');
    expect(t3.map((s) => s.body.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  });
});
