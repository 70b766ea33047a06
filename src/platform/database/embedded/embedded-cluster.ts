import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { commandLine, isAlive, isLiveUser, lockFile, readState, writeState } from './cluster-state';
import { EmbeddedBinaries, embeddedBinaries } from './embedded-binaries';
import { platformKey } from './embedded-mode';
import { parsePostmasterPid } from './postmaster-pid';
import { SERVER_USER, ServerUser, serverUser } from './server-user';
import { installVendoredPgvector } from './vendored-pgvector';

export const EMBEDDED_HOST = '127.0.0.1';

export interface ClusterOptions {
  /** The data directory (absolute). */
  dir: string;
  /** A fixed port; default: the port it last used when free, else one the system picks. */
  port?: number;
  /** More `postgres -c` settings (the test cluster turns fsync off). */
  settings?: Record<string, string>;
  /**
   * Authentication of a new cluster (set by `initdb`): scram-sha-256 with the generated password
   * (default), or trust, as the test cluster has it like the machines' own PostgreSQL.
   */
  auth?: 'scram-sha-256' | 'trust';
  /** Where notices go (a stale pid file removed, the server user created); default stderr. */
  log?: (line: string) => void;
}

/** A running embedded cluster this process may use until `closeCluster(dir)`. */
export interface Cluster {
  dir: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** PostgreSQL's version, e.g. `15.18`. */
  version: string;
  /** True when this process started the server, false when it attached to one already running. */
  started: boolean;
}

/** Clusters this process opened: their server user, for closing them (also from the `exit` hook). */
const open = new Map<string, { user: ServerUser | undefined; binaries: EmbeddedBinaries; log: (line: string) => void }>();

/**
 * Starts the embedded PostgreSQL on `dir` (`initdb` on first use), or attaches to the one already
 * serving it — another process's, or one left running by a process killed with SIGKILL — and
 * registers this process as one of its users. A `postmaster.pid` whose process is gone is removed.
 * The server runs in its own session (pg_ctl), so a Ctrl-C in the terminal reaches only our process,
 * which closes its pools before `closeCluster` stops the server; a process that exits without
 * calling it closes it from its `exit` hook.
 */
export async function openCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binaries = embeddedBinaries();
  installVendoredPgvector(join(packageRoot(), 'vendor', 'pgvector', platformKey()), binaries.nativeDir, binaries.major);
  const user = serverUser(log);
  if (user) checkReachable(binaries, user);
  const dir = options.dir;
  mkdirSync(dirname(dir), { recursive: true });
  const unlock = lockFile(`${dir}.lock`);
  try {
    if (!readState(dir)) initialise(dir, binaries, user, options.auth ?? 'scram-sha-256');
    const state = readState(dir)!;
    let port = await runningPort(dir, state.password, log);
    const started = port === undefined;
    if (port === undefined) port = await start(dir, state.port, options, binaries, user);
    if (!(await answers(port, state.password))) throw new Error(`the embedded PostgreSQL on ${EMBEDDED_HOST}:${port} does not accept our login: see ${join(dir, 'postgres.log')}`);
    writeState(dir, { ...state, port, users: [...state.users.filter((pid) => pid !== process.pid && isLiveUser(pid)), process.pid] });
    if (!open.has(dir)) process.once('exit', () => closeCluster(dir));
    open.set(dir, { user, binaries, log });
    return { dir, host: EMBEDDED_HOST, port, user: 'postgres', password: state.password, version: binaries.version.replace(/^(\d+\.\d+).*/, '$1'), started };
  } finally {
    unlock();
  }
}

/**
 * This process stops using the cluster: when no other live process is registered on it, the server
 * is stopped (fast shutdown: open sessions are ended, committed data is kept). Synchronous, so the
 * `exit` hook can call it; a second call does nothing.
 */
export function closeCluster(dir: string): void {
  const opened = open.get(dir);
  open.delete(dir);
  if (!existsSync(dir)) return;
  const unlock = lockFile(`${dir}.lock`);
  try {
    const state = readState(dir);
    // Not ours to close: never opened here (or closed already).
    if (!state || (!opened && !state.users.includes(process.pid))) return;
    const log = opened?.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const others = state.users.filter((pid) => pid !== process.pid && isLiveUser(pid));
    writeState(dir, { ...state, users: others });
    if (others.length > 0) {
      log(`embedded PostgreSQL left running for ${others.length} other process(es) using it (pid ${others.join(', ')})`);
      return;
    }
    if (!existsSync(join(dir, 'postmaster.pid'))) return;
    const stop = run((opened?.binaries ?? embeddedBinaries()).pgCtl, ['stop', '-D', dir, '-m', 'fast', '-w', '-t', '30', '-s'], opened ? opened.user : serverUser(log));
    if (stop.status !== 0) log(`the embedded PostgreSQL did not stop (${lastLine(stop.stderr) || `pg_ctl exited ${stop.status}`}): see ${join(dir, 'postgres.log')}`);
  } finally {
    unlock();
  }
}

/** As root, the binaries run as the user postgres: every folder above node_modules must be open to it. */
function checkReachable(binaries: EmbeddedBinaries, user: ServerUser): void {
  const result = run(binaries.postgres, ['--version'], user);
  if (result.status !== 0) {
    throw new Error(`the embedded PostgreSQL runs as user "${user.name}" (initdb refuses root), which cannot run ${binaries.postgres} (${lastLine(result.stderr) || `exit ${result.status}`}): open the folders above it to that user (chmod o+x), or set DATABASE_URL / DB_HOST`);
  }
}

