import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseError, Pool, PoolClient } from 'pg';
import { AppConfig } from '@cognition/config/app-config';
import { pgClientConfig } from '@cognition/platform/database/pg-connection';

/**
 * How the statements sent on a connection are planned. `cached`: a prepared statement keeps its
 * plan (PostgreSQL's default: generic after five executions), for statements whose plan never
 * depends on the values (the index strategy, see memory-search.sql.ts). `per-execution`: the
 * connection runs with `plan_cache_mode = force_custom_plan`, so a prepared statement is parsed
 * once per connection and planned for its values at every execution (the exact strategy, the
 * count, full-text), which saves the parse of an unnamed statement and keeps the plan right.
 */
export type SearchPlans = 'cached' | 'per-execution';

/** One connection of the search pool, checked out for one search. */
export interface SearchConnection {
  /** One statement; a `name` makes it a prepared statement (parsed once per connection; planned as the pool's SearchPlans say). */
  query<R = Record<string, unknown>>(text: string, params: unknown[], name?: string): Promise<R[]>;
  /** Sets `hnsw.ef_search` for the next statements, only when the connection's value differs (one round trip then, none otherwise). */
  useEfSearch(ef: number): Promise<void>;
}

/**
 * Two small pg pools of their own for memory search, one per SearchPlans (each of at most half of
 * DB_POOL_SIZE connections, at least 2), so a search costs one round trip: their connections start
 * (through the startup packet, no extra statement) with `hnsw.iterative_scan = relaxed_order`
 * (and the IVFFlat equivalent), so filtered index scans keep scanning until they have enough rows,
 * and with `hnsw.ef_search = MEMORY_EF_SEARCH`. The current ef_search of each connection is
 * remembered and changed only when a query needs another value. Reads only (plus the batched
 * access counts), outside any command transaction: a search never holds a connection of TypeORM's
 * pool, so it cannot deadlock with a command that holds one.
 *
 * `enable_sort = off`: a search of the index strategy always walks the vector index, even under a
 * generic plan, so the strategy an answer reports is the plan's (see memory-search.sql.ts and
 * memory-search-plans.int-spec.ts). Every other statement sent here sorts whatever plan it gets,
 * so the setting does not change their choice.
 *
 * IVFFlat `probes` starts at ⌈√lists⌉ (pgvector's suggestion); iterative scans raise it when a
 * filter needs more. `synchronous_commit` is off: the only writes here are the access counts.
 */
@Injectable()
export class MemorySearchPool implements OnApplicationShutdown {
  private readonly logger = new Logger(MemorySearchPool.name);
  private readonly pools = new Map<SearchPlans, Pool>();
  private readonly efOf = new WeakMap<PoolClient, number>();

  constructor(private readonly config: AppConfig) {}

  get defaultEfSearch(): number {
    return this.config.get('MEMORY_EF_SEARCH');
  }

  /** Runs `fn` on a connection of the pool that plans statements as `plans` says. */
  async run<T>(fn: (connection: SearchConnection) => Promise<T>, plans: SearchPlans = 'cached'): Promise<T> {
    const client = await this.getPool(plans).connect();
    let broken: Error | undefined;
    // A checked-out client has no 'error' listener of the pool's: a connection lost between two
    // statements would otherwise be an unhandled 'error' event, which ends the process.
    const onError = (e: Error) => (broken = e);
    client.on('error', onError);
    try {
      return await fn(this.connection(client));
    } catch (error) {
      // A statement error leaves the session usable; a lost connection does not.
      if (!(error instanceof DatabaseError)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }

  private connection(client: PoolClient): SearchConnection {
    return {
      query: async <R>(text: string, params: unknown[], name?: string) =>
        (await client.query(name ? { name, text, values: params } : { text, values: params })).rows as R[],
      useEfSearch: async (ef: number) => {
        const current = this.efOf.get(client) ?? this.defaultEfSearch;
        if (current === ef) return;
        await client.query(`SET hnsw.ef_search = ${Math.trunc(ef)}`);
        this.efOf.set(client, ef);
      },
    };
  }

  private getPool(plans: SearchPlans): Pool {
    const existing = this.pools.get(plans);
    if (existing) return existing;
    const env = this.config.all;
    const probes = Math.max(1, Math.ceil(Math.sqrt(env.MEMORY_IVFFLAT_LISTS)));
    const options = [
      'hnsw.iterative_scan=relaxed_order',
      'ivfflat.iterative_scan=relaxed_order',
      `hnsw.ef_search=${env.MEMORY_EF_SEARCH}`,
      `ivfflat.probes=${probes}`,
      // The index strategy's statement is served by the vector index whatever the planner estimates:
      // ordering by distance otherwise needs a sort. A cached generic plan of it (PostgreSQL's choice
      // after five executions), which cannot see how selective a filter is, once picked a bitmap scan
      // of the filter's index + a sort for broad filters: 10x slower, while the answer said "index".
      // Statements whose plan should depend on their values go to the per-execution pool (memory-search.sql.ts).
      'enable_sort=off',
      // That makes the cost of every plan with a sort ≥ 1e10, far above jit_above_cost: JIT would then
      // compile each such statement (≈ 100+ ms). No search statement is worth compiling.
      'jit=off',
      // Only the batched access counts write here: one lost in a crash is harmless, so no WAL flush wait.
      'synchronous_commit=off',
      ...(plans === 'per-execution' ? ['plan_cache_mode=force_custom_plan'] : []),
    ]
      .map((o) => `-c ${o}`)
      .join(' ');
    const pool = new Pool({
      ...pgClientConfig(env),
      application_name: plans === 'cached' ? 'cognition-os-memory-search' : 'cognition-os-memory-search-planned',
      options,
      max: Math.max(2, Math.ceil(env.DB_POOL_SIZE / 2)),
      idleTimeoutMillis: 30_000,
    });
    pool.on('error', (e) => this.logger.warn(`memory search connection lost: ${e.message}`));
    this.pools.set(plans, pool);
    return pool;
  }
}
