import { useCallback, useState } from 'preact/hooks';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { formatDuration, formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { formatCost, formatCount } from '../traces/obs-format';
import { BudgetBars } from './budget-bars';
import { UsageChart } from './usage-chart';
import { useAction } from './use-action';
import '../traces/obs.css';
import './agents.css';

type Agent = components['schemas']['AgentResponseDto'];
type Usage = components['schemas']['AgentUsageResponseDto'];

/** /ui/agents/:id — an agent: budgets, usage over time, permissions; terminate and budget reset. */
export default function AgentPage({ id }: { id: string }) {
  const state = useApi(
    async (api, signal) => {
      const [agent, usage] = await Promise.all([
        api.get('/api/v3/agents/{id}', { params: { path: { id } }, signal }),
        api.get('/api/v3/agents/{id}/usage', { params: { path: { id }, query: { limit: 200 } }, signal }),
      ]);
      return { agent, usage };
    },
    [id],
  );
  return (
    <Page title={state.data ? `Agent ${state.data.agent.name}` : 'Agent'} actions={<a href={uiPath('/agents')}>All agents</a>}>
      <ApiView state={state}>{({ agent, usage }) => <AgentView agent={agent} usage={usage} reload={state.reload} />}</ApiView>
    </Page>
  );
}

function AgentView({ agent, usage, reload }: { agent: Agent; usage: Usage; reload: () => void }) {
  const t = usage.ledgerTotals;
  return (
    <>
      <dl class="obs-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={agent.status} />
          </dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{agent.role}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>
            {agent.modelConfig.provider}/{agent.modelConfig.model}
          </dd>
        </div>
        <div>
          <dt>Capabilities</dt>
          <dd>{agent.capabilities.length ? agent.capabilities.join(', ') : '—'}</dd>
        </div>
        <div>
          <dt>Tools</dt>
          <dd>{agent.tools.length ? agent.tools.join(', ') : '—'}</dd>
        </div>
        <div>
          <dt>Current task</dt>
          <dd>{agent.currentTaskId ? <a href={uiPath(`/tasks/${agent.currentTaskId}`)}>{agent.currentTaskId}</a> : '—'}</dd>
        </div>
        <div>
          <dt>Last active</dt>
          <dd>{formatTime(agent.lastActiveAt)}</dd>
        </div>
        <div>
          <dt>Definition</dt>
          <dd>
            <code>{agent.definitionId}</code>
          </dd>
        </div>
      </dl>
      <div class="agent-layout">
        <section class="obs-panel" aria-labelledby="budget-title">
          <h2 id="budget-title">Budget</h2>
          <BudgetBars limits={agent.budgetLimits} usage={agent.budgetUsage} name={agent.name} />
        </section>
        <section class="obs-panel" aria-labelledby="usage-title">
          <h2 id="usage-title">Usage over time</h2>
          {usage.entries.length === 0 ? <Empty message="No model or tool calls yet." /> : <UsageChart entries={usage.entries} />}
          <p class="small">
            Whole ledger: {formatCount(t.tokensIn)} tokens in / {formatCount(t.tokensOut)} out, {formatCost(t.costUsd)}, {formatCount(t.modelCalls)} model and{' '}
            {formatCount(t.toolCalls)} tool calls, {formatDuration(t.durationMs)}.
          </p>
        </section>
      </div>
      <Permissions agent={agent} reload={reload} />
      <AgentActions agent={agent} reload={reload} />
      {usage.entries.length > 0 && (
        <section aria-labelledby="calls-title">
          <h2 id="calls-title">Recent calls</h2>
          <DataTable
            caption="Recent model and tool calls"
            rows={usage.entries.slice(0, 50)}
            rowKey={(e) => e.id}
            columns={[
              { header: 'When', cell: (e) => formatTime(e.createdAt), class: 'nowrap' },
              { header: 'Kind', cell: (e) => (e.kind === 'model_call' ? 'model' : 'tool') },
              { header: 'Name', cell: (e) => e.name },
              { header: 'Tokens in', cell: (e) => formatCount(e.tokensIn), class: 'num' },
              { header: 'Tokens out', cell: (e) => formatCount(e.tokensOut), class: 'num' },
              { header: 'Cost', cell: (e) => formatCost(e.costUsd), class: 'num' },
              { header: 'Duration', cell: (e) => formatDuration(e.durationMs), class: 'num' },
              { header: 'Status', cell: (e) => <StatusBadge status={e.status === 'succeeded' ? 'completed' : 'failed'} /> },
              { header: 'Task', cell: (e) => (e.taskId ? <a href={uiPath(`/tasks/${e.taskId}`)}>task</a> : '—') },
            ]}
          />
        </section>
      )}
    </>
  );
}

function Permissions({ agent, reload }: { agent: Agent; reload: () => void }) {
  const action = useAction(reload);
  const [permission, setPermission] = useState('');
  return (
    <section class="obs-panel" aria-labelledby="permissions-title">
      <h2 id="permissions-title">Permissions</h2>
      {agent.grantedPermissions.length === 0 ? (
        <p class="muted small">No permissions granted.</p>
      ) : (
        <ul class="permissions">
          {agent.grantedPermissions.map((p) => (
            <li key={p}>
              <code>{p}</code>
              <button
                type="button"
                class="secondary"
                aria-label={`Revoke ${p}`}
                disabled={action.busy}
                onClick={() => void action.run((api) => api.delete('/api/v3/agents/{id}/permissions/{permission}', { params: { path: { id: agent.id, permission: p } } }))}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="obs-actions"
        onSubmit={async (e) => {
          e.preventDefault();
          const permissions = permission.split(',').map((p) => p.trim()).filter(Boolean);
          if (permissions.length === 0) return;
          if (await action.run((api) => api.post('/api/v3/agents/{id}/permissions', { params: { path: { id: agent.id } }, body: { permissions } }))) setPermission('');
        }}
      >
        <label class="obs-field">
          Grant permissions (comma-separated)
          <input value={permission} onInput={(e) => setPermission(e.currentTarget.value)} placeholder="http, destructive" />
        </label>
        <button type="submit" disabled={action.busy || !permission.trim()}>
          Grant
        </button>
      </form>
      {action.error !== undefined && <ProblemView error={action.error} />}
    </section>
  );
}

const LIMIT_FIELDS = [
  { key: 'maxTokens', label: 'Max tokens', step: '1' },
  { key: 'maxCostUsd', label: 'Max cost (USD)', step: 'any' },
  { key: 'maxTimeSeconds', label: 'Max time (s)', step: 'any' },
  { key: 'maxToolExecutions', label: 'Max tool calls', step: '1' },
] as const;

type LimitKey = (typeof LIMIT_FIELDS)[number]['key'];

function AgentActions({ agent, reload }: { agent: Agent; reload: () => void }) {
  const action = useAction(reload);
  const [limits, setLimits] = useState<Partial<Record<LimitKey, string>>>({});
  const [reason, setReason] = useState('');
  const terminated = agent.status === 'terminated';

  const resetBudget = useCallback(
    (e: Event) => {
      e.preventDefault();
      const body: Partial<Record<LimitKey, number>> = {};
      for (const { key } of LIMIT_FIELDS) {
        const raw = limits[key]?.trim();
        if (raw) body[key] = Number(raw);
      }
      void action.run((api) => api.post('/api/v3/agents/{id}/budget/reset', { params: { path: { id: agent.id } }, body })).then((ok) => ok && setLimits({}));
    },
    [action, agent.id, limits],
  );

  return (
    <section class="obs-panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <form class="budget-form" onSubmit={resetBudget} aria-label="Reset the budget">
        {LIMIT_FIELDS.map((f) => (
          <label key={f.key}>
            {f.label}
            <input
              type="number"
              min="0"
              step={f.step}
              value={limits[f.key] ?? ''}
              placeholder={String(agent.budgetLimits[f.key])}
              onInput={(e) => setLimits((l) => ({ ...l, [f.key]: e.currentTarget.value }))}
            />
          </label>
        ))}
        <button type="submit" disabled={action.busy}>
          Reset budget
        </button>
      </form>
      <p class="small muted">Reset sets the usage back to zero; new limits are optional (empty keeps the current one).</p>
      <form
        class="obs-actions"
        aria-label="Terminate the agent"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run((api) => api.post('/api/v3/agents/{id}/terminate', { params: { path: { id: agent.id } }, body: reason.trim() ? { reason: reason.trim() } : {} }));
        }}
      >
        <label class="obs-field">
          Reason
          <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="terminated by request" disabled={terminated} />
        </label>
        <button type="submit" class="danger" disabled={action.busy || terminated}>
          {terminated ? 'Terminated' : 'Terminate'}
        </button>
      </form>
      {action.error !== undefined && <ProblemView error={action.error} />}
    </section>
  );
}
