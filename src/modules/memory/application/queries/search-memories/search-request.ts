import { describe } from '@cognition/platform/json-schema/json-values';
import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_TYPES, MemoryFilters, MemorySearchRequest, SearchMode } from '@cognition/memory/contracts';
import { MAX_EMBEDDING_DIMENSIONS, MAX_ID_LENGTH, MAX_MODEL_NAME_LENGTH } from '@cognition/memory/domain/memory-fields';
import { MemoryNamespace } from '@cognition/memory/domain/memory-namespace.value-object';
import { MemoryProblems } from '@cognition/memory/domain/memory-problems';
import { InvalidRelevanceWeights, normaliseWeights, RelevanceWeights } from '@cognition/memory/domain/ranking/relevance';

export const SEARCH_MODES: readonly SearchMode[] = ['vector', 'text', 'hybrid'];
export const MAX_K = 100;
export const MAX_EF_SEARCH = 1000;
export const MAX_QUERY_LENGTH = 10_000;
const MAX_TAG_LENGTH = 255;

/** A search request with its defaults applied and every rule checked. */
export interface SearchPlan {
  query?: string;
  embedding?: number[];
  embeddingModel?: string;
  k: number;
  mode: SearchMode;
  filters: MemoryFilters;
  minScore?: number;
  /** Normalised weights, or null without re-ranking. */
  rerank: RelevanceWeights | null;
  efSearch?: number;
  /** Read and return each hit's vector. */
  includeEmbedding: boolean;
}

const FILTER_KEYS = new Set(['namespace', 'userId', 'agentId', 'sessionId', 'scope', 'memoryType', 'tags', 'metadata', 'createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore', 'minImportance', 'includeArchived']);
const DATE_KEYS = ['createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore'] as const;
/** A value as a problem message shows it: numbers and strings themselves, other things by kind. */
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : describe(v));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * Checks a search request (the DTO checked its shape over HTTP; other callers, like the
 * `memory_search` step, come straight here) and applies the defaults. Every problem is reported at
 * once as a 422 VALIDATION_FAILED.
 */
export function planSearch(request: MemorySearchRequest): SearchPlan {
  const problems = new MemoryProblems();
  const r = request as unknown as Record<string, unknown>;
  const k = r.k ?? 10;
  if (!isInt(k, 1, MAX_K)) problems.add('k', 'OUT_OF_RANGE', `must be an integer from 1 to ${MAX_K}, got ${show(k)}`);
  const mode = r.mode ?? 'hybrid';
  if (!SEARCH_MODES.includes(mode as SearchMode)) problems.add('mode', 'INVALID_FORMAT', `must be one of ${SEARCH_MODES.join(', ')}, got ${show(mode)}`);
  if (r.query !== undefined && (typeof r.query !== 'string' || r.query.trim() === '' || r.query.length > MAX_QUERY_LENGTH)) {
    problems.add('query', 'INVALID_FORMAT', `must be a non-empty string of at most ${MAX_QUERY_LENGTH} characters`);
  }
  checkEmbedding(r.embedding, problems);
  if (r.embeddingModel !== undefined && (typeof r.embeddingModel !== 'string' || r.embeddingModel === '' || r.embeddingModel.length > MAX_MODEL_NAME_LENGTH)) {
    problems.add('embeddingModel', 'INVALID_FORMAT', `must be a string of 1–${MAX_MODEL_NAME_LENGTH} characters`);
  }
  if (r.query === undefined && r.embedding === undefined) problems.add('query', 'REQUIRED', 'a search needs a query text or an embedding');
  else if (mode === 'text' && r.query === undefined) problems.add('query', 'REQUIRED', 'is required in text mode');
  if (r.minScore !== undefined && (typeof r.minScore !== 'number' || !Number.isFinite(r.minScore))) problems.add('minScore', 'INVALID_TYPE', `must be a number, got ${show(r.minScore)}`);
  if (r.efSearch !== undefined && !isInt(r.efSearch, 1, MAX_EF_SEARCH)) problems.add('efSearch', 'OUT_OF_RANGE', `must be an integer from 1 to ${MAX_EF_SEARCH}, got ${show(r.efSearch)}`);
  if (r.includeEmbedding !== undefined && typeof r.includeEmbedding !== 'boolean') problems.add('includeEmbedding', 'INVALID_TYPE', `must be a boolean, got ${show(r.includeEmbedding)}`);
  const rerank = readRerank(r.rerank, problems);
  if (r.filters !== undefined) checkFilters(r.filters, problems);
  problems.throwIfAny('search');
  return {
    query: r.query as string | undefined,
    embedding: r.embedding as number[] | undefined,
    embeddingModel: r.embeddingModel as string | undefined,
    k: k as number,
    mode: mode as SearchMode,
    filters: (r.filters as MemoryFilters | undefined) ?? {},
    minScore: r.minScore as number | undefined,
    rerank,
    efSearch: r.efSearch as number | undefined,
    includeEmbedding: r.includeEmbedding === true,
  };
}

