import { useState } from 'preact/hooks';
import { DagGraph } from '../../components/dag-graph';
import { DataTable } from '../../components/data-table';
import { Loading } from '../../components/loading';
import { Page } from '../../components/page';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { formatSpan, formatTime, shortId } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { ExecutionActions, SignalForm } from './execution-actions';
import { JsonView } from './json-view';
import { StepPanel } from './step-panel';
import { executionGraph, itemSummary, stepStates, stepStatus, type StepState } from './step-model';
import { useLiveExecution, type Execution, type LiveExecution, type StreamState } from './use-live-execution';
import './executions.css';

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: 'connecting to the live stream…',
  live: 'live: updated from the event stream',
  ended: 'stream ended with the execution',
  failed: 'live stream unavailable: refreshing every 3 s',
};

/** An execution: its header, its DAG coloured live by step status, the step panel, and the actions. */
export default function ExecutionPage({ id }: { id: string }) {
  const live = useLiveExecution(id);
  const title = `Execution ${shortId(id)}`;
  if (!live.execution) {
    return <Page title={title}>{live.error !== undefined ? <ProblemView error={live.error} onRetry={live.refresh} /> : <Loading label="Loading the execution…" />}</Page>;
  }
  return <ExecutionView title={title} execution={live.execution} live={live} />;
}

