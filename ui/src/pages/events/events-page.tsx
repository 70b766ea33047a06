import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { formatTime, shortId } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Events area (replaced by its page helper): the latest domain events of the event store. */
export default function EventsPage() {
  const state = useApi((api, signal) => api.get('/api/v3/events', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Events">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No events yet." />
          ) : (
            <DataTable
              caption="Domain events"
              rows={page.items}
              rowKey={(e) => e.id}
              columns={[
                { header: 'Position', cell: (e) => e.position, class: 'num' },
                { header: 'Type', cell: (e) => e.type },
                { header: 'Aggregate', cell: (e) => <span title={e.aggregateId}>{`${e.aggregateType} ${shortId(e.aggregateId)}`}</span> },
                { header: 'Occurred', cell: (e) => formatTime(e.occurredAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
