import { useEffect, useState } from 'preact/hooks';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { CursorPager, useCursors } from '../../components/pager';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { formatTime, shortId } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import '../traces/obs.css';
import './tasks.css';

type Task = components['schemas']['TaskResponseDto'];
type TaskStatus = Task['status'];
type Priority = Task['priority'];

export const TASK_STATUSES: TaskStatus[] = ['pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled'];
export const PRIORITIES: Priority[] = ['critical', 'high', 'medium', 'low'];
/** Counted up to this many per status (one page of the list); more shows as "200+". */
const COUNT_LIMIT = 200;
/** The queue moves on its own: the page refreshes this often. */
const REFRESH_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /ui/tasks — the task queue: counts per status, filters (status, priority, agent), grouped by priority. */
export default function TasksPage() {
  const [status, setStatus] = useState<TaskStatus | ''>('');
  const [priority, setPriority] = useState<Priority | ''>('');
  const [agentId, setAgentId] = useState('');
  const [draftAgent, setDraftAgent] = useState('');
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const filters = { priority: priority || undefined, agentId: agentId || undefined };

  const counts = useApi(
    async (api, signal) => {
      const pages = await Promise.all(TASK_STATUSES.map((s) => api.get('/api/v3/tasks', { params: { query: { ...filters, status: s, limit: COUNT_LIMIT } }, signal })));
      return TASK_STATUSES.map((s, i) => ({ status: s, count: pages[i].items.length, more: pages[i].nextCursor !== null }));
    },
    [priority, agentId],
  );
  const list = useApi((api, signal) => api.get('/api/v3/tasks', { params: { query: { ...filters, status: status || undefined, cursor, limit: 100 } }, signal }), [status, priority, agentId, cursor]);

  useEffect(() => {
    const timer = setInterval(() => {
      counts.reload();
      list.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [counts.reload, list.reload]);

  const agentInvalid = draftAgent.trim() !== '' && !UUID.test(draftAgent.trim());
  const resetPages = () => cursors.reset();

  return (
    <Page title="Tasks">
      <div class="task-counts" role="group" aria-label="Filter by status">
        <button type="button" class="status-filter" aria-pressed={status === ''} onClick={() => (resetPages(), setStatus(''))}>
          All
        </button>
        {TASK_STATUSES.map((s) => {
          const c = counts.data?.find((x) => x.status === s);
          return (
            <button type="button" key={s} class="status-filter" data-status={s} aria-pressed={status === s} onClick={() => (resetPages(), setStatus(s))}>
              <StatusBadge status={s} /> <span class="task-count">{c ? `${c.count}${c.more ? '+' : ''}` : '…'}</span>
            </button>
          );
        })}
      </div>
      {/* One problem at a time: when the list fails too (e.g. a revoked key), its problem says it. */}
      {counts.error !== undefined && list.error === undefined && <ProblemView error={counts.error} onRetry={counts.reload} />}
      <form
        class="obs-filters"
        aria-label="Filter tasks"
        onSubmit={(e) => {
          e.preventDefault();
          if (agentInvalid) return;
          resetPages();
          setAgentId(draftAgent.trim());
        }}
      >
        <label>
          Priority
          <select value={priority} onChange={(e) => (resetPages(), setPriority(e.currentTarget.value as Priority | ''))}>
            <option value="">Any priority</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent id
          <input type="search" value={draftAgent} onInput={(e) => setDraftAgent(e.currentTarget.value)} aria-invalid={agentInvalid} aria-describedby="agent-id-hint" placeholder="any agent" />
        </label>
        <button type="submit" disabled={agentInvalid}>
          Apply
        </button>
        <span id="agent-id-hint" class={`small ${agentInvalid ? 'task-invalid' : 'muted'}`}>
          {agentInvalid ? 'An agent id is a UUID.' : ''}
        </span>
      </form>
      <ApiView state={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message={status || priority || agentId ? 'No tasks match these filters.' : 'No tasks yet: POST /api/v3/tasks, or a workflow’s agent_task step, queues one.'} />
          ) : (
            <>
              {PRIORITIES.map((p) => {
                const rows = page.items.filter((t) => t.priority === p);
                return rows.length === 0 ? null : <PriorityGroup key={p} priority={p} rows={rows} />;
              })}
              <CursorPager label="Task pages" cursors={cursors} nextCursor={page.nextCursor} />
            </>
          )
        }
      </ApiView>
    </Page>
  );
}

function PriorityGroup({ priority, rows }: { priority: Priority; rows: Task[] }) {
  return (
    <section class="task-group" aria-labelledby={`priority-${priority}`} data-priority={priority}>
      <h2 id={`priority-${priority}`}>
        {priority} <span class="muted small">({rows.length})</span>
      </h2>
      <DataTable
        caption={`${priority} priority tasks`}
        rows={rows}
        rowKey={(t) => t.id}
        columns={[
          { header: 'Name', cell: (t) => <a href={uiPath(`/tasks/${t.id}`)}>{t.name}</a> },
          { header: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
          { header: 'Attempt', cell: (t) => `${t.attempt} / ${t.maxAttempts}`, class: 'num' },
          { header: 'Agent', cell: (t) => (t.assignedAgentId ? <a href={uiPath(`/agents/${t.assignedAgentId}`)} title={t.assignedAgentId}>{shortId(t.assignedAgentId)}</a> : '—') },
          { header: 'Capabilities', cell: (t) => (t.requiredCapabilities.length ? t.requiredCapabilities.join(', ') : '—') },
          { header: 'Created', cell: (t) => formatTime(t.createdAt), class: 'nowrap' },
        ]}
      />
    </section>
  );
}
