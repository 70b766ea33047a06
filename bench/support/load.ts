/** HTTP load with autocannon: a warm-up run (discarded), then the measured run. */
import autocannon from 'autocannon';

export interface LoadSettings {
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  pipelining: number;
}

export interface LoadResult {
  target: string;
  url: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAvgMs: number;
  totalRequests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

/** Env-overridable settings: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP (seconds). */
export function loadSettingsFromEnv(): LoadSettings {
  const num = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return value;
  };
  return {
    warmupSeconds: num('BENCH_WARMUP', 3),
    durationSeconds: num('BENCH_DURATION', 10),
    connections: Math.round(num('BENCH_CONNECTIONS', 50)),
    pipelining: 1,
  };
}

function run(url: string, headers: Record<string, string>, seconds: number, s: LoadSettings): Promise<autocannon.Result> {
  return autocannon({ url, headers, method: 'GET', duration: seconds, connections: s.connections, pipelining: s.pipelining });
}

export async function measure(target: string, url: string, headers: Record<string, string>, s: LoadSettings): Promise<LoadResult> {
  process.stderr.write(`${target}: warm-up ${s.warmupSeconds} s … `);
  await run(url, headers, s.warmupSeconds, s);
  process.stderr.write(`measuring ${s.durationSeconds} s with ${s.connections} connections … `);
  const r = await run(url, headers, s.durationSeconds, s);
  process.stderr.write(`${Math.round(r.requests.average)} req/s\n`);
  return {
    target,
    url,
    requestsPerSecond: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyAvgMs: r.latency.average,
    totalRequests: r.requests.total,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationSeconds: r.duration,
  };
}
