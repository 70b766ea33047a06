import { useEffect, useState } from 'preact/hooks';
import { useClient } from '../../api';
import { Empty } from '../../components/empty';
import { Loading } from '../../components/loading';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { uiPath } from '../../routing';
import { excerpt, IMPORTANCES, MEMORY_TYPES, SCOPES, type Importance, type MemoryScope, type MemoryType, type SearchRequest, type SearchResponse } from './memory-types';
import { ScoreBar } from './score-bars';

interface Form {
  input: 'text' | 'vector';
  query: string;
  vector: string;
  embeddingModel: string;
  namespace: string;
  scope: '' | MemoryScope;
  memoryTypes: MemoryType[];
  tags: string;
  tagsMatch: 'any' | 'all';
  minImportance: '' | Importance;
  mode: 'hybrid' | 'vector' | 'text';
  k: string;
  minScore: string;
  rerank: boolean;
}

const INITIAL: Form = {
  input: 'text',
  query: '',
  vector: '',
  embeddingModel: '',
  namespace: '',
  scope: '',
  memoryTypes: [],
  tags: '',
  tagsMatch: 'any',
  minImportance: '',
  mode: 'hybrid',
  k: '10',
  minScore: '',
  rerank: false,
};

/** The request of a filled form, or the message of what is wrong with it. */
export function searchRequest(form: Form): SearchRequest | string {
  const body: SearchRequest = { mode: form.mode };
  if (form.input === 'text') {
    if (!form.query.trim()) return 'Enter a query text.';
    body.query = form.query.trim();
  } else {
    let vector: unknown;
    try {
      vector = JSON.parse(form.vector);
    } catch {
      return 'The vector is not valid JSON: enter an array of numbers, e.g. [0.1, -0.2, 0.3].';
    }
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return 'The vector must be a non-empty JSON array of numbers.';
    }
    body.embedding = vector as number[];
    // Without a model name the server takes the configured one (EMBEDDING_MODEL).
    if (form.embeddingModel.trim()) body.embeddingModel = form.embeddingModel.trim();
  }
  const k = Number(form.k);
  if (!Number.isInteger(k) || k < 1 || k > 100) return 'k must be a whole number from 1 to 100.';
  body.k = k;
  if (form.minScore.trim()) {
    const minScore = Number(form.minScore);
    if (!Number.isFinite(minScore)) return 'The minimum score must be a number.';
    body.minScore = minScore;
  }
  if (form.rerank) body.rerank = true;
  const filters: NonNullable<SearchRequest['filters']> = {};
  if (form.namespace.trim()) filters.namespace = form.namespace.trim();
  if (form.scope) filters.scope = form.scope;
  if (form.memoryTypes.length > 0) filters.memoryType = form.memoryTypes;
  const tags = form.tags
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.length > 0) filters.tags = { [form.tagsMatch]: tags };
  if (form.minImportance) filters.minImportance = form.minImportance;
  if (Object.keys(filters).length > 0) body.filters = filters;
  return body;
}

/** What the closed filters hold, for their summary: ": namespace acme, scope user", or nothing. */
function activeFilters(form: Form): string {
  const set = [
    form.namespace.trim() && `namespace ${form.namespace.trim()}`,
    form.scope && `scope ${form.scope}`,
    form.minImportance && `importance ≥ ${form.minImportance}`,
    form.tags.trim() && `tags (${form.tagsMatch}) ${form.tags.trim()}`,
    form.memoryTypes.length > 0 && `types ${form.memoryTypes.join(', ')}`,
  ].filter(Boolean);
  return set.length === 0 ? ' (none)' : `: ${set.join('; ')}`;
}

