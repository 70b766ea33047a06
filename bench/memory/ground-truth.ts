/**
 * Exact top-k by cosine distance, brute force over every point (worker threads, one per core), for
 * all points and for the two namespace subtrees, and recall@k of an answer against it.
 *
 * Recall counts a returned point as a hit when it belongs to the queried set and its distance is
 * within the k-th true distance (+1e-6), as ann-benchmarks does: ties at the k-th place are not
 * misses. Distances are computed here, from the same float32 values PostgreSQL stores.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Dataset, cosineDistance } from './dataset';

export type Subset = 'all' | 'ten' | 'one';
const SUBSETS: Subset[] = ['all', 'ten', 'one'];

export interface GroundTruth {
  k: number;
  /** Per subset: queries × k data indices, nearest first. */
  indices: Record<Subset, Int32Array>;
  distances: Record<Subset, Float64Array>;
  seconds: number;
  threads: number;
}

export async function computeGroundTruth(ds: Dataset, k: number, onProgress?: (fraction: number) => void): Promise<GroundTruth> {
  const t0 = Date.now();
  const n = ds.options.vectors;
  const nq = ds.options.queries;
  const norms = new Float64Array(new SharedArrayBuffer(n * 8));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < ds.dims; d++) s += ds.data[i * ds.dims + d] ** 2;
    norms[i] = Math.sqrt(s);
  }
  const threads = Math.max(1, Math.min(cpus().length, nq));
  const per = Math.ceil(nq / threads);
  const progress = new Array<number>(threads).fill(0);
  const shares = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const fromQuery = t * per;
      const toQuery = Math.min(nq, fromQuery + per);
      return new Promise<{ fromQuery: number; toQuery: number; dist: Float64Array; idx: Int32Array }>((resolve, reject) => {
        const worker = new Worker(join(__dirname, 'ground-truth.worker.cjs'), {
          workerData: { data: ds.data, norms, queries: ds.queries, namespaceClass: ds.namespaceClass, dims: ds.dims, k, fromQuery, toQuery },
        });
        worker.on('message', (m: { progress?: number; done?: boolean; dist: Float64Array; idx: Int32Array }) => {
          if (m.progress !== undefined) {
            progress[t] = m.progress;
            onProgress?.(progress.reduce((a, b) => a + b, 0) / threads);
          }
          if (m.done) resolve({ fromQuery, toQuery, dist: m.dist, idx: m.idx });
        });
        worker.once('error', reject);
        worker.once('exit', (code) => code !== 0 && reject(new Error(`ground-truth worker exited with ${code}`)));
      });
    }),
  );
  const indices = Object.fromEntries(SUBSETS.map((s) => [s, new Int32Array(nq * k)])) as Record<Subset, Int32Array>;
  const distances = Object.fromEntries(SUBSETS.map((s) => [s, new Float64Array(nq * k)])) as Record<Subset, Float64Array>;
  for (const share of shares) {
    for (let q = share.fromQuery; q < share.toQuery; q++) {
      SUBSETS.forEach((s, list) => {
        const from = ((q - share.fromQuery) * SUBSETS.length + list) * k;
        indices[s].set(share.idx.subarray(from, from + k), q * k);
        distances[s].set(share.dist.subarray(from, from + k), q * k);
      });
    }
  }
  return { k, indices, distances, seconds: (Date.now() - t0) / 1000, threads };
}

export function inSubset(ds: Dataset, i: number, subset: Subset): boolean {
  return subset === 'all' || (subset === 'ten' ? ds.namespaceClass[i] >= 1 : ds.namespaceClass[i] === 2);
}

/** recall@k of `answer` (data indices, -1 for unknown ids) for query `q`. */
export function recallAt(ds: Dataset, gt: GroundTruth, subset: Subset, q: number, answer: number[]): number {
  const kth = gt.distances[subset][q * gt.k + gt.k - 1];
  const seen = new Set<number>();
  let hits = 0;
  for (const i of answer.slice(0, gt.k)) {
    if (i < 0 || seen.has(i) || !inSubset(ds, i, subset)) continue;
    seen.add(i);
    if (cosineDistance(ds.data, i, ds.queries, q, ds.dims) <= kth + 1e-6) hits++;
  }
  return hits / gt.k;
}
