import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatDuration, formatTime } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Traces area (replaced by its page helper): the latest workflow traces (root spans). */
export default function TracesPage() {
  const state = useApi((api, signal) => api.get('/api/v3/traces', { params: { query: { type: 'workflow', limit: 50 } }, signal }), []);
  return (
    <Page title="Traces">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No traces yet: every execution writes one." />
          ) : (
            <DataTable
              caption="Workflow traces"
              rows={page.items}
              rowKey={(s) => s.id}
              columns={[
                { header: 'Name', cell: (s) => s.name },
                { header: 'Type', cell: (s) => s.type },
                { header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
                { header: 'Started', cell: (s) => formatTime(s.startedAt), class: 'nowrap' },
                { header: 'Duration', cell: (s) => formatDuration(s.durationMs), class: 'num' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