function checkEmbedding(vector: unknown, problems: MemoryProblems): void {
  if (vector === undefined) return;
  if (!Array.isArray(vector)) return problems.add('embedding', 'INVALID_TYPE', `must be an array of numbers, got ${describe(vector)}`);
  if (vector.length === 0 || vector.length > MAX_EMBEDDING_DIMENSIONS) {
    return problems.add('embedding', 'OUT_OF_RANGE', `must have 1–${MAX_EMBEDDING_DIMENSIONS} dimensions, got ${vector.length}`);
  }
  const bad = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) return problems.add(`embedding[${bad}]`, 'INVALID_TYPE', `must be a finite number, got ${describe(vector[bad])}`);
  if (vector.every((x) => x === 0)) problems.add('embedding', 'OUT_OF_RANGE', 'must not be all zeros (its cosine distance to anything is undefined)');
}

function readRerank(value: unknown, problems: MemoryProblems): RelevanceWeights | null {
  if (value === undefined || value === false) return null;
  if (value === true) return normaliseWeights();
  if (!isObject(value)) {
    problems.add('rerank', 'INVALID_TYPE', `must be true, false or an object of weights, got ${describe(value)}`);
    return null;
  }
  const unknown = Object.keys(value).filter((key) => !['similarity', 'recency', 'accessFrequency', 'importance'].includes(key));
  if (unknown.length) {
    problems.add(`rerank.${unknown[0]}`, 'INVALID_FORMAT', 'is not a weight (similarity, recency, accessFrequency, importance)');
    return null;
  }
  try {
    return normaliseWeights(value as Partial<RelevanceWeights>);
  } catch (error) {
    if (!(error instanceof InvalidRelevanceWeights)) throw error;
    problems.add('rerank', 'OUT_OF_RANGE', error.message);
    return null;
  }
}

function checkFilters(filters: unknown, problems: MemoryProblems): void {
  if (!isObject(filters)) return problems.add('filters', 'INVALID_TYPE', `must be an object, got ${describe(filters)}`);
  const at = (key: string) => `filters.${key}`;
  for (const key of Object.keys(filters)) if (!FILTER_KEYS.has(key)) problems.add(at(key), 'INVALID_FORMAT', 'is not a filter');
  const f = filters;
  if (f.namespace !== undefined) {
    const problem = typeof f.namespace === 'string' ? MemoryNamespace.problem(f.namespace) : 'must be a string';
    if (problem) problems.add(at('namespace'), 'INVALID_FORMAT', problem);
  }
  for (const key of ['userId', 'agentId', 'sessionId']) {
    const v = f[key];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v.length > MAX_ID_LENGTH)) problems.add(at(key), 'INVALID_FORMAT', `must be a string of 1–${MAX_ID_LENGTH} characters`);
  }
  if (f.scope !== undefined && !(MEMORY_SCOPES as readonly unknown[]).includes(f.scope)) problems.add(at('scope'), 'INVALID_FORMAT', `must be one of ${MEMORY_SCOPES.join(', ')}`);
  if (f.memoryType !== undefined && (!Array.isArray(f.memoryType) || f.memoryType.some((t) => !(MEMORY_TYPES as readonly unknown[]).includes(t)))) {
    problems.add(at('memoryType'), 'INVALID_FORMAT', `must be an array of ${MEMORY_TYPES.join(', ')}`);
  }
  if (f.minImportance !== undefined && !(MEMORY_IMPORTANCE as readonly unknown[]).includes(f.minImportance)) {
    problems.add(at('minImportance'), 'INVALID_FORMAT', `must be one of ${MEMORY_IMPORTANCE.join(', ')}`);
  }
  if (f.includeArchived !== undefined && typeof f.includeArchived !== 'boolean') problems.add(at('includeArchived'), 'INVALID_TYPE', 'must be a boolean');
  if (f.metadata !== undefined && !isObject(f.metadata)) problems.add(at('metadata'), 'INVALID_TYPE', 'must be an object');
  if (f.tags !== undefined) {
    const tags = f.tags;
    const listOk = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((t) => typeof t === 'string' && t !== '' && t.length <= MAX_TAG_LENGTH));
    if (!isObject(tags) || Object.keys(tags).some((key) => key !== 'any' && key !== 'all') || !listOk(tags.any) || !listOk(tags.all)) {
      problems.add(at('tags'), 'INVALID_FORMAT', `must be {any?: string[], all?: string[]} of 1–${MAX_TAG_LENGTH} characters each`);
    }
  }
  for (const key of DATE_KEYS) {
    const v = f[key];
    if (v !== undefined && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v)))) {
      problems.add(at(key), 'INVALID_FORMAT', 'must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z');
    }
  }
}
