/**
 * Child processes for benchmarks: long-running servers that are always stopped when the bench
 * process ends (normally, on error, or on Ctrl-C), and one-shot commands that must succeed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  process: ChildProcess;
  /** Last lines the child wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the exit code (or signal) once the child has exited. */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Child>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort: the bench process is exiting, whatever the reason; nothing async runs here.
  process.on('exit', () => {
    for (const child of running) child.process.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping child processes`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** Starts a long-running child; its output goes to our stderr prefixed with `[name]`. */
export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Child {
  installHandlers();
  const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    proc.once('error', (error) => resolve(`spawn error: ${error.message}`));
  });
  const child: Child = {
    name,
    process: proc,
    tail: () => lines.join('\n'),
    exited,
    stop: async (graceMs = 5000) => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** Stops every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * Runs a command to completion; rejects unless it exits with code 0. With `quiet`, its output is
 * kept and shown only when it fails.
 */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), quiet = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd, env, stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'] });
    const output: Buffer[] = [];
    proc.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      if (quiet) process.stderr.write(Buffer.concat(output));
      reject(new Error(`\`${command} ${args.join(' ')}\` failed with ${signal ? `signal ${signal}` : `code ${code}`}`));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
