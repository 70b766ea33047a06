import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Workflows area (replaced by its page helper): the workflows' latest versions. */
export default function WorkflowsPage() {
  const state = useApi((api, signal) => api.get('/api/v3/workflows', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Workflows">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No workflows yet: create one with POST /api/v3/workflows." />
          ) : (
            <DataTable
              caption="Workflows"
              rows={page.items}
              rowKey={(w) => `${w.id}@${w.version}`}
              columns={[
                { header: 'Workflow', cell: (w) => <code>{w.id}</code> },
                { header: 'Version', cell: (w) => w.version },
                { header: 'Name', cell: (w) => w.name },
                { header: 'Status', cell: (w) => <StatusBadge status={w.status} /> },
                { header: 'Steps', cell: (w) => w.steps.length, class: 'num' },
                { header: 'Tags', cell: (w) => w.tags.join(', ') },
                { header: 'Updated', cell: (w) => formatTime(w.updatedAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
