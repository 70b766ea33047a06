import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as amqplib from 'amqplib';
import { Client } from 'pg';
import { brokerNames, deleteExchange, deleteStream, expectedEnvelope, NATS_TEST_URL, RABBITMQ_TEST_URL } from '../support/brokers';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { ROOT } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_DB } from '../support/test-database';
import { until } from '../support/wait';

jest.setTimeout(180_000);

const NATS_EXAMPLE = 'examples/consumers/nats-consumer.ts';
const RABBITMQ_EXAMPLE = 'examples/consumers/rabbitmq-consumer.ts';

interface Consumer {
  child: ChildProcess;
  lines: any[];
  stderr: string;
  exit: Promise<number | null>;
}

/** Runs an example as the doc says (ts-node), collecting the JSON lines it prints. */
function runExample(file: string, env: Record<string, string>): Consumer {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const consumer: Consumer = { child, lines: [], stderr: '', exit: new Promise((r) => child.once('exit', (code) => r(code))) };
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts.filter(Boolean)) consumer.lines.push(JSON.parse(line));
  });
  child.stderr!.on('data', (d: Buffer) => (consumer.stderr += d.toString()));
  return consumer;
}

/** The ```ts blocks of a markdown file. */
const tsBlocks = (markdown: string) => [...markdown.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]);

/**
 * The consumer examples of docs/events-brokers.md, run as they are against the real brokers while
 * the app publishes: each sees every event of the tenant, once, with the envelope as the body, in
 * order per aggregate; and the doc shows the example files unchanged.
 */
describe('the broker consumer examples of docs/events-brokers.md (e2e, real brokers)', () => {
  const names = brokerNames('consumers');
  const queue = `${names.exchange}.example-queue`;
  let app: TestApp;
  let admin: Client;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    app = await startTestApp('consumers', {
      NATS_URL: NATS_TEST_URL,
      RABBITMQ_URL: RABBITMQ_TEST_URL,
      EVENTS_BROKER_NATS_STREAM: names.stream,
      EVENTS_BROKER_NATS_SUBJECT_PREFIX: names.subjectPrefix,
      EVENTS_BROKER_RABBITMQ_EXCHANGE: names.exchange,
      OUTBOX_POLL_MS: '200',
      LOG_LEVEL: 'silent',
    });
    admin = new Client({ ...TEST_DB, database: app.db.name });
    await admin.connect();
  });

  afterAll(async () => {
    for (const c of consumers) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await admin?.end();
    await app?.close();
    await deleteStream(names.stream);
    const conn = await amqplib.connect(RABBITMQ_TEST_URL);
    await (await conn.createChannel()).deleteQueue(queue).catch(() => undefined);
    await conn.close();
    await deleteExchange(names.exchange).catch(() => undefined);
  });

  it('shows the example files unchanged', () => {
    const blocks = tsBlocks(readFileSync(join(ROOT, 'docs', 'events-brokers.md'), 'utf8'));
    for (const file of [NATS_EXAMPLE, RABBITMQ_EXAMPLE]) expect(blocks).toContain(readFileSync(join(ROOT, file), 'utf8').trimEnd());
  });

  it('each example receives every event of its tenant once, with the envelope, in order per aggregate, and stops on SIGTERM', async () => {
    const rabbit = runExample(RABBITMQ_EXAMPLE, { RABBITMQ_URL: RABBITMQ_TEST_URL, EXCHANGE: names.exchange, QUEUE: queue, BINDING: `${app.tenantId}.#` });
    consumers.push(rabbit);
    // The queue is bound once the example says it consumes: from then on nothing is dropped.
    await until(async () => rabbit.stderr, (s) => s.includes('consuming') || rabbit.child.exitCode !== null, 'the RabbitMQ example to start', 60_000);
    expect(rabbit.stderr).toContain(`consuming ${queue}`);

    const api = apiClient(app.url, app.key);
    await activeWorkflow(api, {
      id: 'pair',
      steps: [
        { id: 'a', type: 'transform', params: { output: { n: 1 } } },
        { id: 'b', type: 'transform', params: { output: { n: 2 } }, dependsOn: ['a'] },
      ],
    });
    // Another tenant's events are not in either example's filter.
    const other = await app.newTenant('other');
    const otherApi = apiClient(app.url, other.key);
    await activeWorkflow(otherApi, { id: 'solo', steps: [{ id: 'a', type: 'transform', params: { output: 1 } }] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await start(api, 'pair', { i })).body.id);
    const otherId = (await start(otherApi, 'solo')).body.id;
    for (const id of ids) expect((await waitForExecution(api, id)).status).toBe('completed');
    expect((await waitForExecution(otherApi, otherId)).status).toBe('completed');

    const nats = runExample(NATS_EXAMPLE, { NATS_URL: NATS_TEST_URL, STREAM: names.stream, FILTER: `${names.subjectPrefix}.${app.tenantId}.>`, DURABLE: 'example' });
    consumers.push(nats);

    const { rows } = await admin.query(
      `SELECT id, position, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, correlation_id
       FROM domain_events WHERE tenant_id = $1 AND aggregate_id = ANY($2::text[]) ORDER BY tx_id, position`,
      [app.tenantId, ids],
    );
    expect(rows.length).toBe(3 * 6);
    const expected = rows.map(expectedEnvelope);
    const ofExecutions = (c: Consumer) => c.lines.map((l) => l.event).filter((e) => ids.includes(e.aggregateId));
    for (const c of [nats, rabbit]) {
      await until(async () => ofExecutions(c).length, (n) => n >= expected.length, 'every event of the executions', 60_000);
      const seen = ofExecutions(c);
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      for (const id of ids) {
        expect(seen.filter((e) => e.aggregateId === id)).toEqual(expected.filter((e) => e.aggregateId === id));
      }
      expect(c.lines.every((l) => l.event.tenantId === app.tenantId)).toBe(true);
      expect(c.lines.some((l) => l.event.aggregateId === otherId)).toBe(false);
    }
    expect(nats.lines[0].subject).toBe(`${names.subjectPrefix}.${app.tenantId}.${nats.lines[0].event.aggregateType}.${nats.lines[0].event.type}`);
    expect(rabbit.lines[0].routingKey).toBe(`${app.tenantId}.${rabbit.lines[0].event.aggregateType}.${rabbit.lines[0].event.type}`);

    for (const c of [nats, rabbit]) c.child.kill('SIGTERM');
    expect(await nats.exit).toBe(0);
    expect(await rabbit.exit).toBe(0);
  });
});
