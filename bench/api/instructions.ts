/**
 * Instructions per request under callgrind, for `bench:api` with BENCH_API_INSTRUCTIONS=1.
 *
 * req/s on this kind of machine moves by a third from run to run (other tenants of the host share
 * its cores), so a change worth 5 % cannot be seen in it. valgrind's callgrind counts the
 * instructions a process executes, whatever else the machine does: the same build, requests and
 * warm-up give the same count within about 1 %. Each server is started under
 * `valgrind --tool=callgrind` with counting off, warmed up (V8 compiles its hot functions) with
 * counting still off, then counts the measured requests only (`callgrind_control -i on`, then a
 * dump). The count is user space only (the kernel's share per request is the same for both
 * servers, docs/benchmarks.md) and it is not time: a megamorphic property load costs more cycles
 * than its instructions say, so ours' share of CPU time is larger than its share of instructions.
 * It is a yardstick for changes, not the target.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { waitForHttp } from '../support/http';
import { Child, startChild } from '../support/process';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface InstructionSettings {
  /** Requests before counting starts (JIT warm-up). */
  warmup: number;
  /** Requests counted. */
  requests: number;
  connections: number;
}

export interface InstructionTarget {
  name: string;
  /** Node's arguments (flags and script), run as `valgrind … node <args>`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The URL to load (on the port of its env's PORT). */
  url: string;
  /** A URL that answers 2xx without the headers once the server is up. */
  readyUrl: string;
  headers: Record<string, string>;
}

/**
 * 20,000 requests of warm-up and 2,000 counted, quick or not: with less warm-up V8 is still
 * optimising in the counted window (10,000 and 1,000 counted 5-15 % more, and less repeatably).
 */
export function instructionSettingsFromEnv(): InstructionSettings {
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] || fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${process.env[name]}"`);
    return value;
  };
  return { warmup: number('BENCH_INSTRUCTIONS_WARMUP', 20_000), requests: number('BENCH_INSTRUCTIONS_REQUESTS', 2_000), connections: 10 };
}

/** Whether valgrind and callgrind_control are on this machine. */
export async function callgrindAvailable(): Promise<boolean> {
  try {
    await run('valgrind', ['--version']);
    await run('callgrind_control', ['-h']).catch((error: { code?: unknown }) => {
      if (error.code === 'ENOENT') throw error;
    });
    return true;
  } catch {
    return false;
  }
}

async function load(url: string, headers: Record<string, string>, amount: number, connections: number): Promise<void> {
  const result = await autocannon({ url, headers, amount, connections });
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${amount} requests under callgrind`);
  }
}

/**
 * callgrind_control talks to the process through vgdb's FIFOs, whose names carry the HOST
 * variable of the process that made them: the server's env sets HOST (the address it listens
 * on), so the control command must see the same value.
 */
function control(pid: number, option: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  return run('callgrind_control', [option, String(pid)], { env: { ...process.env, HOST: env.HOST ?? '' } });
}

/** Instructions per request of one server: started under callgrind, warmed up, counted, stopped. */
export async function instructionsPerRequest(target: InstructionTarget, settings: InstructionSettings): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cos-bench-callgrind-'));
  const out = join(dir, 'callgrind.out');
  let child: Child | undefined;
  try {
    const valgrindArgs = ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, ...target.args];
    child = startChild(`${target.name} (callgrind)`, 'valgrind', valgrindArgs, target.env, target.cwd);
    // Nest starts in about a minute under valgrind.
    await waitForHttp(target.readyUrl, child, 600_000);
    await load(target.url, target.headers, settings.warmup, settings.connections);
    const pid = child.process.pid!;
    await control(pid, '--instr=on', target.env);
    await load(target.url, target.headers, settings.requests, settings.connections);
    await control(pid, '--dump', target.env);
    const dump = `${out}.1`;
    for (let waited = 0; !totalOf(dump) && waited < 60_000; waited += 200) await sleep(200);
    const total = totalOf(dump);
    if (!total) throw new Error(`no callgrind dump in ${dump}`);
    return Math.round(total / settings.requests);
  } finally {
    await child?.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `totals:` line of a callgrind dump, once it is complete. */
function totalOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const match = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}
