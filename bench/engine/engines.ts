/**
 * The engines `npm run bench:engine` measures, in this order (BENCH_ENGINES=id,id… picks some).
 *
 * ╔══════════════════════════════════════════════════════════════════════════════════════════════╗
 * ║ REGISTRATION POINT FOR OUR ENGINE                                                            ║
 * ║ 1. Write bench/engine/ours.ts exporting `oursEntries: EngineEntry[]`, each with              ║
 * ║    `ours: true`, `family: 'ours'`, a `database` suffix (e.g. 'ours') and `create()` returning ║
 * ║    an EngineUnderTest (bench/engine/engine-under-test.ts: the contract and timing rules).     ║
 * ║ 2. Uncomment the import and the spread below. Ours is listed first and measured first; every ║
 * ║    other row then gets a "vs ours" ratio.                                                    ║
 * ╚══════════════════════════════════════════════════════════════════════════════════════════════╝
 */
import type { EngineEntry } from './engine-under-test';
import { graphileWorkerEntries } from './graphile-worker';
import { pgBossEntries } from './pg-boss';
import { dbosEntries } from './dbos';
import { oursEntries } from './ours';

export const ENGINES: EngineEntry[] = [
  ...oursEntries,
  ...graphileWorkerEntries,
  ...pgBossEntries,
  ...dbosEntries,
];
