/**
 * Where the CPU went during a measurement (Linux; elsewhere only this process is known):
 *   - node: this process (the engine's workers and the harness);
 *   - postgres: the backends connected to the engine's database, plus PostgreSQL's shared background
 *     processes (WAL writer, checkpointer, autovacuum…) — read from /proc, whose process titles
 *     name the database (`postgres: 15/main: postgres cognition_os_bench_x 127.0.0.1(…) idle`);
 *   - foreign: everything else on the machine (other programs, backends of other databases).
 *     A benchmark window with much foreign CPU is contended and its numbers are too low.
 * The /proc scan takes a few ms: take snapshots outside the timed window.
 */
import { cpus } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

export interface CpuSnapshot {
  nodeMs: number;
  machineBusyMs: number;
  /** pid → CPU ms of PostgreSQL processes that count for this engine (its database + shared background). */
  postgres: Map<number, number>;
}

export interface CpuUse {
  /** In cores over the window (1.0 = one core busy throughout). */
  node: number;
  postgres: number;
  foreign: number;
}

function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** CPU ms of the PostgreSQL processes that belong to `database` or to no database (background). */
function postgresCpu(database: string): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      const isPostgres = cmdline.startsWith('postgres:') || /\/postgres(\s|$)/.test(cmdline.split(' ')[0] ?? '');
      if (!isPostgres) continue;
      // A client backend's title: "postgres: <cluster>: <user> <database> <host(port)|[local]> <state>".
      const backend = /^postgres: (?:[^:]+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(cmdline);
      if (backend && backend[1] !== database) continue; // another database's backend: foreign
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export function cpuSnapshot(database: string): CpuSnapshot {
  const usage = process.cpuUsage();
  return { nodeMs: (usage.user + usage.system) / 1000, machineBusyMs: machineBusyMs(), postgres: postgresCpu(database) };
}

export function cpuUse(before: CpuSnapshot, after: CpuSnapshot, wallMs: number): CpuUse {
  const node = after.nodeMs - before.nodeMs;
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  const machine = after.machineBusyMs - before.machineBusyMs;
  const cores = (ms: number) => Math.max(0, ms) / wallMs;
  return { node: cores(node), postgres: cores(postgres), foreign: cores(machine - node - postgres) };
}

/** Busy cores of the whole machine over `ms` (to wait for other programs to finish). */
export async function machineBusyCores(ms = 1000): Promise<number> {
  const a = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (machineBusyMs() - a) / ms;
}
