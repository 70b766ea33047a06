/**
 * pg-boss as an engine under test, with batch sizes 10 and 100.
 *
 * pg-boss 10 (the newest line that runs on Node 20; 11+ need Node 22) has no LISTEN/NOTIFY and its
 * worker loop waits `pollingIntervalSeconds` (minimum 0.5 s) after every fetch, even a full one.
 * pg-boss 12 added both (`useListenNotify`, and `burstWhenBatchFull`: fetch again at once while
 * fetches come back full). We reproduce both with pg-boss 10's public `notifyWorker(id)`, which
 * ends a worker's wait (it is what pg-boss 12's listener calls, too):
 *
 *   - LISTEN/NOTIFY: a statement-level AFTER INSERT trigger on `pgboss.job` sends
 *     `pg_notify('pgboss_bench', <queue>)` once per queue per insert statement; one LISTEN
 *     connection in this process wakes that queue's workers (BENCH_PGBOSS_NOTIFY=0 turns it off);
 *   - burst: a handler that got a full batch wakes its own worker, so it fetches again at once
 *     (BENCH_PGBOSS_BURST=0 turns it off).
 *
 * `concurrency` = that many `work()` loops on the queue (pg-boss 10's unit of concurrency), each
 * fetching up to `batchSize` jobs; pool `max` = max(10, concurrency + 2); polling 0.5 s (the minimum).
 * Enqueue: `insert([...])` in bulk; a chain batch starts its next steps with one `insert`;
 * latency and the long chain use `send()`. Completion: pg-boss completes a batch after the handler
 * returns without waiting for it, so "done" = no job of the queue in a state before `completed`.
 */
import PgBoss from 'pg-boss';
import { Client } from 'pg';
import type { BenchDatabase, DrainResult, EngineEntry, EngineSetup, EngineUnderTest, LatencyResult, Timing } from './engine-under-test';
import { CompletionProbe, Countdown, chunks, nowMs, poolSizeFor, within } from './measure';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('pg-boss/package.json').version;

const POLLING_SECONDS = 0.5;
const CHANNEL = 'pgboss_bench';
const QUEUES = ['throughput', 'chains', 'latency', 'chain'] as const;
type QueueName = (typeof QUEUES)[number];
const JOBS_LEFT = `select count(*) from pgboss.job where name = $1 and state < 'completed'`;
const ENQUEUE_CHUNK = 5_000;
const DRAIN_TIMEOUT_MS = 600_000;

const flag = (name: string, fallback: boolean) => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
};

/** One NOTIFY per queue per insert statement (a transition table: no per-row notify). */
const NOTIFY_TRIGGER = `
  CREATE OR REPLACE FUNCTION pgboss.bench_notify_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE q text;
  BEGIN
    FOR q IN SELECT DISTINCT name FROM new_jobs LOOP
      PERFORM pg_notify('${CHANNEL}', q);
    END LOOP;
    RETURN NULL;
  END $$;
  DROP TRIGGER IF EXISTS bench_notify_insert ON pgboss.job;
  CREATE TRIGGER bench_notify_insert AFTER INSERT ON pgboss.job
    REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION pgboss.bench_notify_insert();
`;

type Handler = (jobs: PgBoss.Job<Record<string, number>>[]) => Promise<void>;

class PgBossEngine implements EngineUnderTest {
  readonly name: string;
  readonly version = VERSION;
  readonly settings: string;
  private readonly notify = flag('BENCH_PGBOSS_NOTIFY', true);
  private readonly burst = flag('BENCH_PGBOSS_BURST', true);
  private db!: BenchDatabase;
  private concurrency = 1;
  private boss?: PgBoss;
  private listener?: Client;
  private probe?: CompletionProbe;
  private workers = new Map<QueueName, string[]>();
  private latencyWaiters = new Map<number, (t: number) => void>();
  private chainCountdown?: Countdown;

  constructor(private readonly batchSize: number) {
    const extras = [this.notify ? 'LISTEN/NOTIFY (insert trigger → notifyWorker)' : 'no LISTEN/NOTIFY', this.burst ? 'burst when batch full' : 'no burst'];
    this.name = `pg-boss ${VERSION} (batch ${batchSize})`;
    this.settings = `concurrency = work() loops, batchSize ${batchSize}, pollingIntervalSeconds ${POLLING_SECONDS}, pool max = max(10, concurrency + 2), ${extras.join(', ')}`;
  }

  async setup({ db, concurrency }: EngineSetup): Promise<void> {
    this.db = db;
    this.concurrency = concurrency;
    const boss = new PgBoss({ connectionString: db.connectionString, max: poolSizeFor(concurrency), pollingIntervalSeconds: POLLING_SECONDS });
    boss.on('error', (error) => process.stderr.write(`[pg-boss error] ${error.message}\n`));
    await boss.start();
    this.boss = boss;
    for (const queue of QUEUES) await boss.createQueue(queue);
    if (this.notify) {
      await boss.getDb().executeSql(NOTIFY_TRIGGER, []);
      this.listener = new Client(db.config);
      this.listener.on('error', (error) => process.stderr.write(`[pg-boss bench listener] ${error.message}\n`));
      await this.listener.connect();
      this.listener.on('notification', (msg) => {
        for (const id of this.workers.get(msg.payload as QueueName) ?? []) boss.notifyWorker(id);
      });
      await this.listener.query(`LISTEN ${CHANNEL}`);
    }
    this.probe = await new CompletionProbe(db).connect();
  }

