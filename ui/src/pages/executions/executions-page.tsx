import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatSpan, formatTime, shortId } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { CursorPager, useCursors } from '../../components/pager';
import './executions.css';

type Execution = components['schemas']['ExecutionResponseDto'];
type ExecutionStatus = Execution['status'];

export const EXECUTION_STATUSES: ExecutionStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const PAGE_SIZE = 25;
/** How often a page showing a pending or running execution asks again. */
export const LIVE_REFRESH_MS = 3000;

interface Filters {
  workflowId: string;
  status: string;
  /** datetime-local values (the reader's time zone): the API's `from` (inclusive) and `to` (exclusive). */
  after: string;
  before: string;
}

/** A datetime-local value (the reader's time zone) as the ISO 8601 instant the API takes; undefined when empty or invalid. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The Executions list: filters (workflow, status, time), pages, live status while any shown execution runs. */
export default function ExecutionsPage() {
  const { path, query, route } = useLocation();
  const filters: Filters = { workflowId: query.workflowId ?? '', status: query.status ?? '', after: query.after ?? '', before: query.before ?? '' };
  const cursors = useCursors();
  const state = useApi(
    (api, signal) =>
      api.get('/api/v3/executions', {
        params: {
          query: {
            limit: PAGE_SIZE,
            cursor: cursors.cursor,
            workflowId: filters.workflowId || undefined,
            status: (filters.status || undefined) as ExecutionStatus | undefined,
            from: isoOf(filters.after),
            to: isoOf(filters.before),
          },
        },
        signal,
      }),
    [filters.workflowId, filters.status, filters.after, filters.before, cursors.cursor],
  );
  const workflows = useApi((api, signal) => api.get('/api/v3/workflows', { params: { query: { limit: 100 } }, signal }), []);
  const workflowIds = [...new Set((workflows.data?.items ?? []).map((w) => w.id))];

  const live = (state.data?.items ?? []).some((e) => e.status === 'pending' || e.status === 'running');
  const { reload } = state;
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(reload, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  const apply = (changes: Partial<Filters>) => {
    const next = { ...filters, ...changes };
    const search = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== '')).toString();
    cursors.reset();
    route(search ? `${path}?${search}` : path, true);
  };

  return (
    <Page title="Executions">
      <form
        class="filters"
        aria-label="Filter executions"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          apply({ workflowId: String(form.get('workflowId') ?? '').trim() });
        }}
      >
        <label>
          Workflow
          <input key={filters.workflowId} name="workflowId" list="execution-workflow-ids" defaultValue={filters.workflowId} placeholder="any" onChange={(e) => apply({ workflowId: e.currentTarget.value.trim() })} />
        </label>
        <datalist id="execution-workflow-ids">
          {workflowIds.map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
        <label>
          Status
          <select value={filters.status} onChange={(e) => apply({ status: e.currentTarget.value })}>
            <option value="">any</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created after
          <input type="datetime-local" value={filters.after} onChange={(e) => apply({ after: e.currentTarget.value })} />
        </label>
        <label>
          Created before
          <input type="datetime-local" value={filters.before} onChange={(e) => apply({ before: e.currentTarget.value })} />
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
      <p class="muted small" aria-live="polite">
        {live ? `Live: refreshing every ${LIVE_REFRESH_MS / 1000} s while an execution shown runs.` : 'Newest first.'}
      </p>
      <ApiView state={state}>
        {(page) => {
          const rows = page.items;
          const filtered = !!(filters.workflowId || filters.status || filters.after || filters.before);
          return (
            <>
              {rows.length === 0 ? (
                <Empty message={filtered ? 'No executions match these filters.' : 'No executions yet: start one from an active workflow.'}>
                  {!filtered && <a href={uiPath('/workflows?status=active')}>Active workflows</a>}
                </Empty>
              ) : (
                <DataTable
                  caption="Executions, newest first"
                  rows={rows}
                  rowKey={(e) => e.id}
                  columns={[
                    {
                      header: 'Execution',
                      cell: (e) => (
                        <a href={uiPath(`/executions/${e.id}`)} title={e.id}>
                          <code>{shortId(e.id)}</code>
                        </a>
                      ),
                    },
                    {
                      header: 'Workflow',
                      cell: (e) => <a href={uiPath(`/workflows/${encodeURIComponent(e.workflowId)}/versions/${encodeURIComponent(e.workflowVersion)}`)}>{`${e.workflowId}@${e.workflowVersion}`}</a>,
                    },
                    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
                    { header: 'Trigger', cell: (e) => e.triggeredBy },
                    { header: 'Created', cell: (e) => formatTime(e.createdAt), class: 'nowrap' },
                    { header: 'Started', cell: (e) => formatTime(e.startedAt), class: 'nowrap' },
                    { header: 'Duration', cell: (e) => formatSpan(e.startedAt, e.completedAt), class: 'num' },
                  ]}
                />
              )}
              <CursorPager label="Executions pages" cursors={cursors} nextCursor={page.nextCursor} />
            </>
          );
        }}
      </ApiView>
    </Page>
  );
}
