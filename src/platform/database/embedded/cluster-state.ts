import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What we keep beside an embedded cluster, in `<data dir>/cognition-os.json` (mode 0600): the
 * password of its `postgres` user, the port it last served on (reused when free, so a psql session
 * can keep its address) and the processes using it now (the last one out stops the server).
 */
export interface ClusterState {
  password: string;
  port: number;
  users: number[];
}

export const STATE_FILE = 'cognition-os.json';

export function readState(dataDir: string): ClusterState | undefined {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterState>;
  return { password: String(state.password ?? ''), port: Number(state.port ?? 0), users: Array.isArray(state.users) ? state.users.map(Number) : [] };
}

export function writeState(dataDir: string, state: ClusterState): void {
  const file = join(dataDir, STATE_FILE);
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(`${file}.${process.pid}`, file);
}

/**
 * Whether a process is alive (EPERM: it is, and belongs to another user). A zombie is not: a server
 * started by pg_ctl is reparented to pid 1, which in some containers does not reap it at once.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** The state letter of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses); undefined off Linux. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** A process's command line (Linux); undefined where /proc does not tell. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** A registered user of the cluster is still there: alive, and (where /proc tells) still a node process, not a pid reused since. */
export function isLiveUser(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const command = commandLine(pid);
  return command === undefined || /node/.test(command);
}

/**
 * Holds `<file>` (created exclusively, holding our pid) while `fn` runs: one process at a time
 * initialises, starts, attaches to or stops a cluster. A lock whose holder has died is taken over;
 * one held longer than `timeoutMs` by a live process is an error naming it.
 */
export function lockFile(file: string, timeoutMs = 120_000): () => void {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(safeRead(file));
    if (holder && !isAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > until) throw new Error(`process ${holder || '?'} has held ${file} for over ${Math.round(timeoutMs / 1000)} s: is it stuck? stop it, or remove the file`);
    sleepSync(50);
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
