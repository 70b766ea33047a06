import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';

/** Placeholder of the Agents area (replaced by its page helper): the agent instances. */
export default function AgentsPage() {
  const state = useApi((api, signal) => api.get('/api/v3/agents', { params: { query: { limit: 50 } }, signal }), []);
  return (
    <Page title="Agents">
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No agents yet: instantiate one from an agent definition." />
          ) : (
            <DataTable
              caption="Agents"
              rows={page.items}
              rowKey={(a) => a.id}
              columns={[
                { header: 'Name', cell: (a) => a.name },
                { header: 'Role', cell: (a) => a.role },
                { header: 'Status', cell: (a) => <StatusBadge status={a.status} /> },
                { header: 'Tokens', cell: (a) => `${a.budgetUsage.tokensUsed} / ${a.budgetLimits.maxTokens}`, class: 'num' },
                { header: 'Last active', cell: (a) => formatTime(a.lastActiveAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </Page>
  );
}
