import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { StatusBadge } from '../../components/status-badge';
import { formatTime, shortId } from '../../format';
import { useApi } from '../../use-api';
import type { Subscription } from './event-types';

const STATE_TONE: Record<Subscription['state'], string> = { 'caught-up': 'completed', 'catching-up': 'running', retrying: 'retry', stopped: 'cancelled' };

/** The durable subscribers: state, checkpoint, the tenant's lag and open dead letters, the event it is held at. */
export function Subscriptions({ onDeadLetters }: { onDeadLetters: (subscriber: string) => void }) {
  const state = useApi((api, signal) => api.get('/api/v3/subscriptions', { signal }), []);
  return (
    <section aria-labelledby="subscriptions-title">
      <div class="section-header">
        <h2 id="subscriptions-title">Subscriptions</h2>
        <button type="button" class="secondary" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
      </div>
      <ApiView state={state}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty message="No durable subscribers run in this server." />
          ) : (
            <DataTable
              caption="Subscriptions"
              rows={list.items}
              rowKey={(s) => s.name}
              columns={[
                { header: 'Subscriber', cell: (s) => <code>{s.name}</code>, class: 'nowrap' },
                {
                  header: 'State',
                  cell: (s) => (
                    <span class="state" data-state={s.state}>
                      <StatusBadge status={STATE_TONE[s.state]} /> {s.state}
                    </span>
                  ),
                },
                { header: 'Checkpoint', cell: (s) => s.checkpoint.position, class: 'num' },
                { header: 'Moved', cell: (s) => (s.checkpoint.updatedAt ? formatTime(s.checkpoint.updatedAt) : 'never ran'), class: 'nowrap' },
                { header: 'Lag (events)', cell: (s) => `${s.lag.events}${s.lag.capped ? '+' : ''}`, class: 'num' },
                {
                  header: 'Dead letters',
                  cell: (s) =>
                    s.deadLetters === 0 ? (
                      '0'
                    ) : (
                      <button type="button" class="link" onClick={() => onDeadLetters(s.name)}>
                        {s.deadLetters} <span class="visually-hidden">dead letters of {s.name}</span>
                      </button>
                    ),
                  class: 'num',
                },
                {
                  header: 'Held at',
                  cell: (s) =>
                    s.retry ? (
                      <span title={s.retry.eventId}>
                        event {shortId(s.retry.eventId)}, {s.retry.attempts} failed, next {formatTime(s.retry.nextAttemptAt)}: {s.retry.error.message}
                      </span>
                    ) : (
                      '—'
                    ),
                },
                { header: 'Event types', cell: (s) => <span class="types">{s.eventTypes.join(', ')}</span>, class: 'wide' },
              ]}
            />
          )
        }
      </ApiView>
    </section>
  );
}
