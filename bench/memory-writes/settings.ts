/** Settings of the memory-writes benchmark, from the environment (see run.ts for the list). */

import { envFlag as flag, envInt as num } from '../support/env';

export function readSettings() {
  const quick = flag('BENCH_QUICK', false);
  const s = {
    quick,
    /** Memories stored at the small point (one API batch: registers the model and creates its index). */
    small: num('BENCH_MEMORY_WRITES_SMALL', 1_000, 100),
    /** Memories stored at the large point (filled with SQL, the index rebuilt over all of them). */
    large: num('BENCH_MEMORY_WRITES_LARGE', quick ? 50_000 : 100_000, 1_000),
    /** Rounds of (peer, ours) at each point; the table gives the median of the rounds' p50s. */
    rounds: num('BENCH_MEMORY_WRITES_ROUNDS', 3),
    /** Sequential single inserts per side per round. */
    samples: num('BENCH_MEMORY_WRITES_SAMPLES', quick ? 60 : 100, 10),
    /** Unmeasured inserts per side before the rounds at each point. */
    warmup: num('BENCH_MEMORY_WRITES_WARMUP', quick ? 20 : 30, 0),
    /** Inserts replayed statement by statement (and EXPLAINed) for the breakdown at each point. */
    breakdownSamples: num('BENCH_MEMORY_WRITES_BREAKDOWN', quick ? 30 : 60, 5),
    seed: num('BENCH_MEMORY_SEED', 20_261_126),
    clusters: 300,
    subClusters: 20,
    hnswM: 16,
    hnswEfConstruction: 64,
    /** Rebuild dist/ before starting the server (default); 0 uses the existing build. */
    build: flag('BENCH_MEMORY_WRITES_BUILD', true),
    keepDatabase: flag('BENCH_KEEP_DB', false),
    /** Before each round, wait (up to quietWaitSeconds) for the machine to be below this many busy cores. */
    quietCores: Number(process.env.BENCH_QUIET_CORES || 0.5),
    quietWaitSeconds: num('BENCH_QUIET_WAIT', quick ? 10 : 60, 0),
  };
  if (s.large <= s.small + 4 * (s.rounds * s.samples + s.warmup)) throw new Error('BENCH_MEMORY_WRITES_LARGE too small for the rounds and samples at the small point');
  return s;
}

export type Settings = ReturnType<typeof readSettings>;
