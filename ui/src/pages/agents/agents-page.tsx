import { useState } from 'preact/hooks';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { CursorPager, useCursors } from '../../components/pager';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { BudgetBars } from './budget-bars';
import '../traces/obs.css';
import './agents.css';

type Agent = components['schemas']['AgentResponseDto'];
type AgentStatus = Agent['status'];

export const AGENT_STATUSES: AgentStatus[] = ['created', 'idle', 'assigned', 'reasoning', 'executing', 'validating', 'completed', 'failed', 'retry', 'terminated'];
const ROLES = ['planner', 'reasoner', 'executor', 'critic', 'summarizer'];

/** /ui/agents — the agent instances with status and role filters, each with its budget bars. */
export default function AgentsPage() {
  const [status, setStatus] = useState<AgentStatus | ''>('');
  const [role, setRole] = useState('');
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const state = useApi(
    (api, signal) => api.get('/api/v3/agents', { params: { query: { status: status || undefined, role: role.trim() || undefined, cursor, limit: 50 } }, signal }),
    [status, role, cursor],
  );
  const [draftRole, setDraftRole] = useState('');

  return (
    <Page title="Agents">
      <form
        class="obs-filters"
        aria-label="Filter agents"
        onSubmit={(e) => {
          e.preventDefault();
          cursors.reset();
          setRole(draftRole);
        }}
      >
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              cursors.reset();
              setStatus(e.currentTarget.value as AgentStatus | '');
            }}
          >
            <option value="">Any status</option>
            {AGENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Role
          <input type="search" list="agent-roles" value={draftRole} onInput={(e) => setDraftRole(e.currentTarget.value)} placeholder="any role" />
          <datalist id="agent-roles">
            {ROLES.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </label>
        <button type="submit">Apply</button>
      </form>
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message={status || role ? 'No agents match these filters.' : 'No agents yet: instantiate one from an agent definition (POST /api/v3/agents), or let a task bring one up.'} />
          ) : (
            <>
              <ul class="agent-cards">
                {page.items.map((agent) => (
                  <AgentCard key={agent.id} agent={agent} />
                ))}
              </ul>
              <CursorPager label="Agent pages" cursors={cursors} nextCursor={page.nextCursor} />
            </>
          )
        }
      </ApiView>
    </Page>
  );
}

function AgentCard({ agent }: { agent: Agent }) {
  return (
    <li class="agent-card" data-agent-id={agent.id}>
      <header class="agent-card-header">
        <h2>
          <a href={uiPath(`/agents/${agent.id}`)}>{agent.name}</a>
        </h2>
        <StatusBadge status={agent.status} />
      </header>
      <p class="muted small agent-card-meta">
        {agent.role} · {agent.modelConfig.provider}/{agent.modelConfig.model} · last active {formatTime(agent.lastActiveAt)}
        {agent.currentTaskId && (
          <>
            {' '}
            · <a href={uiPath(`/tasks/${agent.currentTaskId}`)}>current task</a>
          </>
        )}
      </p>
      <BudgetBars limits={agent.budgetLimits} usage={agent.budgetUsage} name={agent.name} />
    </li>
  );
}
