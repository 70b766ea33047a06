import type { components } from '@client';
import { ApiView } from '../../components/api-view';
import { DagGraph } from '../../components/dag-graph';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { JsonView } from '../executions/json-view';
import { definitionGraph, type StepDefinition } from '../executions/step-model';
import { workflowPath } from './paths';
import { LifecycleActions, StartExecutionForm } from './version-actions';
import '../executions/executions.css';

type Workflow = components['schemas']['WorkflowResponseDto'];
type Analysis = components['schemas']['WorkflowAnalysisResponseDto'];

/** A workflow version: lifecycle, start form, the analysis with the critical path drawn on the DAG, the steps and the definition. */
export default function WorkflowVersionPage({ id, version }: { id: string; version: string }) {
  const workflow = useApi((api, signal) => api.get('/api/v3/workflows/{id}/versions/{version}', { params: { path: { id, version } }, signal }), [id, version]);
  const analysis = useApi((api, signal) => api.get('/api/v3/workflows/{id}/versions/{version}/analysis', { params: { path: { id, version } }, signal }), [id, version]);
  return (
    <Page title={`${id}@${version}`} actions={workflow.data && <StatusBadge status={workflow.data.status} />}>
      <p>
        <a href={workflowPath(id)}>All versions of {id}</a> · <a href={uiPath(`/executions?workflowId=${encodeURIComponent(id)}`)}>Executions of {id}</a>
      </p>
      <ApiView state={workflow}>
        {(w) => (
          <>
            <Summary workflow={w} />
            <div class="two-columns">
              <section class="panel" aria-labelledby="lifecycle-title">
                <h2 id="lifecycle-title">Lifecycle</h2>
                <LifecycleActions workflow={w} onChanged={workflow.reload} />
              </section>
              <section class="panel" aria-labelledby="start-title">
                <h2 id="start-title">Start an execution</h2>
                <StartExecutionForm workflow={w} />
              </section>
            </div>
            <section class="panel" aria-labelledby="analysis-title">
              <h2 id="analysis-title">Analysis</h2>
              <ApiView state={analysis}>{(a) => <AnalysisView steps={w.steps} analysis={a} />}</ApiView>
            </section>
            <section class="panel" aria-labelledby="steps-title">
              <h2 id="steps-title">Steps</h2>
              <StepsTable steps={w.steps} critical={analysis.data?.criticalPath ?? []} />
            </section>
            <section class="panel" aria-labelledby="definition-title">
              <h2 id="definition-title">Definition</h2>
              <details>
                <summary>The version as JSON</summary>
                <JsonView value={w} label={`Definition of ${id}@${version}`} />
              </details>
            </section>
          </>
        )}
      </ApiView>
    </Page>
  );
}

function Summary({ workflow: w }: { workflow: Workflow }) {
  return (
    <section class="panel" aria-labelledby="version-summary">
      <h2 id="version-summary">{w.name}</h2>
      {w.description && <p>{w.description}</p>}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={w.status} />
          </dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>{w.steps.length}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>{w.tags.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>Schedule</dt>
          <dd>{w.schedule ? <code>{JSON.stringify(w.schedule)}</code> : '—'}</dd>
        </div>
        <div>
          <dt>Revision</dt>
          <dd>{w.revision}</dd>
        </div>
        <div>
          <dt>Created by</dt>
          <dd>{w.createdBy ?? '—'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(w.createdAt)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatTime(w.updatedAt)}</dd>
        </div>
      </dl>
      {w.inputSchema && (
        <details>
          <summary>Input schema</summary>
          <JsonView value={w.inputSchema} label="Input schema" />
        </details>
      )}
    </section>
  );
}

function AnalysisView({ steps, analysis }: { steps: StepDefinition[]; analysis: Analysis }) {
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Critical path ({analysis.criticalPath.length} steps)</dt>
          <dd class="critical" data-testid="critical-path">
            {analysis.criticalPath.join(' → ')}
          </dd>
        </div>
        <div>
          <dt>Maximum parallelism</dt>
          <dd>{analysis.maxParallelism}</dd>
        </div>
        <div>
          <dt>Levels</dt>
          <dd>{analysis.levels.length}</dd>
        </div>
      </dl>
      <h3>The DAG, critical path highlighted</h3>
      <DagGraph label="The steps of this version; the critical path is highlighted" {...definitionGraph(steps, analysis.criticalPath)} />
      <ul class="dag-legend">
        <li>
          <span class="critical">━</span> critical path (longest dependency chain, by step count)
        </li>
      </ul>
      <h3>Levels (steps that can run in parallel)</h3>
      <ol>
        {analysis.levels.map((level, i) => (
          <li key={i}>{level.join(', ')}</li>
        ))}
      </ol>
      <p class="small">
        <span class="muted">Topological order:</span> {analysis.topologicalOrder.join(', ')}
      </p>
    </>
  );
}

function StepsTable({ steps, critical }: { steps: StepDefinition[]; critical: string[] }) {
  const hot = new Set(critical);
  return (
    <DataTable
      caption="Steps of this version"
      rows={steps}
      rowKey={(s) => s.id}
      columns={[
        { header: 'Step', cell: (s) => <code class={hot.has(s.id) ? 'critical' : undefined}>{s.id}</code> },
        { header: 'Type', cell: (s) => s.type },
        { header: 'Depends on', cell: (s) => s.dependsOn.join(', ') || '—' },
        { header: 'forEach', cell: (s) => (s.forEach ? <code>{s.forEach}</code> : '—') },
        { header: 'Condition', cell: (s) => (s.condition ? <code>{s.condition}</code> : '—') },
        { header: 'Timeout', cell: (s) => `${s.timeoutSeconds} s`, class: 'num' },
        { header: 'Retries', cell: (s) => s.retry.maxAttempts ?? 1, class: 'num' },
        { header: 'Params', cell: (s) => <code>{JSON.stringify(s.params)}</code> },
      ]}
    />
  );
}
