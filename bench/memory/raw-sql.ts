/**
 * The limit: pgvector queried directly through `pg` on the same table and the same partial HNSW
 * index our API created (`… USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE
 * embedding_model = 'bench-384'`). One dedicated connection per concurrent client, session settings
 * (`hnsw.ef_search`, `hnsw.iterative_scan`) set on each before a pass, named prepared statements,
 * no parallel query (max_parallel_workers_per_gather = 0).
 * The model name is a literal so that the planner can match the partial index.
 */
import { Client } from 'pg';
import { pgAdminConfig } from '../support/postgres';

export const MODEL = 'bench-384';

export type RawVariant =
  /** ORDER BY distance LIMIT k: the HNSW index. */
  | 'index'
  /** + WHERE namespace <@ subtree, hnsw.iterative_scan = off: the planner's choice (at 1 % it may sort the subtree exactly). */
  | 'filtered-plain'
  /** The same with `enable_sort = off`: the HNSW index, then the filter on its ef_search candidates (loses recall). */
  | 'filtered-plain-hnsw'
  /** + WHERE namespace <@ subtree, hnsw.iterative_scan = relaxed_order (run with enable_sort = off: the HNSW index). */
  | 'filtered-iterative'
  /** ORDER BY distance + 0: no vector index, every candidate's distance computed (exact). */
  | 'exact'
  /**
   * The statement our API sends for an unfiltered vector search, written out here: every column of
   * the memory but the vector, the tenant / status / expiry conditions every search has, run with
   * hnsw.iterative_scan = relaxed_order (as our search connections are). Splits ours − raw into
   * "the SQL we send" and "everything around it".
   */
  | 'api-shape';

const API_COLUMNS = `id, tenant_id, user_id, agent_id, session_id, content, memory_type, scope, namespace::text AS namespace, embedding_model,
  status, importance, metadata, tags, access_count, last_accessed_at, expires_at, summary_of, created_at, updated_at, row_version`;

const DISTANCE = `embedding::vector(384) <=> $1::vector(384)`;

function sqlOf(variant: RawVariant, filtered: boolean, k: number): string {
  if (variant === 'api-shape') {
    return `SELECT ${API_COLUMNS}, ${DISTANCE} AS distance FROM memories
      WHERE tenant_id = $2 AND (expires_at IS NULL OR expires_at > now()) AND status IN ('active', 'compressed') AND embedding_model = '${MODEL}' AND NOT vector_pending
      ORDER BY ${DISTANCE} LIMIT ${k}`;
  }
  // The model's partial index holds the rows whose vector is indexed (`NOT vector_pending`): every
  // row here, since the bench's writes are loaded in bulk and indexed before the searches.
  const where = `embedding_model = '${MODEL}' AND NOT vector_pending${filtered ? ' AND namespace <@ $2::ltree' : ''}`;
  const order = variant === 'exact' ? `(${DISTANCE}) + 0` : DISTANCE;
  return `SELECT id FROM memories WHERE ${where} ORDER BY ${order} LIMIT ${k}`;
}

/** The statements of the variants the comparison runs, keyed `<variant>:<f|u>` (filtered or not), for bench/memory/bare-search-server.mjs. */
export function comparisonStatements(k: number): Record<string, string> {
  const variants: RawVariant[] = ['index', 'filtered-iterative', 'exact'];
  return Object.fromEntries(variants.flatMap((v) => [[`${v}:u`, sqlOf(v, false, k)], [`${v}:f`, sqlOf(v, true, k)]]));
}

/** A pass's session settings (RawSql.configure, and the HTTP peer's connections). */
export function sessionSettings(efSearch: number, iterative: 'off' | 'relaxed_order', filtered: boolean, forceIndex: boolean): string[] {
  return [
    `SET hnsw.ef_search = ${Number(efSearch)}`,
    `SET hnsw.iterative_scan = ${iterative}`,
    `SET plan_cache_mode = ${filtered ? 'force_custom_plan' : 'auto'}`,
    `SET enable_sort = ${forceIndex ? 'off' : 'on'}`,
  ];
}

export class RawSql {
  private clients: Client[] = [];
  /** The tenant of the loaded memories (for the `api-shape` statement). */
  tenantId = '';

  constructor(
    private readonly database: string,
    private readonly concurrency: number,
  ) {}

  async connect(): Promise<void> {
    for (let i = 0; i < this.concurrency; i++) {
      const c = new Client({ ...pgAdminConfig(this.database), application_name: `bench-memory-raw-${i}` });
      c.on('error', (error) => process.stderr.write(`[raw sql ${i}] ${error.message}\n`));
      await c.connect();
      this.clients.push(c);
    }
  }

  /**
   * Session settings on every connection. Filtered passes plan every execution with its parameters
   * (`plan_cache_mode = force_custom_plan`), so a generic plan cannot switch strategy mid-pass;
   * unfiltered ones keep PostgreSQL's default (a cached generic plan after five executions).
   */
  async configure(efSearch: number, iterative: 'off' | 'relaxed_order', filtered: boolean, forceIndex = false): Promise<void> {
    for (const c of this.clients) for (const statement of sessionSettings(efSearch, iterative, filtered, forceIndex)) await c.query(statement);
  }

  /** Parallel query off: 4 clients already keep 2 cores busy, and short-lived workers would blur the CPU accounting. */
  async noParallelQuery(): Promise<void> {
    for (const c of this.clients) await c.query('SET max_parallel_workers_per_gather = 0');
  }

  /** One query on client `client`; answers the ids, nearest first. */
  async search(client: number, variant: RawVariant, vector: string, namespace: string | undefined, k: number): Promise<string[]> {
    const filtered = namespace !== undefined;
    const text = sqlOf(variant, filtered, k);
    const { rows } = await this.clients[client].query<{ id: string }>({
      name: `bench_${variant}_${filtered ? 'f' : 'u'}_${k}`,
      text,
      values: this.values(variant, vector, namespace),
    });
    return rows.map((r) => r.id);
  }

  /** The plan's scan nodes for one query (to show whether the HNSW index was used), e.g. `Index Scan using idx… / Limit`. */
  async plan(variant: RawVariant, vector: string, namespace: string | undefined, k: number): Promise<string> {
    const filtered = namespace !== undefined;
    const { rows } = await this.clients[0].query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN ${sqlOf(variant, filtered, k)}`,
      values: this.values(variant, vector, namespace),
    });
    return rows
      .map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, '').replace(/\s+\(cost=.*$/, ''))
      .filter((line) => /^(Sort|Incremental Sort|.*Scan)\b/.test(line) && !line.startsWith('Sort Key'))
      .join(' → ');
  }

  private values(variant: RawVariant, vector: string, namespace: string | undefined): unknown[] {
    if (variant === 'api-shape') return [vector, this.tenantId];
    return namespace !== undefined ? [vector, namespace] : [vector];
  }

  async end(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => undefined)));
    this.clients = [];
  }
}
