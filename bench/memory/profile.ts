/** BENCH_MEMORY_CPU_PROFILE=1: our server's CPU profile, cut to the windows of chosen measurements. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyse } from '../support/cpu-profile';
import { markdownTable } from '../support/table';
import { MemoryBenchResult, firstAt } from './report';

interface Window {
  what: string;
  from: number;
  to: number;
}

function section(file: string, w: Window): string {
  const { totalMs, functions, owners } = analyse(JSON.parse(readFileSync(file, 'utf8')), w);
  const pct = (n: number) => n.toFixed(1);
  const top = functions.filter((x) => x.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs).slice(0, 20);
  const byOwner = owners.filter((o) => o.chargedMs > 0).sort((a, b) => b.chargedMs - a.chargedMs).slice(0, 12);
  return [
    `### Our server's CPU profile: ${w.what} (${(totalMs / 1000).toFixed(1)} s sampled)`,
    '',
    markdownTable(['self %', 'owner (Node internals charged to their caller)'], byOwner.map((o) => [pct(o.chargedPct), o.owner]), ['r', 'l']),
    '',
    markdownTable(['self %', 'total %', 'function', 'where'], top.map((x) => [pct(x.selfPct), pct(x.totalPct), x.name, x.where]), ['r', 'r', 'l', 'l']),
    '',
    `Full report: \`npx ts-node bench/support/cpu-profile.ts ${file} 40 --window ${w.from}:${w.to}\``,
  ].join('\n');
}

/** The unfiltered search pass at the first ef_search with recall ≥ 0.95 (or the last one), and the single inserts at ~N. */
export function profileSections(dir: string, res: MemoryBenchResult): string | undefined {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  if (files.length === 0) return undefined;
  const file = join(dir, files[files.length - 1]);
  const windows: Window[] = [];
  for (const c of (res.compare ?? []).filter((c) => c.subset === 'all' && c.oursWindowUs)) {
    if (c.efSearch === 40) windows.push({ what: `unfiltered search, ${c.clients} client(s), ef_search ${c.efSearch}`, ...c.oursWindowUs! });
  }
  const ours = res.search.filter((r) => r.target === 'ours' && r.subset === 'all' && r.windowUs);
  const row = firstAt(ours, 0.95) ?? ours[ours.length - 1];
  if (row?.windowUs) windows.push({ what: `unfiltered search, ef_search ${row.efSearch}`, ...row.windowUs });
  const singles = res.singlesAtN;
  if (singles?.windowUs) windows.push({ what: `${singles.samples} sequential single inserts at ${singles.storedBefore.toLocaleString('en-US')} stored`, ...singles.windowUs });
  if (windows.length === 0) return undefined;
  return windows.map((w) => section(file, w)).join('\n\n');
}
