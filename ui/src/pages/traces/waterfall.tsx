import { statusTone } from '../../components/status-badge';
import { formatDuration } from '../../format';
import { formatCost, formatCount, metaNumber, metaString } from './obs-format';
import { axisTicks, type TraceNode, type Waterfall } from './waterfall-model';

/** What a model or tool call row says besides its name: tokens in/out and cost, or the tool. */
function callSummary(span: TraceNode): string | null {
  if (span.type === 'model_call') {
    const tokensIn = metaNumber(span.metadata, 'tokensIn');
    const tokensOut = metaNumber(span.metadata, 'tokensOut');
    return `${formatCount(tokensIn ?? 0)} in / ${formatCount(tokensOut ?? 0)} out · ${formatCost(metaNumber(span.metadata, 'costUsd') ?? 0)}`;
  }
  if (span.type === 'tool_call') return `tool ${metaString(span.metadata, 'tool') ?? span.name}`;
  return null;
}

const TYPE_LABEL: Record<TraceNode['type'], string> = {
  workflow: 'workflow',
  step: 'step',
  task: 'task',
  agent_action: 'agent run',
  model_call: 'model',
  tool_call: 'tool',
};

/**
 * The span tree as a waterfall: one row per span, indented by depth, its bar placed by start offset and
 * sized by duration on the trace's time axis, coloured by status, with its duration. Each row is a
 * button: it selects the span (its inputs, outputs, error and metadata show below).
 */
export function WaterfallView({ waterfall, selectedId, onSelect }: { waterfall: Waterfall; selectedId: string | null; onSelect: (span: TraceNode) => void }) {
  return (
    <div class="waterfall-wrap" role="region" aria-label="Span waterfall" tabIndex={0}>
      <div class="waterfall">
        <div class="wf-head" aria-hidden="true">
          <span class="wf-name">Span</span>
          <span class="wf-track wf-axis">
            {axisTicks(waterfall.totalMs).map(([percent, ms]) => (
              <span key={percent} class={`wf-tick${percent === 100 ? ' wf-tick-end' : ''}`} style={{ left: `${percent}%` }}>
                {formatDuration(ms)}
              </span>
            ))}
          </span>
          <span class="wf-duration">Duration</span>
        </div>
        <ol class="wf-rows">
          {waterfall.rows.map((row) => {
            const { span } = row;
            const summary = callSummary(span);
            const duration = row.durationMs === null ? 'not started' : `${formatDuration(row.durationMs)}${row.open ? ' so far' : ''}`;
            return (
              <li key={span.id}>
                <button
                  type="button"
                  class={`wf-row${selectedId === span.id ? ' selected' : ''}`}
                  aria-pressed={selectedId === span.id}
                  data-span-type={span.type}
                  data-span-status={span.status}
                  onClick={() => onSelect(span)}
                >
                  <span class="wf-name" style={{ paddingLeft: `${row.depth * 1.1}rem` }}>
                    <span class="wf-label">
                      <span class="wf-type">{TYPE_LABEL[span.type]}</span> <span class="wf-title">{span.name}</span>
                    </span>
                    {summary && <span class="wf-call">{summary}</span>}
                  </span>
                  <span class="wf-track">
                    {row.durationMs !== null && (
                      <span
                        class={`wf-bar tone-${statusTone(span.status)}${row.open ? ' open' : ''}`}
                        style={{ left: `${row.left}%`, width: `max(${row.width}%, 2px)` }}
                        title={`${span.status}: ${duration}`}
                      />
                    )}
                  </span>
                  <span class="wf-duration">
                    <span class="visually-hidden">{span.status}, </span>
                    <span class="wf-duration-text">{duration}</span>
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