/** The search form (text or a vector, filters, mode, k, minScore, re-ranking) and its hits with their scores. */
export function MemorySearch({ namespace }: { namespace: string }) {
  const api = useClient();
  const [form, setForm] = useState<Form>({ ...INITIAL, namespace });
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, setResult] = useState<{ loading: boolean; error?: unknown; data?: SearchResponse; asked?: SearchRequest }>({ loading: false });
  const set = (patch: Partial<Form>) => setForm((previous) => ({ ...previous, ...patch }));
  // A namespace picked in the tree becomes the namespace filter.
  useEffect(() => set({ namespace }), [namespace]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = searchRequest(form);
    if (typeof body === 'string') {
      setInvalid(body);
      return;
    }
    setInvalid(null);
    setResult((previous) => ({ ...previous, loading: true, error: undefined }));
    try {
      const data = await api.post('/api/v3/memories/search', { body });
      setResult({ loading: false, data, asked: body });
    } catch (error) {
      setResult({ loading: false, error });
    }
  };

  return (
    <section class="memory-search" aria-labelledby="memory-search-title">
      <h2 id="memory-search-title">Search</h2>
      <form class="search-form" onSubmit={submit} aria-label="Memory search" noValidate>
        <div class="search-row">
          <fieldset class="search-input">
            <legend>Search by</legend>
            <label class="inline">
              <input type="radio" name="search-input" checked={form.input === 'text'} onChange={() => set({ input: 'text' })} /> Text
            </label>
            <label class="inline">
              <input type="radio" name="search-input" checked={form.input === 'vector'} onChange={() => set({ input: 'vector' })} /> Vector
            </label>
          </fieldset>
          {form.input === 'text' ? (
            <label class="grow">
              Query
              <input type="search" value={form.query} onInput={(event) => set({ query: event.currentTarget.value })} placeholder="what does the customer prefer?" />
            </label>
          ) : (
            <>
              <label class="grow">
                Vector (JSON array)
                <textarea rows={2} value={form.vector} onInput={(event) => set({ vector: event.currentTarget.value })} placeholder="[0.12, -0.03, …]" />
              </label>
              <label>
                Embedding model
                <input type="text" value={form.embeddingModel} onInput={(event) => set({ embeddingModel: event.currentTarget.value })} placeholder="the configured model" />
              </label>
            </>
          )}
        </div>
        <div class="search-row">
          <label>
            Mode
            <select value={form.mode} onChange={(event) => set({ mode: event.currentTarget.value as Form['mode'] })}>
              <option value="hybrid">hybrid</option>
              <option value="vector">vector</option>
              <option value="text">text</option>
            </select>
          </label>
          <label class="narrow">
            k
            <input type="number" min={1} max={100} value={form.k} onInput={(event) => set({ k: event.currentTarget.value })} />
          </label>
          <label class="narrow">
            Minimum score
            <input type="number" step="any" value={form.minScore} onInput={(event) => set({ minScore: event.currentTarget.value })} placeholder="none" />
          </label>
          <label class="inline checkbox">
            <input type="checkbox" checked={form.rerank} onChange={(event) => set({ rerank: event.currentTarget.checked })} /> Re-rank by relevance
          </label>
          <button type="submit" disabled={result.loading}>
            Search
          </button>
        </div>
        <details class="search-filters">
          <summary>Filters{activeFilters(form)}</summary>
          <div class="search-row">
            <label>
              Namespace (subtree)
              <input type="text" value={form.namespace} onInput={(event) => set({ namespace: event.currentTarget.value })} placeholder="any" />
            </label>
            <label>
              Scope
              <select value={form.scope} onChange={(event) => set({ scope: event.currentTarget.value as Form['scope'] })}>
                <option value="">any</option>
                {SCOPES.map((scope) => (
                  <option key={scope}>{scope}</option>
                ))}
              </select>
            </label>
            <label>
              Minimum importance
              <select value={form.minImportance} onChange={(event) => set({ minImportance: event.currentTarget.value as Form['minImportance'] })}>
                <option value="">any</option>
                {IMPORTANCES.map((importance) => (
                  <option key={importance}>{importance}</option>
                ))}
              </select>
            </label>
            <label>
              Tags (comma-separated)
              <input type="text" value={form.tags} onInput={(event) => set({ tags: event.currentTarget.value })} placeholder="none" />
            </label>
            <label>
              Tags match
              <select value={form.tagsMatch} onChange={(event) => set({ tagsMatch: event.currentTarget.value as Form['tagsMatch'] })}>
                <option value="any">any of them</option>
                <option value="all">all of them</option>
              </select>
            </label>
          </div>
          <fieldset class="types">
            <legend>Memory types (none: any)</legend>
            {MEMORY_TYPES.map((type) => (
              <label class="inline" key={type}>
                <input
                  type="checkbox"
                  checked={form.memoryTypes.includes(type)}
                  onChange={(event) => set({ memoryTypes: event.currentTarget.checked ? [...form.memoryTypes, type] : form.memoryTypes.filter((t) => t !== type) })}
                />{' '}
                {type}
              </label>
            ))}
          </fieldset>
        </details>
      </form>
      {invalid && (
        <p class="problem" role="alert">
          <strong>Check the form:</strong> {invalid}
        </p>
      )}
      {result.loading && <Loading label="Searching…" />}
      {result.error !== undefined && <ProblemView error={result.error} />}
      {result.data && !result.loading && <SearchResults data={result.data} asked={result.asked} />}
    </section>
  );
}

function SearchResults({ data, asked }: { data: SearchResponse; asked?: SearchRequest }) {
  if (data.items.length === 0) return <Empty message="No memories match this search." />;
  // Bars: cosine similarity and relevance are in [0, 1]; the order score and ts_rank_cd are relative to the best hit.
  const maxScore = Math.max(...data.items.map((hit) => hit.score));
  const maxText = Math.max(0, ...data.items.map((hit) => hit.scores.text ?? 0));
  return (
    <>
      <p class="muted small" role="status">
        {data.items.length} {data.items.length === 1 ? 'hit' : 'hits'}, mode {asked?.mode ?? 'hybrid'}
        {asked?.rerank ? ', re-ranked by relevance' : ''}
        {data.strategy?.vector && `; vector part: ${data.strategy.vector}`}
        {data.strategy?.estimatedMatches !== undefined && ` (about ${data.strategy.estimatedMatches} matching rows)`}
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Search results">
        <table class="hits">
          <caption class="visually-hidden">Search results</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                #
              </th>
              <th scope="col">Memory</th>
              <th scope="col" title="The score the hits are ordered by (bar relative to the best hit)">
                Score
              </th>
              <th scope="col" title="Cosine similarity">
                Vector
              </th>
              <th scope="col" title="ts_rank_cd (bar relative to the best hit)">
                Text
              </th>
              <th scope="col" title="Relevance in [0, 1] when re-ranked">
                Relevance
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((hit, index) => (
              <tr key={hit.memory.id} data-memory-id={hit.memory.id}>
                <td class="num">{index + 1}</td>
                <td class="wide">
                  <a href={uiPath(`/memory/${hit.memory.id}`)}>{excerpt(hit.memory.content)}</a>
                  <div class="muted small">
                    <code>{hit.memory.namespace}</code> · {hit.memory.memoryType} · {hit.memory.importance} <StatusBadge status={hit.memory.status} />
                  </div>
                </td>
                <td>
                  <ScoreBar label="score" value={hit.score} max={maxScore} />
                </td>
                <td>
                  <ScoreBar label="vector" value={hit.scores.vector} max={1} />
                </td>
                <td>
                  <ScoreBar label="text" value={hit.scores.text} max={maxText} />
                </td>
                <td>
                  <ScoreBar label="relevance" value={hit.scores.relevance} max={1} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
