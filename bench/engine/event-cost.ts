/**
 * What the events cost ours on single no-op jobs: ours batched drained as shipped and with some of
 * its events (or the relay, or their storage) taken away, alternated with graphile-worker batched,
 * every variant in a fresh database. An experiment for the decision on the engine target
 * (docs/benchmarks.md, "Late session (2026-12-05)" and "Session of 2026-12-05, 20:13–23:13 UTC"),
 * not a mode of the product: the variants are made after the migrations with rules, triggers and
 * rewritten SQL functions.
 *
 *   DB_HOST=127.0.0.1 [N=20000] [ROUNDS=3] npx ts-node -r tsconfig-paths/register bench/engine/event-cost.ts
 */
import { Client } from 'pg';
import { ENGINES } from './engines';
import { freshBenchDatabase, nowMs } from './measure';
import { markdownTable } from '../support/table';

interface Variant {
  name: string;
  engine: string;
  /** Run in the bench database after the engine's setup. */
  sql?: string | ((client: Client) => Promise<void>);
  env?: Record<string, string>;
}

const skip = (pattern: string) => `CREATE RULE bench_skip_events AS ON INSERT TO domain_events WHERE NEW.type LIKE '${pattern}' DO INSTEAD NOTHING`;

const VARIANTS: Variant[] = [
  { name: 'graphile-worker batched', engine: 'graphile-worker-batched' },
  { name: 'ours batched, as shipped (4 events a job)', engine: 'ours-batched' },
  // No wake-up and a 10-minute poll: the events are written, never read back.
  { name: 'ours batched, relay stopped', engine: 'ours-batched', sql: 'DROP TRIGGER trg_domain_events_notify ON domain_events', env: { OUTBOX_POLL_MS: '600000' } },
  { name: 'ours batched, no step events (2 a job)', engine: 'ours-batched', sql: skip('StepExecution%') },
  { name: 'ours batched, no events', engine: 'ours-batched', sql: skip('%Execution%') },
  // Each event's row is built (id, payload) and handed to a row trigger that drops it: what building costs without storing.
  {
    name: 'ours batched, events built, not stored',
    engine: 'ours-batched',
    sql: `CREATE FUNCTION bench_drop_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
          CREATE TRIGGER bench_drop_events BEFORE INSERT ON domain_events FOR EACH ROW EXECUTE FUNCTION bench_drop_row()`,
  },
  { name: "ours batched, a statement's events as one row", engine: 'ours-batched', sql: eventsAsOneRowPerStatement },
];

/**
 * The ceiling of storing a statement's events as one row (decision 2): every `INSERT INTO
 * domain_events … SELECT …` of the engine's SQL functions becomes one row of a table of batches
 * (`jsonb_agg` of the same rows: ids, payloads and all are still built) with the relay's one index;
 * the few inserts sent from node (the bulk start's events) are skipped by a rule. Optimistic by the
 * relay's reads of the batches, which nothing here reads.
 */
async function eventsAsOneRowPerStatement(client: Client): Promise<void> {
  await client.query(`CREATE TABLE bench_event_batches (position bigserial PRIMARY KEY, tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), events jsonb NOT NULL)`);
  await client.query(`CREATE INDEX ON bench_event_batches (tx_id, position)`);
  const { rows } = await client.query<{ def: string }>(`SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.prosrc LIKE '%INSERT INTO domain_events%'`);
  if (rows.length === 0) throw new Error('no SQL function inserts into domain_events: the experiment has nothing to change');
  for (const { def } of rows) await client.query(oneRowPerStatement(def));
  await client.query(`CREATE RULE bench_skip_events AS ON INSERT TO domain_events DO INSTEAD NOTHING`);
}

/** The function's text with each `INSERT INTO domain_events (…) SELECT …` (up to its CTE's closing parenthesis or `;`) inserting one row. */
function oneRowPerStatement(def: string): string {
  const head = /INSERT INTO domain_events \([^)]*\)\s*SELECT/g;
  let out = '';
  let at = 0;
  for (let m = head.exec(def); m; m = head.exec(def)) {
    const from = m.index + m[0].length - 'SELECT'.length;
    let depth = 0;
    let end = from;
    for (; end < def.length; end++) {
      const ch = def[end];
      if (ch === '(') depth++;
      else if (ch === ')' && depth-- === 0) break;
      else if (ch === ';' && depth === 0) break;
    }
    out += `${def.slice(at, m.index)}INSERT INTO bench_event_batches (events) SELECT jsonb_agg(to_jsonb(e)) FROM (${def.slice(from, end)}) e HAVING count(*) > 0\n`;
    at = end;
  }
  return out + def.slice(at);
}

async function jobsPerSecond(variant: Variant, jobs: number, rounds: number): Promise<number[]> {
  const saved = { ...process.env };
  Object.assign(process.env, variant.env);
  const db = await freshBenchDatabase('cognition_os_bench_event_cost');
  const engine = ENGINES.find((e) => e.id === variant.engine)!.create();
  try {
    await engine.setup({ db, concurrency: 10 });
    if (variant.sql) {
      const client = new Client(db.config);
      await client.connect();
      const sql = variant.sql;
      await (typeof sql === 'string' ? client.query(sql) : sql(client)).finally(() => client.end());
    }
    await engine.throughput(Math.min(jobs, 3000), { start: () => undefined, stop: () => undefined });
    const rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let t0 = 0;
      let ms = 0;
      await engine.throughput(jobs, { start: () => (t0 = nowMs()), stop: () => (ms = nowMs() - t0) });
      rates.push((jobs / ms) * 1000);
    }
    return rates;
  } finally {
    await engine.teardown();
    for (const key of Object.keys(variant.env ?? {})) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const jobs = Number(process.env.N || 20_000);
  const rounds = Number(process.env.ROUNDS || 3);
  const results: { name: string; rates: number[] }[] = [];
  for (const variant of VARIANTS) {
    process.stderr.write(`${variant.name} … `);
    const rates = await jobsPerSecond(variant, jobs, rounds);
    process.stderr.write(`${rates.map((r) => r.toFixed(0)).join(' / ')} jobs/s\n`);
    results.push({ name: variant.name, rates });
  }
  const peer = median(results[0].rates);
  console.log(`\n${jobs.toLocaleString('en-US')} single no-op jobs, concurrency 10, ${rounds} rounds each (median)\n`);
  console.log(
    markdownTable(
      ['variant', 'jobs/s', 'rounds', '÷ graphile-worker batched'],
      results.map((r) => [r.name, median(r.rates).toFixed(0), r.rates.map((x) => x.toFixed(0)).join(' / '), `${(median(r.rates) / peer).toFixed(2)}×`]),
      ['l', 'r', 'r', 'r'],
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
