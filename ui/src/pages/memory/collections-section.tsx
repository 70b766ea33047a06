import { useState } from 'preact/hooks';
import { ApiView } from '../../components/api-view';
import { DataTable } from '../../components/data-table';
import { Empty } from '../../components/empty';
import { formatTime } from '../../format';
import { useApi } from '../../use-api';
import { MemoryTable } from './memory-list';
import type { Collection } from './memory-types';

/** Memory collections (newest first, with their counts); one opened shows its members. */
export function CollectionsSection() {
  const state = useApi((api, signal) => api.get('/api/v3/memory-collections', { params: { query: { limit: 100 } }, signal }), []);
  const [open, setOpen] = useState<Collection | null>(null);
  return (
    <section aria-labelledby="collections-title">
      <h2 id="collections-title">Collections</h2>
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="No collections yet." />
          ) : (
            <>
              <DataTable
                caption="Collections"
                rows={page.items}
                rowKey={(c) => c.id}
                columns={[
                  { header: 'Name', cell: (c) => c.name },
                  { header: 'Description', cell: (c) => c.description ?? '—', class: 'wide' },
                  { header: 'Memories', cell: (c) => c.memoryCount, class: 'num' },
                  { header: 'Created', cell: (c) => formatTime(c.createdAt), class: 'nowrap' },
                  {
                    header: 'Members',
                    cell: (c) => (
                      <button type="button" class="secondary" aria-pressed={open?.id === c.id} onClick={() => setOpen(open?.id === c.id ? null : c)}>
                        {open?.id === c.id ? 'Hide' : 'Show'} <span class="visually-hidden">members of {c.name}</span>
                      </button>
                    ),
                  },
                ]}
              />
              {page.nextCursor && <p class="muted small">The 100 newest collections are shown.</p>}
            </>
          )
        }
      </ApiView>
      {open && <CollectionMembers collection={open} />}
    </section>
  );
}

function CollectionMembers({ collection }: { collection: Collection }) {
  const state = useApi(
    (api, signal) => api.get('/api/v3/memory-collections/{id}/memories', { params: { path: { id: collection.id }, query: { limit: 100 } }, signal }),
    [collection.id],
  );
  return (
    <section class="collection-members" aria-label={`Members of ${collection.name}`}>
      <h3>Members of {collection.name}</h3>
      <ApiView state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty message="This collection has no memories." />
          ) : (
            <>
              <MemoryTable memories={page.items} caption={`Members of ${collection.name}`} />
              {page.nextCursor && <p class="muted small">The 100 newest members are shown.</p>}
            </>
          )
        }
      </ApiView>
    </section>
  );
}
