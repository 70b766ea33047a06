import { CommandBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { activeWorkflow, start, waitForExecution } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { runTs } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import { until } from '../support/wait';

const OLD_EXECUTIONS = 3000;
const STEPS_EACH = 10;
const OLD_EVENTS = 30_000;

/**
 * Retention in the running app: the engine keeps completing executions while a large prune runs;
 * usage totals and budgets are the same after the ledger is rolled up; a stream of an execution
 * whose events were pruned ends. Retention runs here by calling the app's RetentionRunner (the
 * background loop is off: RETENTION_INTERVAL_MS=0), as the loop and `retention:run` do.
 */
describe('retention in the running app', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let ds: DataSource;
  let runner: import('@cognition/platform/retention/retention-runner').RetentionRunner;

  beforeAll(async () => {
    t = await startTestApp('retention', { RETENTION_INTERVAL_MS: '0', RETENTION_BATCH_SIZE: '500', RETENTION_BATCH_PAUSE_MS: '20', AGENT_WORKER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    ds = t.app.get(DataSource);
    const { RetentionRunner } = await import('@cognition/platform/retention/retention-runner');
    runner = t.app.get(RetentionRunner);
    await activeWorkflow(api, {
      id: 'retention-chain',
      steps: [
        { id: 'a', type: 'transform', params: { output: '${{ inputs.n }}' } },
        { id: 'b', type: 'transform', dependsOn: ['a'], params: { output: '${{ steps.a.output }}' } },
      ],
    });
  });
  afterAll(() => t?.close());

  /** A real run; while another run holds the lock (an earlier test's, if it timed out) it waits for it. */
  async function retention(options: { jobs?: string[] } = {}) {
    const report = await until(() => runner.run(options), (r) => r !== null, 'the retention lock', 120_000);
    return report!;
  }

  /** Until every checkpoint in event_subscriptions (and there is at least one) has passed the outbox's last event. */
  async function subscribersCaughtUp(): Promise<void> {
    await until(
      async () =>
        (
          await ds.query(
            `SELECT (SELECT count(*) FROM event_subscriptions)::int AS subscribers,
                    (SELECT count(*) FROM event_subscriptions s
                     WHERE (s.last_tx_id, s.last_position) < (SELECT tx_id, position FROM domain_events ORDER BY tx_id DESC, position DESC LIMIT 1))::int AS behind`,
          )
        )[0],
      (row: { subscribers: number; behind: number }) => row.subscribers > 0 && row.behind === 0,
      'every subscriber past the last event',
      180_000,
    );
  }

  it('the engine keeps completing executions while a large prune runs, and the prune removes every old row', async () => {
    await ds.query(
      `INSERT INTO workflow_executions (id, tenant_id, workflow_id, workflow_version, status, triggered_by, remaining_steps, started_at, completed_at, created_at)
       SELECT cognitionos_uuid_v7(), $1, 'old', '1.0.0', 'completed', 'api', 0, now() - interval '61 days', now() - interval '60 days', now() - interval '61 days'
       FROM generate_series(1, $2)`,
      [t.tenantId, OLD_EXECUTIONS],
    );
    await ds.query(
      `INSERT INTO step_executions (id, execution_id, tenant_id, step_id, type, status, output, completed_at)
       SELECT cognitionos_uuid_v7(), e.id, e.tenant_id, 's' || g, 'transform', 'completed', '{"some": "output"}', e.completed_at
       FROM workflow_executions e CROSS JOIN generate_series(1, $1) g WHERE e.workflow_id = 'old'`,
      [STEPS_EACH],
    );
    await ds.query(
      `INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
       SELECT gen_random_uuid(), $1, 'OldThing', 'Thing', 'old-' || g, '{"n": 1}', now() - interval '60 days' FROM generate_series(1, $2) g`,
      [t.tenantId, OLD_EVENTS],
    );
    await subscribersCaughtUp();

    let pruning = true;
    const prune = runner.run().finally(() => (pruning = false));
    const started: string[] = [];
    let completedWhilePruning = 0;
    while (pruning) {
      const ids = await Promise.all([1, 2, 3].map(async (n) => (await start(api, 'retention-chain', { n })).body.id as string));
      started.push(...ids);
      for (const id of ids) expect((await waitForExecution(api, id)).status).toBe('completed');
      if (pruning) completedWhilePruning += ids.length;
    }
    const report = await prune;

    // The engine was not held up: executions started and finished while the prune ran.
    expect(completedWhilePruning).toBeGreaterThan(0);
    const rows = Object.fromEntries(report!.jobs.map((j) => [j.job, j.rows]));
    expect(report!.jobs.every((j) => j.status === 'done')).toBe(true);
    expect(rows.events).toEqual({ domain_events: OLD_EVENTS });
    expect(rows.executions).toMatchObject({ workflow_executions: OLD_EXECUTIONS, step_executions: OLD_EXECUTIONS * STEPS_EACH });
    expect((await ds.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = 'old'`))[0].n).toBe(0);
    expect((await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'OldThing'`))[0].n).toBe(0);
    // Everything the workload made is still there.
    expect((await ds.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE id = ANY($1) AND status = 'completed'`, [started]))[0].n).toBe(started.length);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(`cognitionos_retention_pruned_rows_total{job="events",table="domain_events"} ${OLD_EVENTS}`);
    expect(metrics).toContain(`cognitionos_retention_pruned_rows_total{job="executions",table="step_executions"} ${OLD_EXECUTIONS * STEPS_EACH}`);
    expect(metrics).toMatch(/cognitionos_retention_last_run_timestamp_seconds\{job="usage-ledger"\} \d+/);
  }, 300_000);

  it('usage totals and budgets are the same after the ledger is rolled up, and a budget still refuses what passes it', async () => {
    const definition = await api('POST', '/api/v3/agent-definitions', { body: { name: 'retained', role: 'reasoner' } });
    const agent = await api('POST', '/api/v3/agents', { body: { definitionId: definition.body.id, budget: { maxTokens: 1000, maxToolExecutions: 5 } } });
    expect(agent.status).toBe(201);
    const id = agent.body.id as string;
    const { RecordAgentUsageCommand } = await import('@cognition/agent/contracts');
    const bus = t.app.get(CommandBus);
    const record = (usage: ConstructorParameters<typeof RecordAgentUsageCommand>[2]) => bus.execute(new RecordAgentUsageCommand(t.tenantId, id, usage));
    await record({ kind: 'model_call', name: 'echo', provider: 'echo', tokensIn: 300, tokensOut: 100, costUsd: 0.001234, durationMs: 150 });
    await record({ kind: 'model_call', name: 'echo', provider: 'echo', tokensIn: 200, tokensOut: 50, costUsd: 0.000766, durationMs: 250 });
    await record({ kind: 'tool_call', name: 'calculator', tokensIn: 0, tokensOut: 0, costUsd: 0, durationMs: 30, status: 'failed', error: { code: 'E', message: 'no' } });
    await record({ kind: 'model_call', name: 'echo', provider: 'echo', tokensIn: 10, tokensOut: 5, costUsd: 0.0001, durationMs: 20 });
    // The first three are old (two on one day, one on the day before); the last one is recent.
    const entries = (await ds.query(`SELECT id FROM agent_usage_ledger WHERE agent_id = $1 ORDER BY created_at, id`, [id])).map((r: { id: string }) => r.id);
    await ds.query(`UPDATE agent_usage_ledger SET created_at = date_trunc('day', now()) - interval '100 days' + interval '1 hour' WHERE id = ANY($1)`, [entries.slice(0, 2)]);
    await ds.query(`UPDATE agent_usage_ledger SET created_at = date_trunc('day', now()) - interval '101 days' WHERE id = $1`, [entries[2]]);
    const before = (await api('GET', `/api/v3/agents/${id}/usage`)).body;
    expect(before.ledgerTotals).toEqual({ tokensIn: 510, tokensOut: 155, costUsd: 0.0021, durationMs: 450, modelCalls: 3, toolCalls: 1 });
    expect(before.budgetUsage).toMatchObject({ tokensUsed: 665, toolExecutions: 1 });

    const dry = await runner.run({ dryRun: true, jobs: ['usage-ledger'] });
    expect(dry!.jobs[0]).toMatchObject({ rows: { agent_usage_ledger: 3 }, note: 'into at most 2 daily rollup rows' });
    const report = await retention({ jobs: ['usage-ledger'] });
    expect(report.jobs[0]).toMatchObject({ status: 'done', rows: { agent_usage_ledger: 3 } });
    expect(await ds.query(`SELECT kind, name, provider, status, calls::int, tokens_in::int, tokens_out::int, cost_usd::float8 AS cost FROM agent_usage_daily WHERE agent_id = $1 ORDER BY day, kind`, [id])).toEqual([
      { kind: 'tool_call', name: 'calculator', provider: '', status: 'failed', calls: 1, tokens_in: 0, tokens_out: 0, cost: 0 },
      { kind: 'model_call', name: 'echo', provider: 'echo', status: 'succeeded', calls: 2, tokens_in: 500, tokens_out: 150, cost: 0.002 },
    ]);

    const after = (await api('GET', `/api/v3/agents/${id}/usage`)).body;
    expect(after.ledgerTotals).toEqual(before.ledgerTotals);
    expect(after.budgetUsage).toEqual(before.budgetUsage);
    expect(after.budgetLimits).toEqual(before.budgetLimits);
    expect(after.entries.map((e: { id: string }) => e.id)).toEqual([entries[3]]);
    expect((await api('GET', `/api/v3/agents/${id}`)).body.budgetUsage).toEqual(before.budgetUsage);

    // The budget did not reset: 665 used of 1000, so 336 more tokens are refused, 335 accepted.
    await expect(record({ kind: 'model_call', name: 'echo', tokensIn: 336, tokensOut: 0, costUsd: 0, durationMs: 1 })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await record({ kind: 'model_call', name: 'echo', provider: 'echo', tokensIn: 300, tokensOut: 35, costUsd: 0.0009, durationMs: 10 });

    // A later rollup into an existing day adds to it.
    await ds.query(`UPDATE agent_usage_ledger SET created_at = date_trunc('day', now()) - interval '100 days' + interval '2 hours' WHERE agent_id = $1`, [id]);
    expect((await retention({ jobs: ['usage-ledger'] })).jobs[0].rows).toEqual({ agent_usage_ledger: 2 });
    const last = (await api('GET', `/api/v3/agents/${id}/usage`)).body;
    expect(last.ledgerTotals).toEqual({ tokensIn: 810, tokensOut: 190, costUsd: 0.003, durationMs: 460, modelCalls: 4, toolCalls: 1 });
    expect(last.budgetUsage.tokensUsed).toBe(1000);
    expect(last.entries).toEqual([]);
    expect((await ds.query(`SELECT calls::int FROM agent_usage_daily WHERE agent_id = $1 AND kind = 'model_call'`, [id])).map((r: { calls: number }) => r.calls)).toEqual([4]);
  });

  it('an event stream of an ended execution whose events were pruned ends instead of waiting forever', async () => {
    const id = (await start(api, 'retention-chain', { n: 7 })).body.id as string;
    expect((await waitForExecution(api, id)).status).toBe('completed');
    await subscribersCaughtUp();
    // Time passes: the execution's events, and every event before them, are now 30 days old.
    await ds.query(
      `UPDATE domain_events SET occurred_at = now() - interval '30 days'
       WHERE (tx_id, position) <= (SELECT tx_id, position FROM domain_events WHERE aggregate_id = $1 ORDER BY tx_id DESC, position DESC LIMIT 1)`,
      [id],
    );
    const pruned = await retention({ jobs: ['events'] });
    expect(pruned.jobs[0].rows.domain_events).toBeGreaterThanOrEqual(4);
    expect((await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = $1`, [id]))[0].n).toBe(0);

    const res = await fetch(`${t.url}/api/v3/executions/${id}/events`, { headers: { authorization: `Bearer ${t.key}` }, signal: AbortSignal.timeout(20_000) });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.split('\n').filter((l) => l.startsWith('id:'))).toEqual([]);
    expect((await api('GET', `/api/v3/executions/${id}`)).body.status).toBe('completed');
  });
});

