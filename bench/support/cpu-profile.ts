/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time
 * grouped by package / source file, and by inclusive (total) time for chosen functions.
 *
 *   npx ts-node bench/support/cpu-profile.ts <file.cpuprofile> [top=30] [--window <fromUs>:<toUs>]
 *
 * --window keeps only samples in that monotonic-clock interval (µs), e.g. the measured run of a
 * benchmark (bench/api/run.ts prints the exact command).
 */
import { readFileSync } from 'node:fs';
import { markdownTable } from './table';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

/** Where a frame lives: `pkg/file` under node_modules, the path under the project, or `node:…`. */
export function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path.startsWith('/') ? path.split('/').slice(-3).join('/') : `node:${path}`;
}

/** The package (node_modules) or project folder a frame belongs to, for grouping. */
export function owner(url: string): string {
  const s = shortUrl(url);
  if (s === '(native)' || s.startsWith('node:')) return s === '(native)' ? '(native / GC / idle)' : 'node internals';
  if (s.startsWith('dist/')) return s.split('/').slice(0, 4).join('/');
  const parts = s.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** `window` (µs, same clock as the profile) keeps only the samples taken inside it. */
export interface OwnerTime {
  owner: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
  /** Self time with Node internals and native frames charged to the nearest package / project caller. */
  chargedMs: number;
  chargedPct: number;
}

export function analyse(profile: Profile, window?: { from: number; to: number }): { totalMs: number; functions: HotSpot[]; owners: OwnerTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per node from the samples (timeDeltas[i] is the time before sample i).
  const nodeTime = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (window && (at < window.from || at > window.to)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    nodeTime.set(profile.samples[i], (nodeTime.get(profile.samples[i]) ?? 0) + dt);
  }
  const totalUs = [...nodeTime.values()].reduce((a, b) => a + b, 0);
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const ownerSelf = new Map<string, number>();
  const ownerTotal = new Map<string, number>();
  const ownerCharged = new Map<string, number>();
  for (const [id, us] of nodeTime) {
    const leaf = byId.get(id)!;
    self.set(key(leaf), (self.get(key(leaf)) ?? 0) + us);
    const o = leaf.callFrame.functionName === '(idle)' ? '(idle)' : leaf.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : owner(leaf.callFrame.url);
    ownerSelf.set(o, (ownerSelf.get(o) ?? 0) + us);
    let charged = o;
    if (o === 'node internals' || o === '(native / GC / idle)') {
      for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
        const url = byId.get(cur)!.callFrame.url;
        if (url && owner(url) !== 'node internals') {
          charged = owner(url);
          break;
        }
      }
    }
    ownerCharged.set(charged, (ownerCharged.get(charged) ?? 0) + us);
    // Inclusive: each function / owner once per stack.
    const seen = new Set<string>();
    const seenOwner = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      const k = key(node);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + us);
      }
      if (node.callFrame.url) {
        const ow = owner(node.callFrame.url);
        if (!seenOwner.has(ow)) {
          seenOwner.add(ow);
          ownerTotal.set(ow, (ownerTotal.get(ow) ?? 0) + us);
        }
      }
    }
  }
  const pct = (us: number) => (100 * us) / totalUs;
  const functions = [...self.entries()].map(([k, us]) => {
    const [name, where] = k.split('\u0000');
    const t = total.get(k) ?? us;
    return { name, where, selfMs: us / 1000, selfPct: pct(us), totalMs: t / 1000, totalPct: pct(t) };
  });
  for (const [k, t] of total) {
    if (self.has(k)) continue;
    const [name, where] = k.split('\u0000');
    functions.push({ name, where, selfMs: 0, selfPct: 0, totalMs: t / 1000, totalPct: pct(t) });
  }
  const owners = [...new Set([...ownerSelf.keys(), ...ownerTotal.keys(), ...ownerCharged.keys()])].map((o) => ({
    owner: o,
    selfMs: (ownerSelf.get(o) ?? 0) / 1000,
    selfPct: pct(ownerSelf.get(o) ?? 0),
    totalMs: (ownerTotal.get(o) ?? 0) / 1000,
    totalPct: pct(ownerTotal.get(o) ?? 0),
    chargedMs: (ownerCharged.get(o) ?? 0) / 1000,
    chargedPct: pct(ownerCharged.get(o) ?? 0),
  }));
  return { totalMs: totalUs / 1000, functions, owners };
}

function main(): void {
  const args = process.argv.slice(2);
  let window: { from: number; to: number } | undefined;
  const w = args.indexOf('--window');
  if (w >= 0) {
    const [from, to] = (args[w + 1] ?? '').split(':').map(Number);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new Error('--window wants <fromUs>:<toUs>');
    window = { from, to };
    args.splice(w, 2);
  }
  const [file, topArg] = args;
  if (!file) throw new Error('usage: ts-node bench/support/cpu-profile.ts <file.cpuprofile> [top] [--window <fromUs>:<toUs>]');
  const top = Number(topArg ?? 30);
  const { totalMs, functions, owners } = analyse(JSON.parse(readFileSync(file, 'utf8')) as Profile, window);
  const f1 = (n: number) => n.toFixed(1);
  console.log(`profile: ${f1(totalMs)} ms sampled\n`);
  console.log('### by self time (function)\n');
  const bySelf = functions.filter((f) => f.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  console.log(markdownTable(['self %', 'total %', 'function', 'where'], bySelf.map((f) => [f1(f.selfPct), f1(f.totalPct), f.name, f.where]), ['r', 'r', 'l', 'l']));
  console.log('\n### by self time (package / file group)\n');
  const bySelfOwner = owners.filter((o) => o.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  console.log(markdownTable(['self %', 'total %', 'owner'], bySelfOwner.map((o) => [f1(o.selfPct), f1(o.totalPct), o.owner]), ['r', 'r', 'l']));
  console.log('\n### by self time, Node internals and native frames charged to the calling package / file group\n');
  const byCharged = owners.filter((o) => o.chargedMs > 0).sort((a, b) => b.chargedMs - a.chargedMs).slice(0, top);
  console.log(markdownTable(['self %', 'owner'], byCharged.map((o) => [f1(o.chargedPct), o.owner]), ['r', 'l']));
  console.log('\n### by total (inclusive) time (function)\n');
  const byTotal = functions.sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  console.log(markdownTable(['total %', 'self %', 'function', 'where'], byTotal.map((f) => [f1(f.totalPct), f1(f.selfPct), f.name, f.where]), ['r', 'r', 'l', 'l']));
}

if (require.main === module) main();
