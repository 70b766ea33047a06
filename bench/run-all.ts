/**
 * Every benchmark, one after the other: `npm run bench` (full runs, an hour or more) or
 * `npm run bench -- --quick` (each bench's BENCH_QUICK=1 version, minutes). `--only api,engine`
 * picks some. Each bench's tables are printed as they come and collected, under one header with the
 * machine, PostgreSQL's version, the date and the commit, in bench/results/summary.md.
 *
 * A bench that fails does not stop the others; the exit code is 1 when any failed.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatMachine, machineInfo } from './support/machine';

const ROOT = resolve(__dirname, '..');
const TS_NODE = require.resolve('ts-node/dist/bin');

interface Bench {
  name: string;
  file: string;
  /** The section of docs/benchmarks.md its tables belong to. */
  section: string;
}

const BENCHES: Bench[] = [
  { name: 'api', file: 'bench/api/run.ts', section: 'API: read one workflow version' },
  { name: 'engine', file: 'bench/engine/run.ts', section: 'Engine' },
  { name: 'memory', file: 'bench/memory/run.ts', section: 'Memory: search and writes against raw pgvector' },
  { name: 'memory-writes', file: 'bench/memory-writes/run.ts', section: 'Memory writes (issue 14)' },
  { name: 'foreach', file: 'bench/engine/foreach.ts', section: 'forEach in linear time (issue 16)' },
  { name: 'fairness', file: 'bench/engine/fairness.ts', section: 'Fairness across tenants (issue 16)' },
  { name: 'retention', file: 'bench/retention/soak.ts', section: 'Retention soak (issue 13)' },
];

interface Outcome {
  bench: Bench;
  code: number;
  seconds: number;
  stdout: string;
}

function parseArgs(argv: string[]): { quick: boolean; only?: Set<string> } {
  let quick = false;
  let only: Set<string> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only') only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg.startsWith('--only=')) only = new Set(arg.slice(7).split(',').filter(Boolean));
    else throw new Error(`unknown argument "${arg}" (use --quick, --only api,engine,...)`);
  }
  const names = new Set(BENCHES.map((b) => b.name));
  for (const name of only ?? []) if (!names.has(name)) throw new Error(`--only: no bench "${name}" (${[...names].join(', ')})`);
  return { quick, only };
}

function run(bench: Bench, quick: boolean): Promise<Outcome> {
  const started = Date.now();
  const env = { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) };
  // As `npm run bench:<name>` runs it: ts-node with the tsconfig's own options (path aliases).
  const child = spawn(process.execPath, [TS_NODE, bench.file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  return new Promise((done) => {
    child.on('close', (code, signal) =>
      done({ bench, code: code ?? (signal ? 128 : 1), seconds: (Date.now() - started) / 1000, stdout }),
    );
  });
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT }).toString().trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const chosen = BENCHES.filter((b) => !only || only.has(b.name));
  const machine = await machineInfo();
  const header = [
    `# Benchmarks, ${quick ? 'quick' : 'full'} run`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Commit: ${commit()}`,
    formatMachine(machine),
    '',
  ].join('\n');
  process.stdout.write(`${header}\n`);

  const outcomes: Outcome[] = [];
  for (const bench of chosen) {
    process.stderr.write(`\n=== bench ${bench.name} (${bench.file})${quick ? ', quick' : ''} ===\n`);
    process.stdout.write(`\n## ${bench.name} (docs/benchmarks.md: "${bench.section}")\n\n`);
    outcomes.push(await run(bench, quick));
  }

  const summary = outcomes.map((o) => `| ${o.bench.name} | ${o.code === 0 ? 'ok' : `failed (exit ${o.code})`} | ${o.seconds.toFixed(0)} |`);
  const table = ['| bench | result | seconds |', '|---|---|---:|', ...summary].join('\n');
  process.stdout.write(`\n## Summary\n\n${table}\n`);

  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const body = outcomes.map((o) => `\n## ${o.bench.name} (docs/benchmarks.md: "${o.bench.section}")\n\n${o.stdout.trim()}\n`).join('');
  writeFileSync(join(dir, 'summary.md'), `${header}${body}\n## Summary\n\n${table}\n`);
  process.stderr.write(`\nwrote bench/results/summary.md\n`);
  if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
