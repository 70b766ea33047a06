/**
 * Seeded synthetic, embedding-like data for the memory benchmark: unit vectors with a shared
 * anisotropic direction, clusters of uneven size and sub-clusters inside them (so the nearest
 * neighbours are a handful of close points, then the rest of the cluster, then everything else, as
 * with real text embeddings), never isotropic noise. Queries are drawn the same way with another
 * random stream (they are not points of the data).
 *
 * Every component is rounded to 4 decimals: that is the value sent over JSON and SQL, and the exact
 * value (as float32, like pgvector stores it) used for the ground truth.
 *
 * Cosine similarity of the default mix (weights² 0.15 shared / 0.35 cluster / 0.25 sub-cluster /
 * 0.25 noise): ≈ 0.15 between unrelated points, ≈ 0.5 within a cluster, ≈ 0.75 within a sub-cluster.
 */

export const DIMENSIONS = 384;

/** Namespace classes: every 10th point is in the `bench.ten` subtree, every 100th in `bench.ten.one`. */
export const NAMESPACES = ['bench.rest', 'bench.ten', 'bench.ten.one'] as const;
export const TEN = 'bench.ten';
export const ONE = 'bench.ten.one';

export interface DatasetOptions {
  vectors: number;
  queries: number;
  clusters: number;
  subClusters: number;
  seed: number;
}

export interface Dataset {
  options: DatasetOptions;
  dims: number;
  /** vectors × dims, row-major, in a SharedArrayBuffer (ground-truth workers read it). */
  data: Float32Array;
  /** queries × dims. */
  queries: Float32Array;
  /** 0 = bench.rest, 1 = bench.ten (not below), 2 = bench.ten.one — see NAMESPACES. */
  namespaceClass: Uint8Array;
}

/** mulberry32: small, fast, good enough for synthetic data; seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function unitVector(normal: () => number, dims: number): Float64Array {
  const v = new Float64Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    v[d] = normal();
    norm += v[d] * v[d];
  }
  norm = Math.sqrt(norm);
  for (let d = 0; d < dims; d++) v[d] /= norm;
  return v;
}

/** The value that goes over the wire: 4 decimals. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

const W_SHARED = Math.sqrt(0.15);
const W_CLUSTER = Math.sqrt(0.35);
const W_SUB = Math.sqrt(0.25);
const W_NOISE = Math.sqrt(0.25);

interface Structure {
  shared: Float64Array;
  centres: Float64Array[];
  subs: Float64Array[][];
  /** Cumulative cluster weights (uneven sizes). */
  cumulative: Float64Array;
}

function structure(o: DatasetOptions, dims: number): Structure {
  const random = rng(o.seed);
  const normal = gaussian(random);
  const shared = unitVector(normal, dims);
  const centres = Array.from({ length: o.clusters }, () => unitVector(normal, dims));
  const subs = centres.map(() => Array.from({ length: o.subClusters }, () => unitVector(normal, dims)));
  // Cluster sizes: exponential weights (a few big topics, many small ones).
  const weights = centres.map(() => -Math.log(1 - random()));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (cumulative[i] = acc += w / total));
  return { shared, centres, subs, cumulative };
}

function fill(target: Float32Array, count: number, s: Structure, dims: number, seed: number): void {
  const random = rng(seed);
  const normal = gaussian(random);
  const noiseScale = W_NOISE / Math.sqrt(dims);
  const v = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    const u = random();
    let c = 0;
    while (c < s.cumulative.length - 1 && s.cumulative[c] < u) c++;
    const sub = s.subs[c][Math.floor(random() * s.subs[c].length)];
    const centre = s.centres[c];
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      v[d] = W_SHARED * s.shared[d] + W_CLUSTER * centre[d] + W_SUB * sub[d] + noiseScale * normal();
      norm += v[d] * v[d];
    }
    norm = Math.sqrt(norm);
    const row = i * dims;
    for (let d = 0; d < dims; d++) target[row + d] = round4(v[d] / norm);
  }
}

export function generateDataset(options: DatasetOptions): Dataset {
  const dims = DIMENSIONS;
  const s = structure(options, dims);
  const data = new Float32Array(new SharedArrayBuffer(options.vectors * dims * 4));
  const queries = new Float32Array(new SharedArrayBuffer(options.queries * dims * 4));
  fill(data, options.vectors, s, dims, options.seed + 1);
  fill(queries, options.queries, s, dims, options.seed + 2);
  // Point order is random (clusters drawn per point), so a modulo split is independent of the clusters.
  const namespaceClass = new Uint8Array(new SharedArrayBuffer(options.vectors));
  for (let i = 0; i < options.vectors; i++) namespaceClass[i] = i % 100 === 0 ? 2 : i % 10 === 0 ? 1 : 0;
  return { options, dims, data, queries, namespaceClass };
}

/** `[0.0123,-0.0456,…]`: the vector as sent in JSON and as a pgvector literal. */
export function vectorText(source: Float32Array, index: number, dims = DIMENSIONS): string {
  const parts = new Array<string>(dims);
  const row = index * dims;
  for (let d = 0; d < dims; d++) parts[d] = String(round4(source[row + d]));
  return `[${parts.join(',')}]`;
}

/** Cosine distance (1 − cos) between data point `i` and query `q`, as pgvector's `<=>`. */
export function cosineDistance(data: Float32Array, i: number, queries: Float32Array, q: number, dims = DIMENSIONS): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const a = i * dims;
  const b = q * dims;
  for (let d = 0; d < dims; d++) {
    const x = data[a + d];
    const y = queries[b + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

// ── texts for the write path (offline embedder) ──────────────────────────────────────────────────

const SUBJECTS = ['The user', 'Customer', 'Our agent', 'The support lead', 'Maria', 'Kenji', 'The billing team', 'A new hire', 'The on-call engineer', 'Priya', 'The CFO', 'Jonas'];
const VERBS = ['prefers', 'asked about', 'complained about', 'signed up for', 'cancelled', 'reported a bug in', 'wants a refund for', 'praised', 'is migrating to', 'keeps forgetting', 'scheduled a call about', 'renewed'];
const OBJECTS = ['the annual plan', 'dark mode', 'the mobile app', 'invoice exports', 'two-factor login', 'the Slack integration', 'weekly summaries', 'the EU data region', 'API rate limits', 'the onboarding checklist', 'PDF receipts', 'team seats', 'the search page', 'webhook retries', 'the Postgres connector', 'SSO with Okta'];
const TAILS = ['last Tuesday', 'after the outage', 'during the trial', 'before the renewal date', 'twice this month', 'on the phone', 'in a support ticket', 'at the quarterly review', 'via email', 'while travelling'];
const REASONS = ['because the price changed', 'since the team grew', 'as the old flow was confusing', 'to meet a compliance audit', 'after a colleague recommended it', 'because exports kept timing out', 'for the holiday season', ''];

/** Varied synthetic sentences (seeded): templates × vocabulary × numbers, 12–30 words. */
export function syntheticTexts(count: number, seed: number): string[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(random() * 500);
    const parts = [`${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)}`, pick(REASONS)].filter(Boolean);
    let text = `${parts.join(' ')}.`;
    if (random() < 0.6) text += ` Ticket ${1000 + Math.floor(random() * 9000)} mentions ${n} ${pick(['seats', 'errors', 'invoices', 'messages', 'users'])} and ${pick(OBJECTS)}.`;
    if (random() < 0.3) text += ` Follow up ${pick(TAILS)}.`;
    out.push(text);
  }
  return out;
}
