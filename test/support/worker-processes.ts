import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { startTs } from './processes';
import { TEST_DB, TestDatabase } from './test-database';

/** Starts `src/worker.ts` (the worker-only process) against a test database. */
export function startWorkerProcess(db: TestDatabase, env: Record<string, string> = {}): ChildProcess {
  return startTs('src/worker.ts', { ...db.env, LOG_LEVEL: 'silent', BOOTSTRAP_API_KEY: '', ...env });
}

/**
 * Waits until `connections` LISTEN connections are open on the database: each process has one
 * (`cognition-os-listener:<pid>`), shared by the relay and the workers.
 */
export async function waitForListeners(db: TestDatabase, connections: number, ms = 120_000): Promise<void> {
  const client = new Client({ ...TEST_DB, database: db.name });
  await client.connect();
  try {
    const until = Date.now() + ms;
    for (;;) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'cognition-os-listener:%'`,
        [db.name],
      );
      if (rows[0].n >= connections) return;
      if (Date.now() > until) throw new Error(`only ${rows[0].n} listener connections after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
}

export function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
