import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Memory area (replaced by its page helper): the latest memories. */
export default function MemoryPage() {
  const state = useApi((api, signal) => api.get('/api/v3/memories', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Memory">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No memories yet." />
          ) : (
            <DataTable
              caption="Memories"
              rows={page.items}
              rowKey={(m) => m.id}
              columns={[
                { header: 'Namespace', cell: (m) => <code>{m.namespace}</code> },
                { header: 'Type', cell: (m) => m.memoryType },
                { header: 'Content', cell: (m) => (m.content.length > 120 ? `${m.content.slice(0, 120)}…` : m.content) },
                { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
                { header: 'Created', cell: (m) => formatTime(m.createdAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