function ExecutionView({ title, execution, live }: { title: string; execution: Execution; live: LiveExecution }) {
  const [selected, setSelected] = useState<string | null>(null);
  const [signalled, setSignalled] = useState(false);
  const definition = useApi(
    (api, signal) => api.get('/api/v3/workflows/{id}/versions/{version}', { params: { path: { id: execution.workflowId, version: execution.workflowVersion } }, signal }),
    [execution.workflowId, execution.workflowVersion],
  );
  const states = definition.data ? stepStates(definition.data.steps, live.steps) : [];
  const selectedState = states.find((s) => s.definition.id === selected);
  const terminal = execution.status === 'completed' || execution.status === 'failed' || execution.status === 'cancelled';
  const signals = signalSuggestions(states);

  return (
    <Page title={title} actions={<StatusBadge status={execution.status} />}>
      {live.error !== undefined && <ProblemView error={live.error} onRetry={live.refresh} />}
      <ExecutionSummary execution={execution} stream={live.stream} streamError={live.streamError} />

      <div class={`execution-layout${selectedState ? ' with-panel' : ''}`}>
        <section class="panel" aria-labelledby="dag-title">
          <h2 id="dag-title">Steps</h2>
          {definition.error !== undefined && <ProblemView error={definition.error} onRetry={definition.reload} />}
          {!definition.data && definition.error === undefined && <Loading label="Loading the definition…" />}
          {definition.data && (
            <>
              <DagGraph label={`The steps of execution ${execution.id}; choose one for its details`} {...executionGraph(states)} selected={selected} onSelect={(step) => setSelected(step === selected ? null : step)} />
              <p class="muted small">Choose a step (click, or Tab then Enter) for its params, output, error and timings. forEach steps are one node with their items counted by status.</p>
              <StepList states={states} onOpen={setSelected} />
            </>
          )}
        </section>
        {selectedState && <StepPanel state={selectedState} onClose={() => setSelected(null)} />}
      </div>

      <section class="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <ExecutionActions execution={execution} onDone={live.refresh} onRetried={() => (live.refresh(), live.follow())} />
        {/* The form goes with the running execution, but stays to show what a signal sent from here did (a signal can end it at once). */}
        {(!terminal || signalled) && (
          <>
            <h3>Send a signal</h3>
            <SignalForm executionId={execution.id} suggestions={signals} onSending={() => setSignalled(true)} onSent={live.refresh} ended={terminal} />
          </>
        )}
      </section>

      <section class="panel" aria-labelledby="data-title">
        <h2 id="data-title">Inputs and outputs</h2>
        <div class="two-columns">
          <div>
            <h3>Inputs</h3>
            <JsonView value={execution.inputs} label="Inputs" />
          </div>
          <div>
            <h3>Outputs</h3>
            <JsonView value={execution.outputs} label="Outputs" />
          </div>
        </div>
      </section>

      <section class="panel" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {live.events.length === 0 ? (
          <p class="muted">No events received yet.</p>
        ) : (
          <ol class="event-log" aria-label="Events of the execution, oldest first">
            {live.events.map((event) => (
              <li key={event.id}>
                <code>{event.type}</code> {eventStep(event.payload)} <span class="muted">{formatTime(event.occurredAt)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}

function ExecutionSummary({ execution, stream, streamError }: { execution: Execution; stream: StreamState; streamError: unknown }) {
  return (
    <section class="panel" aria-labelledby="summary-title">
      <h2 id="summary-title" class="visually-hidden">
        Summary
      </h2>
      <dl class="facts">
        <div>
          <dt>Workflow</dt>
          <dd>
            <a href={uiPath(`/workflows/${encodeURIComponent(execution.workflowId)}/versions/${encodeURIComponent(execution.workflowVersion)}`)}>{`${execution.workflowId}@${execution.workflowVersion}`}</a>
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={execution.status} />
          </dd>
        </div>
        <div>
          <dt>Live</dt>
          <dd class="small" data-stream={stream} aria-live="polite">
            {STREAM_TEXT[stream]}
          </dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd>
            <code>{execution.id}</code>
          </dd>
        </div>
        <div>
          <dt>Triggered by</dt>
          <dd>{execution.triggeredBy}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(execution.createdAt)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(execution.startedAt)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{formatTime(execution.completedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatSpan(execution.startedAt, execution.completedAt)}</dd>
        </div>
        {execution.parentExecutionId && (
          <div>
            <dt>Parent</dt>
            <dd>
              <a href={uiPath(`/executions/${execution.parentExecutionId}`)}>
                <code>{shortId(execution.parentExecutionId)}</code>
              </a>
            </dd>
          </div>
        )}
        <div>
          <dt>Trace</dt>
          <dd>
            <TraceLink executionId={execution.id} />
          </dd>
        </div>
      </dl>
      {stream === 'failed' && streamError !== undefined && <ProblemView error={streamError} />}
      {execution.error && (
        <div class="problem" role="status">
          <p class="problem-title">
            <strong>Failed</strong>
            <code class="problem-code">{execution.error.code}</code>
          </p>
          <p class="problem-detail">
            {execution.error.message}
            {execution.error.stepId && (
              <>
                {' '}
                (step <code>{execution.error.stepId}</code>)
              </>
            )}
          </p>
        </div>
      )}
    </section>
  );
}

/** The execution's trace in the Traces area: its workflow span's root (GET /traces?entityId=). */
function TraceLink({ executionId }: { executionId: string }) {
  const trace = useApi((api, signal) => api.get('/api/v3/traces', { params: { query: { entityId: executionId, type: 'workflow', limit: 1 } }, signal }), [executionId]);
  if (trace.error !== undefined) return <span class="muted">unavailable</span>;
  if (!trace.data) return <span class="muted">…</span>;
  const span = trace.data.items[0];
  if (!span) return <span class="muted">none recorded yet</span>;
  return <a href={uiPath(`/traces/${span.rootId}`)}>Open the trace</a>;
}

/** The steps as a list with a button each (the DAG's keyboard and small-screen alternative). */
function StepList({ states, onOpen }: { states: StepState[]; onOpen: (id: string) => void }) {
  return (
    <details class="step-list">
      <summary>Steps as a list</summary>
      <DataTable
        caption="Steps of the execution"
        rows={states}
        rowKey={(s) => s.definition.id}
        columns={[
          {
            header: 'Step',
            cell: (s) => (
              <button type="button" class="secondary" onClick={() => onOpen(s.definition.id)}>
                {s.definition.id}
              </button>
            ),
          },
          { header: 'Type', cell: (s) => s.definition.type },
          { header: 'Status', cell: (s) => <StatusBadge status={stepStatus(s)} /> },
          { header: 'Items', cell: (s) => itemSummary(s) ?? '—' },
          { header: 'Depends on', cell: (s) => s.definition.dependsOn.join(', ') || '—' },
          { header: 'Duration', cell: (s) => formatSpan(s.row?.startedAt, s.row?.completedAt), class: 'num' },
        ]}
      />
    </details>
  );
}

/** The signal names the definition's wait_for_signal steps wait for, the waiting ones first. */
function signalSuggestions(states: StepState[]): string[] {
  const names = states
    .filter((s) => s.definition.type === 'wait_for_signal')
    .sort((a, b) => Number(b.row?.status === 'waiting') - Number(a.row?.status === 'waiting'))
    .map((s) => (s.definition.params as { signal?: unknown }).signal)
    .filter((name): name is string => typeof name === 'string' && !name.includes('${{'));
  return [...new Set(names)];
}

function eventStep(payload: unknown): string {
  if (!payload || typeof payload !== 'object') return '';
  const { stepId, itemIndex } = payload as { stepId?: unknown; itemIndex?: unknown };
  if (typeof stepId !== 'string') return '';
  return typeof itemIndex === 'number' ? `${stepId}[${itemIndex}]` : stepId;
}
