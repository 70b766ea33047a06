/** The markdown tables of the memory-writes benchmark. */
import { markdownTable } from '../support/table';
import { Breakdown, STEPS } from './breakdown';
import { Fill } from './fill';
import { Round, SideSummary } from './singles';

export interface PointResult {
  label: string;
  ours: SideSummary;
  peer: SideSummary;
  rounds: Round[];
  breakdown?: Breakdown;
  /** Mean ms per call of the server's memory repository methods during our rounds (GET /metrics). */
  repository?: Record<string, { calls: number; meanMs: number }>;
}

export interface WritesResult {
  small?: PointResult;
  large?: PointResult;
  fill?: Fill;
  errors: string[];
}

const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const f0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '–');

export function renderReport(r: WritesResult, header: string): string {
  const out = [header, ''];
  const points = [r.small, r.large].filter((p): p is PointResult => !!p);
  if (points.length) {
    out.push(
      '**Single insert, one memory with a supplied 384-d vector, sequential** (medians over the rounds of each round\'s percentiles)',
      '',
      markdownTable(
        ['target', 'stored before', 'rounds × samples', 'p50 ms', 'p90 ms', 'p99 ms', 'server CPU ms/insert', 'PostgreSQL CPU ms/insert', 'indexed after (ms)', 'other programs (cores)'],
        points.flatMap((p) =>
          [p.peer, p.ours].map((s) => [
            s.side === 'ours' ? `ours: POST /api/v3/memories, ${p.label}` : `peer: bare SQL INSERT, ${p.label}`,
            `${f0(s.storedFrom)}–${f0(s.storedTo)}`,
            `${s.rounds} × ${s.samples / s.rounds}`,
            f2(s.p50Ms),
            f2(s.p90Ms),
            f2(s.p99Ms),
            s.side === 'ours' ? f2(s.serverCpuMs) : '–',
            f2(s.postgresCpuMs),
            s.side === 'ours' ? f0(s.indexLagMs) : '–',
            f2(s.foreignCores),
          ]),
        ),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    if (r.small && r.large) {
      out.push(
        `p50 ratio ${r.large.label} / ${r.small.label}: **ours ${ratio(r.large.ours.p50Ms, r.small.ours.p50Ms)}** (target ≤ 1.20×), peer (bare INSERT, same run) ${ratio(r.large.peer.p50Ms, r.small.peer.p50Ms)}`,
        `Round p50s (ms): ours ${r.small.ours.roundP50s.map(f2).join(', ')} → ${r.large.ours.roundP50s.map(f2).join(', ')}; peer ${r.small.peer.roundP50s.map(f2).join(', ')} → ${r.large.peer.roundP50s.map(f2).join(', ')}`,
        '',
      );
    }
  }
  const broken = points.filter((p) => p.breakdown);
  if (broken.length) {
    out.push(
      '**Our insert transaction replayed statement by statement** (`pg`, median ms per round trip) **and EXPLAIN (ANALYZE, BUFFERS, WAL) of one INSERT** (median; rolled back)',
      '',
      markdownTable(
        ['stored', ...STEPS, 'total', 'ours INSERT: exec ms', 'buffers hit / read', 'dirtied', 'WAL bytes', 'peer INSERT: exec ms', 'buffers hit / read', 'dirtied', 'WAL bytes'],
        broken.map((p) => {
          const b = p.breakdown!;
          return [
            f0(b.storedBefore),
            ...STEPS.map((s) => f2(b.replayMs[s])),
            f2(b.replayTotalMs),
            f2(b.ours.executionMs),
            `${f0(b.ours.sharedHit)} / ${f0(b.ours.sharedRead)}`,
            f0(b.ours.dirtied),
            f0(b.ours.walBytes),
            f2(b.peer.executionMs),
            `${f0(b.peer.sharedHit)} / ${f0(b.peer.sharedRead)}`,
            f0(b.peer.dirtied),
            f0(b.peer.walBytes),
          ];
        }),
        ['r', ...STEPS.map(() => 'r' as const), 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  if (broken.length) {
    out.push(
      '**One unfiltered vector search** (k 10, ef_search 40, iterative scan; `pg`, median ms): the index statement alone and with the pending-rows branch, alternating',
      '',
      markdownTable(
        ['stored', 'searches', 'index only', 'with pending branch', 'difference'],
        broken.map((p) => {
          const q = p.breakdown!.search;
          return [f0(p.breakdown!.storedBefore), f0(q.samples), f2(q.indexOnlyMs), f2(q.withPendingMs), `${((q.withPendingMs - q.indexOnlyMs) * 1000).toFixed(0)} µs`];
        }),
        ['r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  const repo = points.filter((p) => p.repository && Object.keys(p.repository).length);
  if (repo.length) {
    const methods = [...new Set(repo.flatMap((p) => Object.keys(p.repository!)))].sort();
    out.push(
      '**Inside the server during our rounds** (GET /metrics: mean ms per call of the memory repository)',
      '',
      markdownTable(['stored', ...methods], repo.map((p) => [p.label, ...methods.map((m) => f2(p.repository![m]?.meanMs))]), ['l', ...methods.map(() => 'r' as const)]),
      '',
    );
  }
  if (r.fill) {
    out.push(
      `Fill (SQL, not measured as a write path): ${f0(r.fill.rows)} rows in ${r.fill.insertSeconds.toFixed(1)} s, index built in ${r.fill.indexSeconds.toFixed(1)} s: \`${r.fill.index.definition}\` (${r.fill.index.sizeMB.toFixed(0)} MB; table with indexes ${r.fill.index.tableMB.toFixed(0)} MB)`,
      '',
    );
  }
  if (r.errors.length) out.push(`Errors: ${r.errors.join('; ')}`, '');
  return out.join('\n');
}
