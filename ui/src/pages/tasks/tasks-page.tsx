import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Tasks area (replaced by its page helper): the task queue. */
export default function TasksPage() {
  const state = useApi((api, signal) => api.get('/api/v3/tasks', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Tasks">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No tasks yet." />
          ) : (
            <DataTable
              caption="Tasks"
              rows={page.items}
              rowKey={(t) => t.id}
              columns={[
                { header: 'Name', cell: (t) => t.name },
                { header: 'Priority', cell: (t) => t.priority },
                { header: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
                { header: 'Attempt', cell: (t) => `${t.attempt} / ${t.maxAttempts}`, class: 'num' },
                { header: 'Created', cell: (t) => formatTime(t.createdAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
