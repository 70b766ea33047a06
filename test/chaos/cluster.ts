/**
 * A private PostgreSQL cluster for the chaos test: its own data directory in a temp dir, its own
 * port, trust authentication on 127.0.0.1 only. The machine's shared server is never touched.
 *
 * `initdb` refuses to run as root, so when we are root the directory belongs to the `postgres`
 * user and every server binary runs through `runuser -u postgres --`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export const SHARED_POSTGRES_PORT = 5432;

function pgBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  for (const version of ['15', '16', '17']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  throw new Error('PostgreSQL server binaries not found: set PG_BIN (e.g. /usr/lib/postgresql/15/bin)');
}

function postgresUser(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root but there is no `postgres` user to own the cluster (initdb refuses root)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export class PrivateCluster {
  readonly bin = pgBinDir();
  readonly root: string;
  readonly dataDir: string;
  readonly logFile: string;
  private readonly owner = postgresUser();
  private running = false;
  private removed = false;

  constructor(readonly port: number) {
    if (port === SHARED_POSTGRES_PORT) throw new Error(`refusing to use port ${port}: that is the shared server`);
    this.root = mkdtempSync(join(tmpdir(), 'cognition-chaos-pg-'));
    if (this.owner) chownSync(this.root, this.owner.uid, this.owner.gid);
    this.dataDir = join(this.root, 'data');
    this.logFile = join(this.root, 'postgres.log');
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Arguments of a server binary, wrapped in `runuser -u postgres --` when we are root. */
  private command(binary: string, args: string[]): [string, string[]] {
    const path = join(this.bin, binary);
    return this.owner ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private run(binary: string, args: string[], timeoutMs = 120_000): Promise<void> {
    const [command, argv] = this.command(binary, args);
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv, { cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (e) => (clearTimeout(timer), reject(e)));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${binary} ${args.join(' ')} failed (${signal ?? `code ${code}`}):\n${output.trim()}`));
      });
    });
  }

  async init(): Promise<void> {
    await this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    // Durability stays on (fsync, synchronous_commit): the test is about surviving restarts.
    appendFileSync(
      join(this.dataDir, 'postgresql.conf'),
      [
        '',
        '# cognition-os chaos test',
        `port = ${this.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.root}'`,
        'max_connections = 300',
        'fsync = on',
        'synchronous_commit = on',
        'shared_buffers = 128MB',
        "log_line_prefix = '%m [%p] %q%a '",
        'log_connections = off',
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    await this.run('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60']);
    this.running = true;
  }

  /** `pg_ctl stop -m fast`: every session is terminated, the server shuts down cleanly. */
  async stop(): Promise<void> {
    this.running = false;
    await this.run('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60']);
  }

  /** `pg_ctl restart -m fast`. */
  async restart(): Promise<void> {
    this.running = false;
    await this.run('pg_ctl', ['restart', '-D', this.dataDir, '-m', 'fast', '-l', this.logFile, '-w', '-t', '60']);
    this.running = true;
  }

  client(database = 'postgres'): Client {
    return new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', password: '', database, application_name: 'cognition-chaos-observer' });
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = this.client(database);
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async version(): Promise<string> {
    const [row] = await this.query<{ version: string }>('select version()');
    return row.version;
  }

  /**
   * Synchronous, so it can run from any exit path (error, SIGINT, process 'exit'): stops the
   * server immediately and deletes the directory, keeping a copy of the server log if asked.
   */
  destroySync(keepLogAs?: string): void {
    if (this.removed) return;
    this.removed = true;
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      const [command, argv] = this.command('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30']);
      spawnSync(command, argv, { cwd: this.root, stdio: 'ignore', timeout: 40_000 });
    }
    this.running = false;
    if (keepLogAs && existsSync(this.logFile)) {
      try {
        copyFileSync(this.logFile, keepLogAs);
      } catch {
        /* the log is a convenience */
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
