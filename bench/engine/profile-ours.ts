/**
 * CPU profile of our engine on the latency-bound paths (a 40-step chain, sequential starts):
 *
 *   node --cpu-prof --cpu-prof-dir=bench/results/profiles -r ts-node/register bench/engine/profile-ours.ts
 *   npx ts-node bench/support/cpu-profile.ts bench/results/profiles/<file>.cpuprofile 25
 *   PROFILE_DRAIN=5000 …   # first a drain of 5,000 single no-op jobs (the throughput path)
 *
 * Also prints PostgreSQL's time per statement of ours (pg_stat_statements is not needed: the
 * statements are timed from the client, which is where a transition waits).
 */
import { freshBenchDatabase, nowMs } from './measure';
import { oursEntries } from './ours';

async function main(): Promise<void> {
  const db = await freshBenchDatabase('cognition_os_bench_profile');
  const engine = oursEntries[0].create();
  await engine.setup({ db, concurrency: 10 });
  try {
    // PROFILE_DRAIN=n: first a drain of n single no-op jobs (the throughput path), timed.
    const drain = Number(process.env.PROFILE_DRAIN ?? 0);
    if (drain > 0) {
      let t0 = 0;
      let ms = 0;
      await engine.throughput(drain, { start: () => (t0 = nowMs()), stop: () => (ms = nowMs() - t0) });
      console.log(`drain of ${drain} single jobs: ${ms.toFixed(0)} ms, ${((drain / ms) * 1000).toFixed(0)} jobs/s`);
    }
    const runs: number[] = [];
    for (let i = 0; i < 21; i++) {
      let t0 = 0;
      await engine.chain(40, { start: () => (t0 = nowMs()), stop: () => runs.push(nowMs() - t0) });
    }
    const latency = await engine.latency(300, 20);
    runs.shift();
    runs.sort((a, b) => a - b);
    const lat = [...latency.samplesMs].sort((a, b) => a - b);
    console.log(`40-step chain: median ${runs[Math.floor(runs.length / 2)].toFixed(1)} ms; latency p50 ${lat[Math.floor(lat.length / 2)].toFixed(2)} ms`);
  } finally {
    await engine.teardown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
