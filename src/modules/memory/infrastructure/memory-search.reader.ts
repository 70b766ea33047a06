import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { MemoryFilters } from '../contracts';
import { countMatchesSql, TextRow, textSearchSql, VectorRow, vectorSearchSql } from './memory-search.sql';
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
 * therefore one statement, one round trip.
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
    return this.pool.run(async (connection) => {
      const estimatedMatches = cap > 0 ? await this.countMatches(connection, search, cap) : undefined;
      const strategy = estimatedMatches !== undefined && estimatedMatches <= cap ? 'exact' : 'index';
      if (strategy === 'index') await connection.useEfSearch(Math.max(search.efSearch ?? this.pool.defaultEfSearch, search.limit));
      const sql = vectorSearchSql({ ...search, strategy, matches: estimatedMatches });
      const rows = await connection.query<VectorRow>(sql.text, sql.params, sql.name);
      if (strategy === 'index') rows.sort((a, b) => a.distance - b.distance);
      return { rows, strategy, estimatedMatches };
    });
  }

  async text(tenantId: string, filters: MemoryFilters, query: string, limit: number, withEmbedding = false): Promise<TextRow[]> {
    const sql = textSearchSql(tenantId, filters, query, limit, withEmbedding);
    return this.pool.run((connection) => connection.query<TextRow>(sql.text, sql.params, sql.name));
  }

  /** Forgets every remembered count (tests, and after bulk changes). */
  forgetCounts(): void {
    this.counts.clear();
  }

  private async countMatches(connection: SearchConnection, search: VectorSearch, cap: number): Promise<number> {
    const key = JSON.stringify([search.tenantId, search.model, search.filters]);
    const now = Date.now();
    const known = this.counts.get(key);
    if (known && known.until > now) return known.n;
    const sql = countMatchesSql(search.tenantId, search.filters, search.model, cap + 1);
    const [{ n }] = await connection.query<{ n: number }>(sql.text, sql.params, sql.name);
    if (this.counts.size >= MAX_REMEMBERED) this.counts.delete(this.counts.keys().next().value!);
    this.counts.delete(key);
    this.counts.set(key, { n, until: now + (n > cap ? LARGE_TTL_MS : SMALL_TTL_MS) });
    return n;
  }
}
