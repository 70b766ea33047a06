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
  /** CPU milliseconds per request of each probed process group during the measured run (Linux). */
  cpuMsPerRequest: Record<string, number | null>;
  /** process.hrtime (µs, CLOCK_MONOTONIC, as V8 CPU profiles) when the measured run started / ended. */
  windowUs: { from: number; to: number };
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

/**
 * Load that is not measured, once per server before its first measured run: a server's JIT needs
 * thousands of requests to reach its steady state (ours, a Nest application, about 40,000 on these
 * machines; a bare Fastify route a few hundred), and a long-running server is measured, not one
 * still compiling. Without it the first round measured a cold server of ours.
 */
export async function warmUp(target: string, url: string, headers: Record<string, string>, seconds: number, s: LoadSettings): Promise<void> {
  process.stderr.write(`${target}: JIT warm-up ${seconds} s … `);
  const r = await run(url, headers, seconds, s);
  process.stderr.write(`${Math.round(r.requests.average)} req/s (not measured)\n`);
}

/** Reads a CPU-seconds counter (see cpu-usage.ts); undefined when it cannot be read here. */
export type CpuProbe = () => number | undefined;

export async function measure(
  target: string,
  url: string,
  headers: Record<string, string>,
  s: LoadSettings,
  probes: Record<string, CpuProbe> = {},
): Promise<LoadResult> {
  process.stderr.write(`${target}: warm-up ${s.warmupSeconds} s … `);
  await run(url, headers, s.warmupSeconds, s);
  process.stderr.write(`measuring ${s.durationSeconds} s with ${s.connections} connections … `);
  const before = Object.fromEntries(Object.entries(probes).map(([name, probe]) => [name, probe()]));
  const from = Number(process.hrtime.bigint() / 1000n);
  const r = await run(url, headers, s.durationSeconds, s);
  const to = Number(process.hrtime.bigint() / 1000n);
  const cpuMsPerRequest: Record<string, number | null> = {};
  for (const [name, probe] of Object.entries(probes)) {
    const after = probe();
    const start = before[name];
    cpuMsPerRequest[name] = after === undefined || start === undefined || r.requests.total === 0 ? null : ((after - start) * 1000) / r.requests.total;
  }
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
    cpuMsPerRequest,
    windowUs: { from, to },
  };
}
