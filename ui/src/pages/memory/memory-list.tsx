import { useState } from 'preact/hooks';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Pager } from '../../components/pager';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { excerpt, LIST_STATUSES, MEMORY_TYPES, SCOPES, type Memory, type MemoryScope, type MemoryType } from './memory-types';

interface Filters {
  scope: '' | MemoryScope;
  type: '' | MemoryType;
  status: '' | (typeof LIST_STATUSES)[number];
  userId: string;
}

const NO_FILTERS: Filters = { scope: '', type: '', status: '', userId: '' };
const PAGE_SIZE = 25;

/** The memories of a namespace subtree ('' = every namespace), newest first, filtered, a page at a time. */
export function MemoryList({ namespace }: { namespace: string }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The cursors of the pages up to the current one (undefined: the first page), for one namespace and filters:
  // another namespace or filter starts at the first page again.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: '', cursors: [undefined] });
  const pagingKey = JSON.stringify([namespace, filters]);
  const cursors = paging.key === pagingKey ? paging.cursors : [undefined];
  const setCursors = (update: (previous: (string | undefined)[]) => (string | undefined)[]) => setPaging({ key: pagingKey, cursors: update(cursors) });
  const cursor = cursors[cursors.length - 1];
  const requestKey = `${pagingKey}@${cursor ?? ''}`;
  const state = useApi(
    (api, signal) =>
      api
        .get('/api/v3/memories', {
          params: {
            query: {
              limit: PAGE_SIZE,
              cursor,
              namespace: namespace || undefined,
              scope: filters.scope || undefined,
              type: filters.type ? [filters.type] : undefined,
              status: filters.status || undefined,
              userId: filters.userId.trim() || undefined,
            },
          },
          signal,
        })
        .then((page) => ({ ...page, requestKey })),
    [namespace, filters, cursor],
  );
  // Busy from the render that asks for another page until its answer (the previous page stays on screen meanwhile).
  const busy = state.loading || (state.data !== undefined && state.data.requestKey !== requestKey);
  const change = (patch: Partial<Filters>) => setFilters((previous) => ({ ...previous, ...patch }));

  return (
    <section class="memory-list" aria-labelledby="memory-list-title" aria-busy={busy}>
      <h2 id="memory-list-title">
        {namespace ? (
          <>
            Memories in <code>{namespace}</code> and below
          </>
        ) : (
          'All memories'
        )}
      </h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Memory filters">
        <label>
          Scope
          <select value={filters.scope} onChange={(event) => change({ scope: event.currentTarget.value as Filters['scope'] })}>
            <option value="">any</option>
            {SCOPES.map((scope) => (
              <option key={scope}>{scope}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={filters.type} onChange={(event) => change({ type: event.currentTarget.value as Filters['type'] })}>
            <option value="">any</option>
            {MEMORY_TYPES.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(event) => change({ status: event.currentTarget.value as Filters['status'] })}>
            <option value="">active and compressed</option>
            {LIST_STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          User id
          <input type="text" value={filters.userId} onChange={(event) => change({ userId: event.currentTarget.value })} placeholder="any" />
        </label>
      </form>
      <ApiView state={state}>
        {(page) => (
          <>
            {page.items.length === 0 ? <Empty message={cursors.length > 1 ? 'No more memories.' : 'No memories match.'} /> : <MemoryTable memories={page.items} />}
            <Pager
              label="Memory pages"
              canPrevious={cursors.length > 1}
              canNext={!!page.nextCursor}
              onPrevious={() => setCursors((c) => c.slice(0, -1))}
              onNext={() => page.nextCursor && setCursors((c) => [...c, page.nextCursor as string])}
              status={`Page ${cursors.length}`}
              busy={busy}
            />
          </>
        )}
      </ApiView>
    </section>
  );
}

export function MemoryTable({ memories, caption = 'Memories' }: { memories: Memory[]; caption?: string }) {
  return (
    <DataTable
      caption={caption}
      rows={memories}
      rowKey={(m) => m.id}
      columns={[
        { header: 'Content', cell: (m) => <a href={uiPath(`/memory/${m.id}`)}>{excerpt(m.content)}</a>, class: 'wide' },
        { header: 'Namespace', cell: (m) => <code>{m.namespace}</code> },
        { header: 'Type', cell: (m) => m.memoryType },
        { header: 'Scope', cell: (m) => m.scope },
        { header: 'Importance', cell: (m) => m.importance },
        { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
        { header: 'Tags', cell: (m) => m.tags.join(', ') || '—' },
        { header: 'Accesses', cell: (m) => m.accessCount, class: 'num' },
        { header: 'Created', cell: (m) => formatTime(m.createdAt), class: 'nowrap' },
      ]}
    />
  );
}
