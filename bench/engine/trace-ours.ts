/**
 * Which statements one 40-step chain and a few starts of ours send, with their client-side times
 * (node-postgres `Client.prototype.query`, every engine statement goes through it):
 *
 *   npx ts-node bench/engine/trace-ours.ts
 *
 * Prints, per statement text (first 80 characters), how many were sent per chain link and their
 * median round trip in ms; then the same for one start → handler (the latency path).
 */
import { Client } from 'pg';
import { pgAdminConfig } from '../support/postgres';
import { freshBenchDatabase, nowMs } from './measure';
import { oursEntries } from './ours';

const seen: { text: string; ms: number }[] = [];
let tracing = false;

function install(): void {
  const proto = Client.prototype as unknown as { query: (...args: any[]) => any };
  const original = proto.query;
  proto.query = function traced(this: unknown, ...args: any[]) {
    const first = args[0];
    const text = String(typeof first === 'string' ? first : (first?.text ?? first?.name ?? '?')).replace(/\s+/g, ' ').slice(0, 80);
    const t0 = nowMs();
    const result = original.apply(this, args);
    if (tracing && result && typeof result.then === 'function') result.then(() => seen.push({ text, ms: nowMs() - t0 }), () => undefined);
    return result;
  };
}

function summary(what: string, per: number): void {
  const by = new Map<string, number[]>();
  for (const s of seen) by.set(s.text, [...(by.get(s.text) ?? []), s.ms]);
  console.log(`\n${what}`);
  for (const [text, ms] of [...by.entries()].sort((a, b) => b[1].length - a[1].length)) {
    ms.sort((a, b) => a - b);
    console.log(`${(ms.length / per).toFixed(2).padStart(6)} × ${ms[Math.floor(ms.length / 2)].toFixed(2).padStart(6)} ms  ${text}`);
  }
  seen.length = 0;
}

async function main(): Promise<void> {
  install();
  const name = 'cognition_os_bench_trace_perfengine';
  const db = await freshBenchDatabase(name);
  const engine = oursEntries[0].create();
  await engine.setup({ db, concurrency: 10 });
  try {
    const noop = { start: () => undefined, stop: () => undefined };
    for (let i = 0; i < 3; i++) await engine.chain(40, noop);
    const runs = 5;
    tracing = true;
    const t0 = nowMs();
    for (let i = 0; i < runs; i++) await engine.chain(40, noop);
    tracing = false;
    console.log(`40-step chain: ${((nowMs() - t0) / runs).toFixed(1)} ms mean`);
    summary('per chain link (the harness polling the execution status excluded: uncounted client still traced)', runs * 40);
    tracing = true;
    const lat = await engine.latency(50, 10);
    tracing = false;
    lat.samplesMs.sort((a, b) => a - b);
    console.log(`latency p50 ${lat.samplesMs[25].toFixed(2)} ms`);
    summary('per start (60 starts)', 60);
  } finally {
    await engine.teardown();
    const admin = new Client(pgAdminConfig('postgres'));
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
