import { useEffect, useRef } from 'preact/hooks';
import { DataTable } from '../../components/data-table';
import { StatusBadge } from '../../components/status-badge';
import { formatDuration, formatTime } from '../../format';
import { JsonView } from './json-view';
import { durationMs, itemSummary, stepStatus, type StepExecution, type StepState } from './step-model';

function Timings({ row }: { row: StepExecution | undefined }) {
  return (
    <dl class="facts">
      <div>
        <dt>Attempt</dt>
        <dd>{row ? row.attempt : '—'}</dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{formatTime(row?.startedAt)}</dd>
      </div>
      <div>
        <dt>Completed</dt>
        <dd>{formatTime(row?.completedAt)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{formatDuration(row ? durationMs(row.startedAt, row.completedAt) : null)}</dd>
      </div>
      {row?.availableAt && (
        <div>
          <dt>Available at</dt>
          <dd>{formatTime(row.availableAt)}</dd>
        </div>
      )}
      {row?.skipReason && (
        <div>
          <dt>Skip reason</dt>
          <dd>
            <code>{row.skipReason}</code>
          </dd>
        </div>
      )}
      {row?.agentId && (
        <div>
          <dt>Agent</dt>
          <dd>
            <code>{row.agentId}</code>
          </dd>
        </div>
      )}
      {row?.taskId && (
        <div>
          <dt>Task</dt>
          <dd>
            <code>{row.taskId}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** A step of an execution: its definition's params, its row's output, error, attempt and timings; for forEach, its items. */
export function StepPanel({ state, onClose }: { state: StepState; onClose: () => void }) {
  const { definition, row, items } = state;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [definition.id]);
  const summary = itemSummary(state);
  return (
    <aside class="panel step-panel" aria-labelledby="step-panel-title">
      <header>
        <h2 id="step-panel-title" ref={heading} tabIndex={-1}>
          Step <code>{definition.id}</code>
        </h2>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      <p class="row">
        <StatusBadge status={stepStatus(state)} /> <span class="muted">{definition.type}</span>
        {definition.name !== definition.id && <span>{definition.name}</span>}
      </p>
      <Timings row={row} />
      <h3>Params</h3>
      <JsonView value={definition.params} label={`Params of ${definition.id}`} />
      {(definition.dependsOn.length > 0 || definition.condition || definition.forEach) && (
        <dl class="facts">
          {definition.dependsOn.length > 0 && (
            <div>
              <dt>Depends on</dt>
              <dd>{definition.dependsOn.join(', ')}</dd>
            </div>
          )}
          {definition.condition && (
            <div>
              <dt>Condition</dt>
              <dd>
                <code>{definition.condition}</code>
              </dd>
            </div>
          )}
          {definition.forEach && (
            <div>
              <dt>forEach</dt>
              <dd>
                <code>{definition.forEach}</code>
              </dd>
            </div>
          )}
        </dl>
      )}
      <h3>Output</h3>
      <JsonView value={row?.output} label={`Output of ${definition.id}`} />
      <h3>Error</h3>
      <JsonView value={row?.error} label={`Error of ${definition.id}`} />
      {definition.forEach && (
        <>
          <h3>Items</h3>
          <p class="muted small">{summary}</p>
          {items.length > 0 && (
            <DataTable
              caption={`Items of ${definition.id}`}
              rows={items}
              rowKey={(item) => item.id}
              columns={[
                { header: '#', cell: (item) => item.itemIndex, class: 'num' },
                { header: 'Status', cell: (item) => <StatusBadge status={item.status} /> },
                { header: 'Attempt', cell: (item) => item.attempt, class: 'num' },
                { header: 'Duration', cell: (item) => formatDuration(durationMs(item.startedAt, item.completedAt)), class: 'num' },
                { header: 'Output', cell: (item) => <code>{preview(item.output)}</code> },
                { header: 'Error', cell: (item) => (item.error ? <code>{preview(item.error)}</code> : '—') },
              ]}
            />
          )}
        </>
      )}
    </aside>
  );
}

/** A JSON value on one line, cut at 80 characters. */
function preview(value: unknown): string {
  if (value === undefined || value === null) return '—';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
