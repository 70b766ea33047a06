/* global require */
/**
 * Brute-force ground truth, one worker thread per core (started by ground-truth.ts). Plain JS so
 * that a worker needs no TypeScript loader. For its share of the queries it scans every data point
 * once and keeps three top-k lists by cosine distance: all points, the `bench.ten` subtree
 * (namespace class ≥ 1) and `bench.ten.one` (class 2). Data is read in blocks that fit the cache,
 * each block against every query of the share.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS worker (no TypeScript loader in threads)
const { parentPort, workerData } = require('node:worker_threads');

const { data, norms, queries, namespaceClass, dims, k, fromQuery, toQuery } = workerData;
const n = norms.length;
const nq = toQuery - fromQuery;
const LISTS = 3;
// Per query and list: k (distance, index) pairs sorted ascending; Infinity-padded.
const dist = new Float64Array(nq * LISTS * k).fill(Infinity);
const idx = new Int32Array(nq * LISTS * k).fill(-1);

const qNorm = new Float64Array(nq);
for (let q = 0; q < nq; q++) {
  let s = 0;
  const row = (fromQuery + q) * dims;
  for (let d = 0; d < dims; d++) s += queries[row + d] * queries[row + d];
  qNorm[q] = Math.sqrt(s);
}

function insert(base, distance, index) {
  if (distance >= dist[base + k - 1]) return;
  let j = k - 1;
  while (j > 0 && dist[base + j - 1] > distance) {
    dist[base + j] = dist[base + j - 1];
    idx[base + j] = idx[base + j - 1];
    j--;
  }
  dist[base + j] = distance;
  idx[base + j] = index;
}

const BLOCK = 256;
for (let start = 0; start < n; start += BLOCK) {
  const end = Math.min(n, start + BLOCK);
  for (let q = 0; q < nq; q++) {
    const qRow = (fromQuery + q) * dims;
    const base = q * LISTS * k;
    for (let i = start; i < end; i++) {
      const row = i * dims;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < dims; d += 4) {
        s0 += data[row + d] * queries[qRow + d];
        s1 += data[row + d + 1] * queries[qRow + d + 1];
        s2 += data[row + d + 2] * queries[qRow + d + 2];
        s3 += data[row + d + 3] * queries[qRow + d + 3];
      }
      const distance = 1 - (s0 + s1 + s2 + s3) / (norms[i] * qNorm[q]);
      insert(base, distance, i);
      const c = namespaceClass[i];
      if (c >= 1) insert(base + k, distance, i);
      if (c === 2) insert(base + 2 * k, distance, i);
    }
  }
  if ((start / BLOCK) % 40 === 0) parentPort.postMessage({ progress: end / n });
}

parentPort.postMessage({ done: true, dist, idx }, [dist.buffer, idx.buffer]);
