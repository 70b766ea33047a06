import { useLocation } from 'preact-iso';
import { ApiView } from '../../components/api-view';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { uiPath } from '../../routing';
import { CollectionsSection } from './collections-section';
import { MemoryList } from './memory-list';
import { MemorySearch } from './memory-search';
import { NamespaceTree } from './namespace-tree';
import { NAMESPACE_SCAN_LIMIT, useNamespaces } from './use-namespaces';
import './memory.css';

const VIEWS = [
  { id: 'browse', label: 'Browse' },
  { id: 'search', label: 'Search' },
  { id: 'collections', label: 'Collections' },
] as const;
type View = (typeof VIEWS)[number]['id'];

/** The URL of the explorer in a view, for a namespace ('' = all): /ui/memory?view=search&namespace=acme. */
function explorerPath(view: View, namespace: string): string {
  const query = new URLSearchParams();
  if (view !== 'browse') query.set('view', view);
  if (namespace) query.set('namespace', namespace);
  const search = query.toString();
  return uiPath(`/memory${search ? `?${search}` : ''}`);
}

/** The memory explorer: the namespace tree beside the memories of the selected subtree, search, collections. */
export default function MemoryPage() {
  const { query, route } = useLocation();
  const view: View = VIEWS.some((v) => v.id === query.view) ? (query.view as View) : 'browse';
  const namespace = query.namespace ?? '';
  const namespaces = useNamespaces();
  const select = (next: string) => route(explorerPath(view, next));

  return (
    <Page title="Memory">
      <div class="area-memory">
        <nav class="view-tabs" aria-label="Memory views">
          {VIEWS.map((v) => (
            <a key={v.id} href={explorerPath(v.id, namespace)} aria-current={v.id === view ? 'page' : undefined}>
              {v.label}
            </a>
          ))}
        </nav>
        {view === 'collections' ? (
          <CollectionsSection />
        ) : (
          <div class="explorer">
            <aside class="explorer-tree" aria-labelledby="namespaces-title">
              <h2 id="namespaces-title">Namespaces</h2>
              <button type="button" class="secondary all-namespaces" aria-pressed={namespace === ''} onClick={() => select('')}>
                All namespaces
              </button>
              <ApiView state={namespaces}>
                {({ tree, more }) =>
                  tree.length === 0 ? (
                    <Empty message="No memories yet, so no namespaces." />
                  ) : (
                    <>
                      <NamespaceTree nodes={tree} selected={namespace} onSelect={select} />
                      <p class="muted small">
                        {more ? `From the namespaces of the newest ${NAMESPACE_SCAN_LIMIT} memories; ` : ''}
                        counts include the subtree. Arrow keys move and expand, Enter selects.
                      </p>
                    </>
                  )
                }
              </ApiView>
            </aside>
            <div class="explorer-main">{view === 'search' ? <MemorySearch namespace={namespace} /> : <MemoryList namespace={namespace} />}</div>
          </div>
        )}
      </div>
    </Page>
  );
}