/** `retention:run` as an operator runs it: a process, against the database the environment names. */
describe('retention:run in the CLI', () => {
  let db: TestDatabase;
  let pg: Client;
  beforeAll(async () => {
    db = await createTestDatabase('retention_cli');
    pg = new Client({ ...TEST_DB, database: db.name });
    await pg.connect();
    await pg.query(`INSERT INTO task_idempotency_keys (tenant_id, key, request_hash, created_at) VALUES (gen_random_uuid(), 'old', 'h', now() - interval '2 days'), (gen_random_uuid(), 'new', 'h', now())`);
    await pg.query(`INSERT INTO domain_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'Old', 'Thing', 'x', '{}', now() - interval '30 days')`);
    await pg.query(`INSERT INTO event_subscriptions (name, last_tx_id, last_position) SELECT 'trace-spans', tx_id, position FROM domain_events`);
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const cli = (args: string[]) => runTs('src/cli.ts', ['retention:run', ...args], { ...db.env, LOG_LEVEL: 'silent', DATABASE_URL: '' });
  const count = async (table: string) => (await pg.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('--dry-run prints what each job would prune and deletes nothing; --job runs one job; errors are one line and exit 1', async () => {
    const dry = cli(['--dry-run']);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.jobs.map((j: { job: string }) => j.job)).toEqual(['events', 'executions', 'trace-spans', 'idempotency-keys', 'usage-ledger', 'dead-letters']);
    expect(report.jobs.find((j: { job: string }) => j.job === 'idempotency-keys').rows).toEqual({ memory_idempotency_keys: 0, task_idempotency_keys: 1 });
    expect(report.jobs.find((j: { job: string }) => j.job === 'events').rows).toEqual({ domain_events: 1 });
    expect(dry.stderr).toContain('idempotency-keys (IDEMPOTENCY_KEY_RETENTION_HOURS=24): would prune 1 row (memory_idempotency_keys 0, task_idempotency_keys 1)');
    expect(dry.stderr).toContain('dead-letters (DEAD_LETTER_RETENTION_DAYS=30): would prune 0 rows (dead_letters 0)');
    expect([await count('task_idempotency_keys'), await count('domain_events')]).toEqual([2, 1]);

    const one = cli(['--job', 'idempotency-keys']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).jobs).toEqual([expect.objectContaining({ job: 'idempotency-keys', status: 'done', rows: { memory_idempotency_keys: 0, task_idempotency_keys: 1 } })]);
    expect(one.stderr).toContain('idempotency-keys (IDEMPOTENCY_KEY_RETENTION_HOURS=24): pruned 1 row');
    expect([await count('task_idempotency_keys'), await count('domain_events')]).toEqual([1, 1]);

    const unknown = cli(['--job', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual(['unknown retention job "nope"; the jobs are: events, executions, trace-spans, idempotency-keys, usage-ledger, dead-letters']);

    // Another process is pruning: a real run refuses, a dry run still answers.
    const holder = new Client({ ...TEST_DB, database: db.name });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('cognitionos.retention'))`);
      const busy = cli([]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('retention is running in another process (advisory lock cognitionos.retention)');
      expect(cli(['--dry-run', '--job', 'events']).code).toBe(0);
    } finally {
      await holder.end();
    }
    expect(await count('domain_events')).toBe(1);
  });
});
