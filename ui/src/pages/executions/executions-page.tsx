import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatSpan, formatTime, shortId } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Executions area (replaced by its page helper): the latest executions. */
export default function ExecutionsPage() {
  const state = useApi((api, signal) => api.get('/api/v3/executions', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Executions">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No executions yet: start one from an active workflow." />
          ) : (
            <DataTable
              caption="Executions, newest first"
              rows={page.items}
              rowKey={(e) => e.id}
              columns={[
                { header: 'Id', cell: (e) => <code title={e.id}>{shortId(e.id)}</code> },
                { header: 'Workflow', cell: (e) => `${e.workflowId}@${e.workflowVersion}` },
                { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
                { header: 'Started', cell: (e) => formatTime(e.startedAt ?? e.createdAt), class: 'nowrap' },
                { header: 'Duration', cell: (e) => formatSpan(e.startedAt, e.completedAt), class: 'num' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
