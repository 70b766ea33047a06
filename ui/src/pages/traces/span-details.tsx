import { StatusBadge } from '../../components/status-badge';
import { formatDuration, formatTime } from '../../format';
import { uiPath } from '../../routing';
import { JsonBlock } from './json-block';
import { metaString } from './obs-format';
import type { TraceNode } from './waterfall-model';

/** Where the traced thing lives in the dashboard, when it has a page. */
function entityLink(span: TraceNode): { href: string; label: string } | null {
  if (span.type === 'workflow') return { href: uiPath(`/executions/${span.entityId}`), label: 'Open the execution' };
  if (span.type === 'task') return { href: uiPath(`/tasks/${span.entityId}`), label: 'Open the task' };
  const agentId = metaString(span.metadata, 'agentId');
  if (agentId) return { href: uiPath(`/agents/${agentId}`), label: 'Open the agent' };
  return null;
}

/** The selected span: its identity, timings, inputs, outputs, error and metadata. */
export function SpanDetails({ span, durationMs, onClose }: { span: TraceNode; durationMs: number | null; onClose: () => void }) {
  const link = entityLink(span);
  return (
    <section class="span-details" aria-labelledby="span-details-title">
      <header class="span-details-header">
        <h2 id="span-details-title">
          {span.name} <StatusBadge status={span.status} />
        </h2>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      <dl class="obs-facts">
        <div>
          <dt>Type</dt>
          <dd>{span.type}</dd>
        </div>
        <div>
          <dt>Entity</dt>
          <dd>
            <code>{span.entityId}</code> {link && <a href={link.href}>{link.label}</a>}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(span.startedAt)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{formatTime(span.completedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(span.durationMs ?? durationMs)}{span.durationMs === null && durationMs !== null ? ' so far' : ''}</dd>
        </div>
      </dl>
      <div class="obs-json-grid">
        <JsonBlock label="Inputs" value={span.inputs} />
        <JsonBlock label="Outputs" value={span.outputs} />
        <JsonBlock label="Error" value={span.error} />
        <JsonBlock label="Metadata" value={span.metadata} />
      </div>
    </section>
  );
}