  /** `concurrency` work() loops on the queue; each handler wakes its own loop after a full batch. */
  private async startWorkers(queue: QueueName, handler: Handler): Promise<void> {
    const boss = this.boss!;
    const ids: string[] = [];
    for (let i = 0; i < this.concurrency; i++) {
      let id = '';
      id = await boss.work<Record<string, number>>(queue, { batchSize: this.batchSize, pollingIntervalSeconds: POLLING_SECONDS }, async (jobs) => {
        await handler(jobs);
        if (this.burst && jobs.length >= this.batchSize && id) boss.notifyWorker(id);
      });
      ids.push(id);
    }
    this.workers.set(queue, ids);
  }

  private async stopWorkers(queue: QueueName): Promise<void> {
    if (!this.workers.has(queue)) return;
    this.workers.delete(queue);
    await this.boss!.offWork(queue);
  }

  private async enqueue(queue: QueueName, data: Array<Record<string, number>>): Promise<void> {
    for (const part of chunks(data, ENQUEUE_CHUNK)) await this.boss!.insert(part.map((d) => ({ name: queue, data: d })));
  }

  private async drain(queue: QueueName, countdown: Countdown, timing: Timing, handler: Handler): Promise<DrainResult> {
    timing.start();
    const t0 = nowMs();
    await this.startWorkers(queue, handler);
    const startupMs = nowMs() - t0;
    await within(countdown.done, DRAIN_TIMEOUT_MS, `pg-boss drain of ${queue}`, () => `${countdown.count}/${countdown.target} steps`);
    await this.probe!.untilZero(JOBS_LEFT, [queue]);
    timing.stop();
    await this.stopWorkers(queue);
    return { steps: countdown.count, details: { startupMs } };
  }

  async throughput(jobs: number, timing: Timing): Promise<DrainResult> {
    await this.enqueue('throughput', Array.from({ length: jobs }, (_, i) => ({ i })));
    const countdown = new Countdown(jobs);
    return this.drain('throughput', countdown, timing, async (batch) => {
      countdown.tick(batch.length);
    });
  }

  async chains(chains: number, length: number, timing: Timing): Promise<DrainResult> {
    await this.enqueue('chains', Array.from({ length: chains }, (_, c) => ({ c, s: 0 })));
    const countdown = new Countdown(chains * length);
    return this.drain('chains', countdown, timing, async (batch) => {
      const next = batch.filter((j) => j.data.s + 1 < length).map((j) => ({ name: 'chains', data: { c: j.data.c, s: j.data.s + 1 } }));
      if (next.length > 0) await this.boss!.insert(next);
      countdown.tick(batch.length);
    });
  }

  async latency(samples: number, warmup: number): Promise<LatencyResult> {
    await this.startWorkers('latency', async (batch) => {
      const t = nowMs();
      for (const job of batch) this.latencyWaiters.get(job.data.i)?.(t);
    });
    const samplesMs: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const started = new Promise<number>((resolve) => this.latencyWaiters.set(i, resolve));
      const t0 = nowMs();
      await this.boss!.send('latency', { i });
      const t1 = await within(started, 30_000, `latency job ${i} start`);
      this.latencyWaiters.delete(i);
      if (i >= warmup) samplesMs.push(t1 - t0);
    }
    await this.probe!.untilZero(JOBS_LEFT, ['latency']);
    await this.stopWorkers('latency');
    return { samplesMs };
  }

  async chain(length: number, timing: Timing): Promise<DrainResult> {
    if (!this.workers.has('chain')) {
      await this.startWorkers('chain', async (batch) => {
        for (const job of batch) {
          const { s, n } = job.data;
          if (s + 1 < n) await this.boss!.send('chain', { s: s + 1, n });
        }
        this.chainCountdown?.tick(batch.length);
      });
    }
    const countdown = (this.chainCountdown = new Countdown(length));
    timing.start();
    await this.boss!.send('chain', { s: 0, n: length });
    await within(countdown.done, 120_000, 'pg-boss chain', () => `${countdown.count}/${length}`);
    await this.probe!.untilZero(JOBS_LEFT, ['chain']);
    timing.stop();
    this.chainCountdown = undefined;
    return { steps: countdown.count };
  }

  async teardown(): Promise<void> {
    this.workers.clear();
    await this.listener?.end().catch(() => undefined);
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
    await this.probe?.end();
  }
}

export const pgBossEntries: EngineEntry[] = [10, 100].map((batchSize) => ({
  id: `pg-boss-batch-${batchSize}`,
  database: 'pg_boss',
  family: 'pg-boss',
  create: () => new PgBossEngine(batchSize),
}));
