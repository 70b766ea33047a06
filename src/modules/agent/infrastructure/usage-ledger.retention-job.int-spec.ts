import { Client } from 'pg';
import { newId } from '@cognition/platform/ids/uuid';
import { retentionHarness, RetentionHarness } from '@cognition/test-support/retention';
import { TEST_DB } from '@cognition/test-support/test-database';
import { LEDGER_TOTALS } from './typeorm-agent-usage-ledger';
import { UsageLedgerRetentionJob } from './usage-ledger.retention-job';

const TENANT = newId();
const OLD = 2000;
const RECENT = 50;

describe('usage-ledger retention (real PostgreSQL)', () => {
  let h: RetentionHarness;
  let agent: string;
  beforeAll(async () => {
    // Batches of 100 with a pause between them: a rollup of 2,000 entries takes twenty statements.
    h = await retentionHarness('retention_usage', [UsageLedgerRetentionJob], { USAGE_LEDGER_ROLLUP_DAYS: '90', RETENTION_BATCH_SIZE: '100', RETENTION_BATCH_PAUSE_MS: '5' });
    const definition = newId();
    agent = newId();
    await h.pg.query(
      `INSERT INTO agent_definitions (id, tenant_id, name, version, role, model_config, default_budget, system_prompt_template, failure_strategy, row_version)
       VALUES ($1, $2, 'd', '1.0.0', 'reasoner', '{}', '{}', 'p', 'retry', 1)`,
      [definition, TENANT],
    );
    await h.pg.query(
      `INSERT INTO agents (id, tenant_id, definition_id, name, role, model_config, system_prompt_template, failure_strategy, max_tokens, max_cost_usd, max_time_seconds,
                           max_tool_executions, tokens_used, status, row_version)
       VALUES ($1, $2, $3, 'a', 'reasoner', '{}', 'p', 'retry', 1000000000, 1000, 100000, 100000, 123456, 'idle', 1)`,
      [agent, TENANT, definition],
    );
    // Entries over 30 old days and a few recent ones: model and tool calls, with and without a
    // provider, succeeded and failed, costs with six decimals.
    await h.pg.query(
      `INSERT INTO agent_usage_ledger (id, tenant_id, agent_id, kind, name, provider, tokens_in, tokens_out, cost_usd, duration_ms, status, created_at)
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, CASE WHEN g % 3 = 0 THEN 'tool_call' ELSE 'model_call' END, CASE WHEN g % 3 = 0 THEN 'calculator' ELSE 'gpt-x' END,
              CASE WHEN g % 3 = 0 THEN NULL ELSE 'openai' END, g % 97, g % 31, (g % 13) * 0.000123, g % 500, CASE WHEN g % 7 = 0 THEN 'failed' ELSE 'succeeded' END,
              now() - interval '100 days' - make_interval(hours => g % 720)
       FROM generate_series(1, $3) g
       UNION ALL
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'model_call', 'gpt-x', 'openai', 5, 5, 0.000001, 1, 'succeeded', now() - make_interval(days => g % 80)
       FROM generate_series(1, $4) g`,
      [TENANT, agent, OLD, RECENT],
    );
  });
  afterAll(() => h?.close());

  const totals = async (client: Client) => (await client.query(LEDGER_TOTALS, [TENANT, agent])).rows[0];

  it('rolls old entries into daily rows without changing the totals any reader sees, even in the middle of the run; a dry run counts the same', async () => {
    const before = await totals(h.pg);
    const [{ groups }] = (
      await h.pg.query(
        `SELECT count(DISTINCT (agent_id, (created_at AT TIME ZONE 'UTC')::date, kind, name, COALESCE(provider, ''), status))::int AS groups
         FROM agent_usage_ledger WHERE created_at < now() - interval '90 days'`,
      )
    ).rows;

    const dry = await h.runner.run({ dryRun: true, jobs: ['usage-ledger'] });
    expect(dry!.jobs[0]).toMatchObject({ status: 'done', rows: { agent_usage_ledger: OLD }, note: `into at most ${groups} daily rollup rows` });
    expect(await h.count('agent_usage_ledger')).toBe(OLD + RECENT);

    // A reader on its own connection reads the totals over and over while the rollup runs.
    const reader = new Client({ ...TEST_DB, database: h.db.name });
    await reader.connect();
    const seen: unknown[] = [];
    let rolling = true;
    const reading = (async () => {
      while (rolling) seen.push(await totals(reader));
    })();
    try {
      const real = await h.runner.run({ jobs: ['usage-ledger'] });
      expect(real!.jobs[0]).toMatchObject({ status: 'done', rows: { agent_usage_ledger: OLD } });
    } finally {
      rolling = false;
      await reading;
      await reader.end();
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toEqual(before);
    expect(await totals(h.pg)).toEqual(before);
    expect(await h.count('agent_usage_ledger')).toBe(RECENT);
    expect(await h.count('agent_usage_daily')).toBe(groups);
    expect(await h.count('agent_usage_daily', `provider = '' AND kind = 'tool_call'`)).toBeGreaterThan(0);
    // The budget columns are the agent's own: untouched.
    expect((await h.pg.query(`SELECT tokens_used::int FROM agents WHERE id = $1`, [agent])).rows[0].tokens_used).toBe(123456);
    expect((await h.runner.run({ jobs: ['usage-ledger'] }))!.jobs[0].rows).toEqual({ agent_usage_ledger: 0 });
  });
});
