import { useState } from 'preact/hooks';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { formatTime, shortId } from '../../format';
import { useApi } from '../../use-api';
import type { EventEnvelope } from './event-types';

interface Filters {
  type: string;
  aggregateType: string;
  aggregateId: string;
}

const PAGE_SIZE = 50;
/** Aggregate ids that are UUIDs are shortened (the full id is in the title); others (workflow@version) are shown whole. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NONE: Filters = { type: '', aggregateType: '', aggregateId: '' };

/**
 * The tenant's domain events in store order (oldest first), filtered by type and aggregate, a page at
 * a time: the next page continues `after` the last position shown (the API's `after`).
 */
export function EventList() {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  // The `after` of each page shown so far ('0': from the start).
  const [afters, setAfters] = useState<string[]>(['0']);
  const after = afters[afters.length - 1];
  const [open, setOpen] = useState<EventEnvelope | null>(null);
  const state = useApi(
    (api, signal) =>
      api.get('/api/v3/events', {
        params: {
          query: {
            limit: PAGE_SIZE,
            after,
            type: filters.type.trim() || undefined,
            aggregateType: filters.aggregateType.trim() || undefined,
            aggregateId: filters.aggregateId.trim() || undefined,
          },
        },
        signal,
      }),
    [filters, after],
  );
  const apply = (next: Filters) => {
    setFilters(next);
    setAfters(['0']);
    setOpen(null);
  };

  return (
    <section aria-labelledby="event-list-title">
      <h2 id="event-list-title" class="visually-hidden">
        Event list
      </h2>
      <form
        class="filters"
        aria-label="Event filters"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Type
          <input type="text" value={draft.type} onInput={(event) => setDraft({ ...draft, type: event.currentTarget.value })} placeholder="e.g. WorkflowExecutionCompleted" />
        </label>
        <label>
          Aggregate type
          <input
            type="text"
            value={draft.aggregateType}
            onInput={(event) => setDraft({ ...draft, aggregateType: event.currentTarget.value })}
            placeholder="e.g. WorkflowExecution"
          />
        </label>
        <label>
          Aggregate id
          <input type="text" value={draft.aggregateId} onInput={(event) => setDraft({ ...draft, aggregateId: event.currentTarget.value })} placeholder="any" />
        </label>
        <button type="submit">Filter</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft(NONE);
            apply(NONE);
          }}
        >
          Clear
        </button>
      </form>
      <ApiView state={state}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty message={afters.length > 1 ? 'No later events.' : 'No events match.'} />
            ) : (
              <DataTable
                caption="Domain events"
                rows={page.items}
                rowKey={(e) => e.id}
                columns={[
                  { header: 'Position', cell: (e) => e.position, class: 'num' },
                  { header: 'Type', cell: (e) => e.type },
                  {
                    header: 'Aggregate',
                    cell: (e) => (
                      <button
                        type="button"
                        class="link"
                        title={`Only the events of ${e.aggregateType} ${e.aggregateId}`}
                        onClick={() => {
                          const next = { ...NONE, aggregateId: e.aggregateId };
                          setDraft(next);
                          apply(next);
                        }}
                      >
                        {`${e.aggregateType} ${UUID.test(e.aggregateId) ? shortId(e.aggregateId) : e.aggregateId}`}
                      </button>
                    ),
                  },
                  { header: 'Occurred', cell: (e) => formatTime(e.occurredAt), class: 'nowrap' },
                  {
                    header: 'Envelope',
                    cell: (e) => (
                      <button type="button" class="secondary" aria-pressed={open?.id === e.id} onClick={() => setOpen(open?.id === e.id ? null : e)}>
                        {open?.id === e.id ? 'Hide' : 'Show'} <span class="visually-hidden">envelope of event {e.position}</span>
                      </button>
                    ),
                  },
                ]}
              />
            )}
            <div class="pager">
              <button type="button" class="secondary" disabled={afters.length === 1 || state.loading} onClick={() => setAfters((a) => a.slice(0, -1))}>
                Previous page
              </button>
              <span class="muted small">
                {page.items.length > 0 ? `Positions ${page.items[0].position}–${page.items[page.items.length - 1].position}` : `After position ${after}`}
              </span>
              <button
                type="button"
                class="secondary"
                disabled={page.items.length < PAGE_SIZE || state.loading}
                onClick={() => setAfters((a) => [...a, page.items[page.items.length - 1].position])}
              >
                Next page
              </button>
            </div>
          </>
        )}
      </ApiView>
      {open && <EnvelopeDetail event={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function EnvelopeDetail({ event, onClose }: { event: EventEnvelope; onClose: () => void }) {
  return (
    <section class="envelope" aria-labelledby="envelope-title">
      <header class="envelope-header">
        <h3 id="envelope-title">
          {event.type} <span class="muted">at position {event.position}</span>
        </h3>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      <dl class="fields">
        <dt>Event id</dt>
        <dd>
          <code>{event.id}</code>
        </dd>
        <dt>Aggregate</dt>
        <dd>
          {event.aggregateType} <code>{event.aggregateId}</code>
        </dd>
        <dt>Occurred</dt>
        <dd>{formatTime(event.occurredAt)}</dd>
        <dt>Correlation id</dt>
        <dd>{event.correlationId ? <code>{event.correlationId}</code> : '—'}</dd>
        <dt>Tenant</dt>
        <dd>
          <code>{event.tenantId}</code>
        </dd>
      </dl>
      <h4>Payload</h4>
      <pre class="json">{JSON.stringify(event.payload, null, 2)}</pre>
    </section>
  );
}
