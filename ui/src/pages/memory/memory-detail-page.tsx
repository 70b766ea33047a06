import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import type { Collection, Memory } from './memory-types';
import './memory.css';

/** Most collections, and most members per collection, read to find the ones holding a memory. */
const MAX_COLLECTIONS = 200;
const MAX_MEMBERS = 2000;

/** One memory: its content and fields, its previous contents, the collections it is in. */
export default function MemoryDetailPage({ id }: { id: string }) {
  const memory = useApi((api, signal) => api.get('/api/v3/memories/{id}', { params: { path: { id } }, signal }), [id]);
  return (
    <Page title="Memory" actions={<a href={uiPath('/memory')}>All memories</a>}>
      <ApiView state={memory}>
        {(m) => (
          <div class="area-memory">
            <MemoryFields memory={m} />
            <Revisions memory={m} />
            <Memberships memory={m} />
          </div>
        )}
      </ApiView>
    </Page>
  );
}

function MemoryFields({ memory: m }: { memory: Memory }) {
  return (
    <section class="memory-detail" aria-labelledby="memory-content-title">
      <h2 id="memory-content-title" class="visually-hidden">
        Content
      </h2>
      <blockquote class="memory-content">{m.content}</blockquote>
      <dl class="fields">
        <dt>Id</dt>
        <dd>
          <code>{m.id}</code>
        </dd>
        <dt>Namespace</dt>
        <dd>
          <code>{m.namespace}</code>
        </dd>
        <dt>Type</dt>
        <dd>{m.memoryType}</dd>
        <dt>Scope</dt>
        <dd>
          {m.scope}
          {m.userId && ` · user ${m.userId}`}
          {m.agentId && ` · agent ${m.agentId}`}
          {m.sessionId && ` · session ${m.sessionId}`}
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={m.status} />
        </dd>
        <dt>Importance</dt>
        <dd>{m.importance}</dd>
        <dt>Tags</dt>
        <dd>
          {m.tags.length === 0
            ? '—'
            : m.tags.map((tag) => (
                <span class="tag" key={tag}>
                  {tag}
                </span>
              ))}
        </dd>
        <dt>Access count</dt>
        <dd>
          {m.accessCount} (last {formatTime(m.lastAccessedAt)})
        </dd>
        <dt>Embedding model</dt>
        <dd>{m.embeddingModel ?? '—'}</dd>
        <dt>Revision</dt>
        <dd>{m.revision}</dd>
        <dt>Created</dt>
        <dd>{formatTime(m.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(m.updatedAt)}</dd>
        <dt>Expires</dt>
        <dd>{formatTime(m.expiresAt)}</dd>
        {m.summaryOf.length > 0 && (
          <>
            <dt>Summary of</dt>
            <dd>
              {m.summaryOf.map((sid) => (
                <a key={sid} class="id-link" href={uiPath(`/memory/${sid}`)}>
                  <code>{sid}</code>
                </a>
              ))}
            </dd>
          </>
        )}
      </dl>
      <h3>Metadata</h3>
      {Object.keys(m.metadata).length === 0 ? <p class="muted">No metadata.</p> : <pre class="json">{JSON.stringify(m.metadata, null, 2)}</pre>}
    </section>
  );
}

function Revisions({ memory }: { memory: Memory }) {
  const state = useApi((api, signal) => api.get('/api/v3/memories/{id}/revisions', { params: { path: { id: memory.id } }, signal }), [memory.id, memory.revision]);
  return (
    <section aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revisions</h2>
      <ApiView state={state}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty message="The content never changed: no previous contents." />
          ) : (
            <DataTable
              caption="Revisions"
              rows={list.items}
              rowKey={(r) => String(r.revision)}
              columns={[
                { header: 'Revision', cell: (r) => r.revision, class: 'num' },
                { header: 'Previous content', cell: (r) => r.content, class: 'wide' },
                { header: 'Embedding model', cell: (r) => r.embeddingModel ?? '—' },
                { header: 'Replaced', cell: (r) => formatTime(r.createdAt), class: 'nowrap' },
              ]}
            />
          )
        }
      </ApiView>
    </section>
  );
}

interface Membership {
  collection: Collection;
  contains: boolean;
}

/**
 * The API has no per-memory membership lookup: every collection (up to MAX_COLLECTIONS) is listed
 * with its members (up to MAX_MEMBERS each), and the ones holding this memory are marked.
 */
function Memberships({ memory }: { memory: Memory }) {
  const state = useApi(
    async (api, signal) => {
      const collections: Collection[] = [];
      for await (const c of api.paginate('/api/v3/memory-collections', { params: { query: { limit: 100 } }, signal })) {
        collections.push(c);
        if (collections.length >= MAX_COLLECTIONS) break;
      }
      const memberships: Membership[] = [];
      for (const collection of collections) {
        let contains = false;
        let read = 0;
        for await (const member of api.paginate('/api/v3/memory-collections/{id}/memories', { params: { path: { id: collection.id }, query: { limit: 200 } }, signal })) {
          if (member.id === memory.id) {
            contains = true;
            break;
          }
          if (++read >= MAX_MEMBERS) break;
        }
        memberships.push({ collection, contains });
      }
      return { memberships, capped: collections.length >= MAX_COLLECTIONS };
    },
    [memory.id],
  );
  return (
    <section aria-labelledby="collections-title">
      <h2 id="collections-title">Collections</h2>
      <ApiView state={state}>
        {({ memberships, capped }) => {
          const holding = memberships.filter((m) => m.contains);
          if (memberships.length === 0) return <Empty message="There are no collections." />;
          return (
            <>
              <p>
                {holding.length === 0
                  ? 'In no collection.'
                  : `In ${holding.length === 1 ? '1 collection' : `${holding.length} collections`}: ${holding.map((m) => m.collection.name).join(', ')}.`}
              </p>
              <DataTable
                caption="Collections and this memory"
                rows={memberships}
                rowKey={(m) => m.collection.id}
                columns={[
                  { header: 'Collection', cell: (m) => m.collection.name },
                  { header: 'Memories', cell: (m) => m.collection.memoryCount, class: 'num' },
                  { header: 'Holds this memory', cell: (m) => (m.contains ? <strong>yes</strong> : 'no') },
                ]}
              />
              {capped && <p class="muted small">Only the {MAX_COLLECTIONS} newest collections were read.</p>}
            </>
          );
        }}
      </ApiView>
    </section>
  );
}