/** `initdb` into a temporary folder renamed into place when it succeeded, so an interrupted one leaves nothing half made. */
function initialise(dir: string, binaries: EmbeddedBinaries, user: ServerUser | undefined, auth: 'scram-sha-256' | 'trust'): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.includes('PG_VERSION')) throw new Error(`${dir} holds a PostgreSQL cluster that cognition-os did not make (no cognition-os.json): set EMBEDDED_PG_DIR to another folder`);
    if (entries.length > 0) throw new Error(`${dir} is not empty and holds no PostgreSQL cluster: set EMBEDDED_PG_DIR to another folder`);
    rmSync(dir, { recursive: true });
  }
  const fresh = `${dir}.initdb`;
  const passwordFile = `${dir}.password`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) for (const path of [fresh, passwordFile]) chownSync(path, user.uid, user.gid);
    const result = run(binaries.initdb, ['-D', fresh, '--username=postgres', `--auth=${auth}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', ...localeArgs()], user);
    if (result.status !== 0) {
      const who = user ? ` as user "${SERVER_USER}" (initdb refuses root; every folder above ${dir} must be open to that user)` : '';
      throw new Error(`initdb of the embedded PostgreSQL failed${who}: ${lastLine(result.stderr) || `exit ${result.status}`}`);
    }
  } catch (error) {
    rmSync(fresh, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(passwordFile, { force: true });
  }
  renameSync(fresh, dir);
  writeState(dir, { password, port: 0, users: [] });
}

/** C.UTF-8 where the system has it (as Debian's PostgreSQL), else en_US.UTF-8, else the C locale. */
function localeArgs(): string[] {
  const result = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const locales = new Set((result.stdout ?? '').split('\n').map((l) => l.trim()));
  const locale = ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((l) => locales.has(l));
  return locale ? [`--locale=${locale}`] : ['--no-locale'];
}

/**
 * The port of a server already running on `dir` that answers, or undefined when none runs. Waits
 * (30 s at most) for one starting or stopping; removes the `postmaster.pid` of a process that is gone
 * (or is no longer that server: a pid reused after a crash).
 */
async function runningPort(dir: string, password: string, log: (line: string) => void): Promise<number | undefined> {
  const pidFile = join(dir, 'postmaster.pid');
  const until = Date.now() + 30_000;
  for (;;) {
    if (!existsSync(pidFile)) return undefined;
    const info = parsePostmasterPid(readFileSync(pidFile, 'utf8'));
    if (info && !isPostmasterOf(info.pid, dir)) {
      log(`embedded PostgreSQL: removing the stale ${pidFile} (pid ${info.pid} is gone)`);
      rmSync(pidFile, { force: true });
      return undefined;
    }
    if (info?.status === 'ready' && (await answers(info.port, password))) return info.port;
    if (Date.now() > until) {
      throw new Error(`an embedded PostgreSQL${info ? ` (pid ${info.pid})` : ''} holds ${dir} but does not answer${info ? ` on ${EMBEDDED_HOST}:${info.port}` : ''}: stop it${info ? ` (kill ${info.pid})` : ''} and start again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isPostmasterOf(pid: number, dir: string): boolean {
  if (!isAlive(pid)) return false;
  const command = commandLine(pid);
  return command === undefined || (/postgres/.test(command) && command.includes(realpathSync(dir)));
}

/** `pg_ctl start`: the server detaches into its own session and logs to `<dir>/postgres.log`; retried on another port if the chosen one was taken meanwhile. */
async function start(dir: string, lastPort: number, options: ClusterOptions, binaries: EmbeddedBinaries, user: ServerUser | undefined): Promise<number> {
  const settings = { listen_addresses: EMBEDDED_HOST, unix_socket_directories: "''", ...options.settings };
  const logFile = join(dir, 'postgres.log');
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (attempt === 0 && lastPort > 0 && (await isFree(lastPort)) ? lastPort : await freePort());
    const flags = [`-p ${port}`, ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)].join(' ');
    const result = run(binaries.pgCtl, ['start', '-D', realpathSync(dir), '-w', '-t', '60', '-s', '-l', logFile, '-o', flags], user);
    if (result.status === 0) return port;
    const logged = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    if (options.port === undefined && attempt < 2 && /could not bind|already in use/i.test(logged)) continue;
    const reason = lastLine(logged.split('\n').filter((l) => /FATAL|ERROR|PANIC/.test(l)).join('\n')) || lastLine(result.stderr) || `pg_ctl exited ${result.status}`;
    throw new Error(`the embedded PostgreSQL did not start on port ${port} (${reason}): see ${logFile}`);
  }
}

/** Runs a PostgreSQL tool as the server user (or as ourselves). */
function run(command: string, args: string[], user: ServerUser | undefined) {
  const options: SpawnSyncOptions = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...(user ? { uid: user.uid, gid: user.gid } : {}) };
  const result = spawnSync(command, args, options);
  return { status: result.error ? -1 : result.status, stderr: result.error ? result.error.message : String(result.stderr ?? '') };
}

async function answers(port: number, password: string): Promise<boolean> {
  const client = new Client({ host: EMBEDDED_HOST, port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, EMBEDDED_HOST, () => server.close(() => resolve(true)));
  });
}

/** A port the system picks (from its ephemeral range: never 5432). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, EMBEDDED_HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()!.trim();
}

/** The folder of this package's package.json (src/ or dist/src/ below it): vendor/ lives there. */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'vendor'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
