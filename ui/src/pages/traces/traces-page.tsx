import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { CursorPager, useCursors } from '../../components/pager';
import { StatusBadge } from '../../components/status-badge';
import { formatDuration, formatTime, shortId } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import './obs.css';

type SpanType = components['schemas']['TraceSpanListItemResponseDto']['type'];
const TYPES: SpanType[] = ['workflow', 'step', 'task', 'agent_action', 'model_call', 'tool_call'];

/** The filters live in the URL (?entityId=&type=) so a link can open a filtered list; no type means workflow traces unless an entity is given. */
function filtersOf(query: Record<string, string>): { entityId: string; type: SpanType | '' } {
  const entityId = (query.entityId ?? '').trim();
  const raw = query.type ?? (entityId ? 'any' : 'workflow');
  return { entityId, type: TYPES.includes(raw as SpanType) ? (raw as SpanType) : '' };
}

/** /ui/traces — spans filtered by traced entity and type; each opens its waterfall. */
export default function TracesPage() {
  const { query, route } = useLocation();
  const { entityId, type } = filtersOf(query);
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const state = useApi(
    (api, signal) => api.get('/api/v3/traces', { params: { query: { entityId: entityId || undefined, type: type || undefined, cursor, limit: 50 } }, signal }),
    [entityId, type, cursor],
  );
  const [draftEntity, setDraftEntity] = useState(entityId);
  const [draftType, setDraftType] = useState<string>(type || 'any');
  // A link to other filters (e.g. from an execution) replaces what the form shows.
  useEffect(() => {
    setDraftEntity(entityId);
    setDraftType(type || 'any');
    cursors.reset();
  }, [entityId, type]);

  const apply = (event: Event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (draftEntity.trim()) params.set('entityId', draftEntity.trim());
    params.set('type', draftType);
    cursors.reset();
    route(`${uiPath('/traces')}?${params.toString()}`);
  };

  return (
    <Page title="Traces">
      <form class="obs-filters" onSubmit={apply} aria-label="Filter traces">
        <label>
          Entity id
          <input type="search" value={draftEntity} onInput={(e) => setDraftEntity(e.currentTarget.value)} placeholder="execution, task or step execution id" />
        </label>
        <label>
          Type
          <select value={draftType} onChange={(e) => setDraftType(e.currentTarget.value)}>
            <option value="any">Any type</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message={entityId ? `No spans for ${entityId}${type ? ` of type ${type}` : ''}.` : 'No traces yet: every execution, task and agent run writes one.'} />
          ) : (
            <>
              <DataTable
                caption="Trace spans"
                rows={page.items}
                rowKey={(s) => s.id}
                columns={[
                  { header: 'Name', cell: (s) => <a href={uiPath(`/traces/${s.id}`)}>{s.name}</a> },
                  { header: 'Type', cell: (s) => s.type },
                  { header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
                  { header: 'Entity', cell: (s) => <code title={s.entityId}>{shortId(s.entityId)}</code> },
                  {
                    header: 'Trace',
                    cell: (s) => (s.rootId === s.id ? <span class="muted">root</span> : <a href={uiPath(`/traces/${s.rootId}`)}>whole trace</a>),
                  },
                  { header: 'Started', cell: (s) => formatTime(s.startedAt), class: 'nowrap' },
                  { header: 'Duration', cell: (s) => formatDuration(s.durationMs), class: 'num' },
                ]}
              />
              <CursorPager label="Trace pages" cursors={cursors} nextCursor={page.nextCursor} />
            </>
          )
        }
      </ApiView>
    </Page>
  );
}
