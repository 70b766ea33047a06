import { useLocation } from 'preact-iso';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';
import { CursorPager, useCursors } from '../../components/pager';
import { versionPath, workflowPath } from './paths';
import '../executions/executions.css';

type WorkflowStatus = components['schemas']['WorkflowResponseDto']['status'];
export const WORKFLOW_STATUSES: WorkflowStatus[] = ['draft', 'active', 'deprecated', 'archived'];

/** Workflow versions, filtered by status, tag and a name search (all three by the API). */
export default function WorkflowsPage() {
  const { path, query, route } = useLocation();
  const filters = { status: query.status ?? '', tag: query.tag ?? '', q: query.q ?? '' };
  const cursors = useCursors();
  const state = useApi(
    (api, signal) =>
      api.get('/api/v3/workflows', {
        params: { query: { limit: 25, cursor: cursors.cursor, status: (filters.status || undefined) as WorkflowStatus | undefined, tag: filters.tag || undefined, q: filters.q || undefined } },
        signal,
      }),
    [filters.status, filters.tag, filters.q, cursors.cursor],
  );
  const apply = (changes: Partial<typeof filters>) => {
    const search = new URLSearchParams(Object.entries({ ...filters, ...changes }).filter(([, v]) => v !== '')).toString();
    cursors.reset();
    route(search ? `${path}?${search}` : path, true);
  };
  const filtered = Boolean(filters.status || filters.tag || filters.q);

  return (
    <Page title="Workflows">
      <form
        class="filters"
        aria-label="Filter workflows"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          apply({ q: String(form.get('q') ?? '').trim(), tag: String(form.get('tag') ?? '').trim() });
        }}
      >
        <label>
          Search
          <input key={filters.q} name="q" type="search" defaultValue={filters.q} placeholder="name or id" onChange={(e) => apply({ q: e.currentTarget.value.trim() })} />
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => apply({ status: e.currentTarget.value })}>
            <option value="">any</option>
            {WORKFLOW_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input key={filters.tag} name="tag" defaultValue={filters.tag} onChange={(e) => apply({ tag: e.currentTarget.value.trim() })} />
        </label>
        <div class="filter-buttons">
          <button type="submit">Apply</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              cursors.reset();
              route(path, true);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ApiView state={state}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty message={filtered ? 'No workflow version matches these filters.' : 'No workflows yet: create one with POST /api/v3/workflows.'} />
            ) : (
              <DataTable
                caption="Workflows (a row per version)"
                rows={page.items}
                rowKey={(w) => `${w.id}@${w.version}`}
                columns={[
                  { header: 'Workflow', cell: (w) => <a href={workflowPath(w.id)}>{w.id}</a> },
                  { header: 'Version', cell: (w) => <a href={versionPath(w.id, w.version)}>{w.version}</a> },
                  { header: 'Name', cell: (w) => w.name },
                  { header: 'Status', cell: (w) => <StatusBadge status={w.status} /> },
                  { header: 'Steps', cell: (w) => w.steps.length, class: 'num' },
                  { header: 'Tags', cell: (w) => w.tags.join(', ') || '—' },
                  { header: 'Updated', cell: (w) => formatTime(w.updatedAt), class: 'nowrap' },
                ]}
              />
            )}
            <CursorPager label="Workflow pages" cursors={cursors} nextCursor={page.nextCursor} />
          </>
        )}
      </ApiView>
    </Page>
  );
}
