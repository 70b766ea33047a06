/**
 * The application processes under test. Each start of a role (api-1, api-2, worker) is one
 * `Instance`: its pid, its log file (stdout and stderr), and how it ended. A process is restarted
 * only by the scenario, right after the scenario itself killed it; any other exit is recorded and
 * left alone.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Role = 'api-1' | 'api-2' | 'worker';

export interface Exit {
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Instance {
  role: Role;
  generation: number;
  pid: number;
  startedAt: number;
  logFile: string;
  /** Set by the scenario before it sends the signal. */
  intended?: { signal: 'SIGKILL' | 'SIGTERM'; at: number };
  exit?: Exit;
  exited: Promise<Exit>;
  child: ChildProcess;
}

export interface ProcessSpec {
  role: Role;
  /** Script relative to the build directory, e.g. `src/main.js`. */
  script: string;
  env: Record<string, string>;
}

export class ProcessSet {
  readonly instances: Instance[] = [];
  private readonly current = new Map<Role, Instance>();

  constructor(
    private readonly buildDir: string,
    private readonly logDir: string,
    private readonly cwd: string,
    private readonly since: () => number,
  ) {}

  start(spec: ProcessSpec): Instance {
    const generation = this.instances.filter((i) => i.role === spec.role).length + 1;
    const logFile = join(this.logDir, `${spec.role}.${generation}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(this.buildDir, spec.script)], { cwd: this.cwd, env: spec.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${spec.role}: could not spawn node`);
    const instance: Instance = { role: spec.role, generation, pid: child.pid, startedAt: this.since(), logFile, exited: Promise.resolve({ at: 0, code: null, signal: null }), child };
    instance.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        instance.exit = { at: this.since(), code, signal };
        resolve(instance.exit);
      });
    });
    this.instances.push(instance);
    this.current.set(spec.role, instance);
    return instance;
  }

  /** The latest instance of a role, running or not. */
  latest(role: Role): Instance | undefined {
    return this.current.get(role);
  }

  running(role: Role): Instance | undefined {
    const i = this.current.get(role);
    return i && !i.exit ? i : undefined;
  }

  /** Sends a signal the scenario intends (recorded before it is sent). */
  signal(instance: Instance, signal: 'SIGKILL' | 'SIGTERM'): void {
    instance.intended = { signal, at: this.since() };
    instance.child.kill(signal);
  }

  /** Last resort on any exit path: SIGKILL everything still running (synchronous). */
  killAllSync(): void {
    for (const i of this.instances) if (!i.exit) i.child.kill('SIGKILL');
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(
      this.instances
        .filter((i) => !i.exit)
        .map(async (i) => {
          i.child.kill('SIGTERM');
          const timer = setTimeout(() => i.child.kill('SIGKILL'), graceMs);
          await i.exited;
          clearTimeout(timer);
        }),
    );
  }
}

/** The last lines of a log that look like errors (JSON logs with level ≥ 50, or plain text). */
export function lastErrorLines(logFile: string, max = 3): string[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n').reverse()) {
    if (!line.trim()) continue;
    let summary: string | null = null;
    if (line.startsWith('{')) {
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; type?: string }; context?: string; loop?: string };
        if ((j.level ?? 0) >= 50) summary = [j.loop ?? j.context, j.msg, j.err?.message].filter(Boolean).join(': ');
      } catch {
        summary = null;
      }
    } else if (/error|unhandled|exception|ECONN|terminat/i.test(line) && !/^\s+at /.test(line)) {
      summary = line.trim();
    }
    if (summary) out.push(summary.replace(/\s+/g, ' ').slice(0, 200));
    if (out.length >= max) break;
  }
  return out.reverse();
}
