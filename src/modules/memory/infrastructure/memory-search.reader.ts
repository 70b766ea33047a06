import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { MemoryFilters } from '../contracts';
import { countMatchesSql, SqlStatement, TextRow, textSearchSql, VectorRow, vectorSearchSql } from './memory-search.sql';
import { MemorySearchPool, SearchConnection } from './memory-search.pool';

export interface VectorSearch {
  tenantId: string;
  filters: MemoryFilters;
  model: string;
  dimensions: number;
  vector: readonly number[];
  limit: number;
  /** The HNSW candidate list (raised to `limit` when smaller); default MEMORY_EF_SEARCH. */
  efSearch?: number;
  /** Read each row's vector too (only when the caller returns it). */
  withEmbedding?: boolean;
}

export interface VectorSearchOutcome {
  rows: VectorRow[];
  strategy: 'index' | 'exact';
  /** The matching rows of the model, counted up to MEMORY_EXACT_SCAN_MAX_ROWS + 1 (that value means "more"). */
  estimatedMatches?: number;
}

const LARGE_TTL_MS = 60_000;
const SMALL_TTL_MS = 5_000;
const MAX_REMEMBERED = 10_000;

/**
 * Runs the vector and full-text parts of a search, one connection of the search pool each.
 *
 * The filter strategy is chosen per query. The matching rows of the model are counted, stopping at
 * MEMORY_EXACT_SCAN_MAX_ROWS + 1: at most that many, the search is an exact scan of them (found
 * through the filter's B-tree/GiST/GIN indexes, every distance computed, recall 1); more, the
 * search walks the model's HNSW index with `hnsw.iterative_scan = relaxed_order` (set on the pool's
 * connections), which keeps scanning until `limit` rows pass the filter, and the rows are re-sorted
 * by distance (relaxed order may be slightly out of order). The count is remembered per tenant,
 * model and filters (60 s when above the threshold, 5 s otherwise): it only picks the strategy, and
 * either strategy answers correctly, so a stale count costs speed, never results. A warm search is
 * therefore one statement, one round trip. The count, the exact scan and full-text are sent on the
 * search pool's per-execution connections (planned for their values, parsed once per connection),
 * the index scan on its cached ones (memory-search.pool.ts); an index search whose count is not
 * remembered takes one connection of each.
 */
@Injectable()
export class MemorySearchReader {
  private readonly counts = new Map<string, { n: number; until: number }>();

  constructor(
    private readonly pool: MemorySearchPool,
    private readonly config: AppConfig,
  ) {}

  async vector(search: VectorSearch): Promise<VectorSearchOutcome> {
    const cap = this.config.get('MEMORY_EXACT_SCAN_MAX_ROWS');
    if (cap <= 0) return this.indexScan(search, undefined);
    const remembered = this.rememberedCount(search);
    if (remembered !== undefined && remembered > cap) return this.indexScan(search, remembered);
    const counted = await this.countAndExactScan(search, cap, remembered);
    return counted.rows ? { rows: counted.rows, strategy: 'exact', estimatedMatches: counted.n } : this.indexScan(search, counted.n);
  }

  async text(tenantId: string, filters: MemoryFilters, query: string, limit: number, withEmbedding = false): Promise<TextRow[]> {
    const sql = textSearchSql(tenantId, filters, query, limit, withEmbedding);
    return this.pool.run((connection) => send<TextRow>(connection, sql), sql.plans);
  }

  /** The count (unless remembered) and, when at most `cap` rows match, the exact scan: one connection of the per-execution pool. */
  private countAndExactScan(search: VectorSearch, cap: number, remembered: number | undefined): Promise<{ n: number; rows?: VectorRow[] }> {
    return this.pool.run(async (connection) => {
      const n = remembered ?? (await this.countMatches(connection, search, cap));
      if (n > cap) return { n };
      return { n, rows: await send<VectorRow>(connection, vectorSearchSql({ ...search, strategy: 'exact', matches: n })) };
    }, 'per-execution');
  }

  private indexScan(search: VectorSearch, estimatedMatches: number | undefined): Promise<VectorSearchOutcome> {
    return this.pool.run(async (connection) => {
      await connection.useEfSearch(Math.max(search.efSearch ?? this.pool.defaultEfSearch, search.limit));
      const rows = await send<VectorRow>(connection, vectorSearchSql({ ...search, strategy: 'index' }));
      rows.sort((a, b) => a.distance - b.distance);
      return { rows, strategy: 'index', estimatedMatches };
    }, 'cached');
  }

  /** Forgets every remembered count (tests, and after bulk changes). */
  forgetCounts(): void {
    this.counts.clear();
  }

  private countKey(search: VectorSearch): string {
    return JSON.stringify([search.tenantId, search.model, search.filters]);
  }

  private rememberedCount(search: VectorSearch): number | undefined {
    const known = this.counts.get(this.countKey(search));
    return known && known.until > Date.now() ? known.n : undefined;
  }

  private async countMatches(connection: SearchConnection, search: VectorSearch, cap: number): Promise<number> {
    const [{ n }] = await send<{ n: number }>(connection, countMatchesSql(search.tenantId, search.filters, search.model, cap + 1));
    const key = this.countKey(search);
    if (this.counts.size >= MAX_REMEMBERED) this.counts.delete(this.counts.keys().next().value!);
    this.counts.delete(key);
    this.counts.set(key, { n, until: Date.now() + (n > cap ? LARGE_TTL_MS : SMALL_TTL_MS) });
    return n;
  }
}

/** One statement on a connection of the pool its plans need (the caller checked out that pool's connection). */
function send<R>(connection: SearchConnection, sql: SqlStatement): Promise<R[]> {
  return connection.query<R>(sql.text, sql.params, sql.name);
}
