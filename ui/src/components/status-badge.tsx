/** The colour family of a status; the CSS classes are `badge tone-<tone>`. */
export type StatusTone = 'ok' | 'active' | 'waiting' | 'bad' | 'muted' | 'neutral';

const TONES: Record<string, StatusTone> = {
  completed: 'ok',
  active: 'ok',
  idle: 'ok',
  published: 'ok',
  delivered: 'ok',
  running: 'active',
  in_progress: 'active',
  assigned: 'active',
  reasoning: 'active',
  executing: 'active',
  validating: 'active',
  retry: 'waiting',
  pending: 'waiting',
  waiting: 'waiting',
  draft: 'waiting',
  created: 'waiting',
  failed: 'bad',
  dead: 'bad',
  error: 'bad',
  cancelled: 'muted',
  skipped: 'muted',
  deprecated: 'muted',
  archived: 'muted',
  terminated: 'muted',
  compressed: 'muted',
  deleted: 'muted',
};

/** The tone of any status of the API (executions, steps, workflows, agents, tasks, spans, memories). */
export function statusTone(status: string | null | undefined): StatusTone {
  return (status && TONES[status]) || 'neutral';
}

/** A status as a coloured pill with its name as text (colour is never the only signal). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const text = status ?? 'unknown';
  return (
    <span class={`badge tone-${statusTone(status)}`} data-status={text}>
      {text.replace(/_/g, ' ')}
    </span>
  );
}
