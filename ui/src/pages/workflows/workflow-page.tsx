import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { CursorPager, useCursors } from '../../components/pager';
import { versionPath } from './paths';
import '../executions/executions.css';

/** A workflow's versions (semver order) with their lifecycle status. */
export default function WorkflowPage({ id }: { id: string }) {
  const cursors = useCursors();
  const state = useApi((api, signal) => api.get('/api/v3/workflows/{id}/versions', { params: { path: { id }, query: { limit: 50, cursor: cursors.cursor } }, signal }), [id, cursors.cursor]);
  return (
    <Page title={`Workflow ${id}`} actions={<a href={uiPath(`/executions?workflowId=${encodeURIComponent(id)}`)}>Its executions</a>}>
      <p class="muted small">Lifecycle: draft → active → deprecated → archived (a draft or an active version may also be archived directly). Only active versions start executions.</p>
      <ApiView state={state}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty message="This workflow has no versions." />
            ) : (
              <DataTable
                caption={`Versions of ${id}`}
                rows={page.items}
                rowKey={(w) => w.version}
                columns={[
                  { header: 'Version', cell: (w) => <a href={versionPath(w.id, w.version)}>{w.version}</a> },
                  { header: 'Status', cell: (w) => <StatusBadge status={w.status} /> },
                  { header: 'Name', cell: (w) => w.name },
                  { header: 'Steps', cell: (w) => w.steps.length, class: 'num' },
                  { header: 'Tags', cell: (w) => w.tags.join(', ') || '—' },
                  { header: 'Created', cell: (w) => formatTime(w.createdAt), class: 'nowrap' },
                  { header: 'Updated', cell: (w) => formatTime(w.updatedAt), class: 'nowrap' },
                ]}
              />
            )}
            <CursorPager label="Version pages" cursors={cursors} nextCursor={page.nextCursor} />
          </>
        )}
      </ApiView>
    </Page>
  );
}
