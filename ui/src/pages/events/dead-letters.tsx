import { useState } from 'preact/hooks';
import { useClient } from '../../api';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { CursorPager, useCursors } from '../../components/pager';
import { ProblemView } from '../../components/problem-view';
import { StatusBadge } from '../../components/status-badge';
import { formatTime, shortId } from '../../format';
import { useApi } from '../../use-api';
import { DEAD_LETTER_STATUSES, type DeadLetter, type DeadLetterStatus } from './event-types';

const PAGE_SIZE = 50;

type Outcome = { kind: 'delivered' | 'failed' | 'discarded'; deadLetter: DeadLetter } | { kind: 'problem'; id: string; error: unknown };

/** Dead letters by subscriber and status, with RETRY (deliver once, now) and DISCARD. */
export function DeadLetters({ subscriber, onSubscriber }: { subscriber: string; onSubscriber: (subscriber: string) => void }) {
  const api = useClient();
  const [status, setStatus] = useState<'' | DeadLetterStatus>('dead');
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const subscriptions = useApi((client, signal) => client.get('/api/v3/subscriptions', { signal }), []);
  const state = useApi(
    (client, signal) =>
      client.get('/api/v3/dead-letters', { params: { query: { limit: PAGE_SIZE, cursor, subscriber: subscriber || undefined, status: status || undefined } }, signal }),
    [subscriber, status, cursor],
  );

  const act = async (deadLetter: DeadLetter, action: 'retry' | 'discard') => {
    setBusy(deadLetter.id);
    setConfirming(null);
    setOutcome(null);
    try {
      if (action === 'retry') {
        const answer = await api.post('/api/v3/dead-letters/{id}/retry', { params: { path: { id: deadLetter.id } } });
        setOutcome({ kind: answer.outcome, deadLetter: answer.deadLetter });
      } else {
        await api.delete('/api/v3/dead-letters/{id}', { params: { path: { id: deadLetter.id } } });
        setOutcome({ kind: 'discarded', deadLetter });
      }
    } catch (error) {
      setOutcome({ kind: 'problem', id: deadLetter.id, error });
    } finally {
      setBusy(null);
      state.reload();
      subscriptions.reload();
    }
  };

  return (
    <section aria-labelledby="dead-letters-title">
      <div class="section-header">
        <h2 id="dead-letters-title">Dead letters</h2>
        <button type="button" class="secondary" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
      </div>
      <form class="filters" aria-label="Dead letter filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Subscriber
          <select
            value={subscriber}
            onChange={(event) => {
              onSubscriber(event.currentTarget.value);
              cursors.reset();
            }}
          >
            <option value="">all</option>
            {(subscriptions.data?.items ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
            {subscriber && !subscriptions.data?.items.some((s) => s.name === subscriber) && <option value={subscriber}>{subscriber}</option>}
          </select>
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value as '' | DeadLetterStatus);
              cursors.reset();
            }}
          >
            <option value="">all</option>
            {DEAD_LETTER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'dead' ? 'dead (open)' : s}
              </option>
            ))}
          </select>
        </label>
      </form>
      {outcome && <OutcomeView outcome={outcome} />}
      <ApiView state={state}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty message={status === 'dead' ? 'No open dead letters: every subscriber took every event.' : 'No dead letters match.'} />
            ) : (
              <DataTable
                caption="Dead letters"
                rows={page.items}
                rowKey={(d) => d.id}
                columns={[
                  { header: 'Subscriber', cell: (d) => <code>{d.subscriber}</code>, class: 'nowrap' },
                  {
                    header: 'Event',
                    cell: (d) => (
                      <span title={d.eventId}>
                        {d.type} <span class="muted">#{d.position}</span>
                      </span>
                    ),
                  },
                  {
                    header: 'Error',
                    cell: (d) => (
                      <span class="dl-error">
                        {d.error.code && <code>{d.error.code}</code>} {d.error.message}
                      </span>
                    ),
                    class: 'wide',
                  },
                  { header: 'Attempts', cell: (d) => d.attempts, class: 'num' },
                  { header: 'Status', cell: (d) => <StatusBadge status={d.status === 'retried' ? 'delivered' : d.status} /> },
                  { header: 'Dead since', cell: (d) => formatTime(d.createdAt), class: 'nowrap' },
                  { header: 'Resolved', cell: (d) => formatTime(d.resolvedAt), class: 'nowrap' },
                  {
                    header: 'Actions',
                    cell: (d) =>
                      d.status !== 'dead' ? (
                        <span class="muted">{d.status}</span>
                      ) : confirming === d.id ? (
                        <span class="actions">
                          <button type="button" class="danger" disabled={busy !== null} onClick={() => act(d, 'discard')}>
                            Confirm discard
                          </button>
                          <button type="button" class="secondary" onClick={() => setConfirming(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <span class="actions">
                          <button type="button" disabled={busy !== null} onClick={() => act(d, 'retry')} aria-label={`Retry ${d.type} #${d.position} for ${d.subscriber}`}>
                            {busy === d.id ? 'Retrying…' : 'Retry'}
                          </button>
                          <button
                            type="button"
                            class="secondary"
                            disabled={busy !== null}
                            onClick={() => setConfirming(d.id)}
                            aria-label={`Discard ${d.type} #${d.position} for ${d.subscriber}`}
                          >
                            Discard
                          </button>
                        </span>
                      ),
                  },
                ]}
              />
            )}
            <CursorPager label="Dead letter pages" cursors={cursors} nextCursor={page.nextCursor} busy={state.loading} />
          </>
        )}
      </ApiView>
    </section>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'problem') {
    return (
      <div class="outcome">
        <p class="muted small">The action on dead letter {shortId(outcome.id)} failed:</p>
        <ProblemView error={outcome.error} />
      </div>
    );
  }
  const d = outcome.deadLetter;
  const what = `${d.type} #${d.position} for ${d.subscriber}`;
  if (outcome.kind === 'failed') {
    return (
      <div class="problem" role="alert">
        <p class="problem-title">
          <strong>Retry failed: the subscriber threw again</strong>
        </p>
        <p class="problem-detail">
          {what}: {d.error.code && <code>{d.error.code}</code>} {d.error.message} (attempt {d.attempts}). It stays dead.
        </p>
      </div>
    );
  }
  return (
    <p class="outcome-ok" role="status">
      {outcome.kind === 'delivered' ? `Delivered: ${what} was taken by its subscriber (status retried).` : `Discarded: ${what} will not be delivered to its subscriber.`}
    </p>
  );
}
