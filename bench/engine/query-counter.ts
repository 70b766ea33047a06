/**
 * Counts the queries (client → server round trips) that this process sends to PostgreSQL through
 * node-postgres — graphile-worker, pg-boss and TypeORM all use the one `pg` package installed here,
 * so `Client.prototype.query` sees them all. A multi-statement string sent in one call counts once.
 * LISTEN connections count their LISTEN only; notifications cost no query.
 *
 * The harness reads `queryCount()` at `timing.start()` and `timing.stop()`: queries per step.
 */
import { Client } from 'pg';

const UNCOUNTED = Symbol('bench.uncounted');
let installed = false;
let total = 0;

export function installQueryCounter(): void {
  if (installed) return;
  installed = true;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function countedQuery(this: Record<symbol, unknown>, ...args: unknown[]) {
    if (!this[UNCOUNTED]) total++;
    return original.apply(this, args);
  };
}

export function queryCount(): number {
  return total;
}

/** Marks a client of the harness itself (e.g. completion polling): its queries are not counted. */
export function uncountedClient<T extends Client>(client: T): T {
  (client as unknown as Record<symbol, unknown>)[UNCOUNTED] = true;
  return client;
}
