import { Fragment } from 'preact';
import { useEffect } from 'preact/hooks';
import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { Page } from '../../components/page';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { formatSpan, formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { useAction } from '../agents/use-action';
import { JsonBlock } from '../traces/json-block';
import '../traces/obs.css';
import './tasks.css';

type Task = components['schemas']['TaskResponseDto'];

const CANCELLABLE: Task['status'][] = ['pending', 'assigned', 'in_progress'];
const FINAL: Task['status'][] = ['completed', 'cancelled'];
/** A task that can still move is re-read this often. */
const REFRESH_MS = 3000;

/** /ui/tasks/:id — a task: payload, result, error, attempts, agent; cancel and retry. */
export default function TaskPage({ id }: { id: string }) {
  const state = useApi((api, signal) => api.get('/api/v3/tasks/{id}', { params: { path: { id } }, signal }), [id]);
  const moving = state.data !== undefined && !FINAL.includes(state.data.status);
  useEffect(() => {
    if (!moving) return undefined;
    const timer = setInterval(state.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [moving, state.reload]);
  return (
    <Page title={state.data ? `Task ${state.data.name}` : 'Task'} actions={<a href={uiPath('/tasks')}>All tasks</a>}>
      <ApiView state={state}>{(task) => <TaskView task={task} reload={state.reload} />}</ApiView>
    </Page>
  );
}

function TaskView({ task, reload }: { task: Task; reload: () => void }) {
  const action = useAction(reload);
  return (
    <>
      <div class="obs-actions">
        <button
          type="button"
          class="danger"
          disabled={action.busy || !CANCELLABLE.includes(task.status)}
          onClick={() => void action.run((api) => api.post('/api/v3/tasks/{id}/cancel', { params: { path: { id: task.id } } }))}
        >
          Cancel task
        </button>
        <button type="button" disabled={action.busy || task.status !== 'failed'} onClick={() => void action.run((api) => api.post('/api/v3/tasks/{id}/retry', { params: { path: { id: task.id } } }))}>
          Retry task
        </button>
        <a href={uiPath(`/traces/${task.id}`)}>Trace</a>
      </div>
      {action.error !== undefined && <ProblemView error={action.error} />}
      <dl class="obs-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={task.status} />
          </dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>
            {task.attempt} of {task.maxAttempts}
          </dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>{task.assignedAgentId ? <a href={uiPath(`/agents/${task.assignedAgentId}`)}>{task.assignedAgentId}</a> : '—'}</dd>
        </div>
        <div>
          <dt>Required capabilities</dt>
          <dd>{task.requiredCapabilities.length ? task.requiredCapabilities.join(', ') : '—'}</dd>
        </div>
        <div>
          <dt>Preferred role</dt>
          <dd>{task.preferredRole ?? '—'}</dd>
        </div>
        <div>
          <dt>Dependencies</dt>
          <dd>
            {task.dependencies.length === 0
              ? '—'
              : task.dependencies.map((d, i) => (
                  <Fragment key={d}>
                    {i > 0 && ', '}
                    <a href={uiPath(`/tasks/${d}`)} title={d}>
                      <code>{d.slice(0, 8)}</code>
                    </a>
                  </Fragment>
                ))}
          </dd>
        </div>
        <div>
          <dt>Workflow execution</dt>
          <dd>{task.workflowExecutionId ? <a href={uiPath(`/executions/${task.workflowExecutionId}`)}>{task.workflowExecutionId}</a> : '—'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(task.createdAt)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(task.startedAt)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{formatTime(task.completedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{task.startedAt ? formatSpan(task.startedAt, task.completedAt) : '—'}</dd>
        </div>
      </dl>
      {task.description && <p class="task-description">{task.description}</p>}
      {task.error && (
        <div class="problem" role="status">
          <p class="problem-title">
            <strong>Last error</strong> <code class="problem-code">{task.error.code}</code>
          </p>
          <p class="problem-detail">{task.error.message}</p>
        </div>
      )}
      <div class="obs-json-grid">
        <JsonBlock label="Payload (input)" value={task.input} />
        <JsonBlock label="Result (output)" value={task.output} />
        {task.error?.details !== undefined && <JsonBlock label="Error details" value={task.error.details} />}
        <JsonBlock label="Output schema" value={task.outputSchema} />
      </div>
    </>
  );
}
