import { useEffect, useMemo, useState } from 'preact/hooks';
import { CognitionOsError, type CognitionOsClient } from '@client';
import { ApiView } from '../../components/api-view';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { formatTime } from '../../format';
import { uiPath } from '../../routing';
import { useApi } from '../../use-api';
import { SpanDetails } from './span-details';
import { TraceTotals } from './trace-totals';
import { WaterfallView } from './waterfall';
import { isLive, layoutWaterfall, type TraceNode, type TraceTree } from './waterfall-model';
import './obs.css';
import './traces.css';

/** While a span runs, the page reloads the tree this often (and redraws running bars up to now). */
const LIVE_REFRESH_MS = 2000;

/**
 * The tree of a trace named by the id of a traced thing (an execution, a task…: its span is looked up with
 * GET /traces?entityId=, the workflow span first) or by a span id. The lookup comes first so that opening
 * an execution's trace costs no failed request.
 */
async function loadTrace(api: CognitionOsClient, id: string, signal: AbortSignal): Promise<TraceTree> {
  const found = await api.get('/api/v3/traces', { params: { query: { entityId: id, limit: 20 } }, signal }).catch((error: unknown) => {
    // Not an entity id the API accepts (e.g. a span id of another shape): try it as a span id.
    if (error instanceof CognitionOsError && error.status < 500 && error.status !== 401) return null;
    throw error;
  });
  const span = found?.items.find((s) => s.type === 'workflow') ?? found?.items[0];
  return api.get('/api/v3/traces/{id}', { params: { path: { id: span ? span.id : id } }, signal });
}

/** /ui/traces/:id — the waterfall of a trace (a span id, or an execution's or task's id). */
export default function TracePage({ id }: { id: string }) {
  const state = useApi((api, signal) => loadTrace(api, id, signal), [id]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const tree = state.data;
  const live = tree ? isLive(tree) : false;

  // Running spans: refresh the tree every few seconds and let their bars grow up to now.
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => {
      setNow(Date.now());
      state.reload();
    }, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, state.reload]);

  const waterfall = useMemo(() => (tree ? layoutWaterfall(tree, live ? now : Date.now()) : null), [tree, now, live]);
  const selected = waterfall?.rows.find((row) => row.span.id === selectedId) ?? null;
  const select = (span: TraceNode) => setSelectedId((current) => (current === span.id ? null : span.id));

  return (
    <Page title={tree ? `Trace: ${tree.name}` : 'Trace'} actions={<a href={uiPath('/traces')}>All traces</a>}>
      <ApiView state={state}>
        {(t) => (
          <>
            <p class="trace-meta">
              <StatusBadge status={t.status} /> <span>{t.type}</span> · started {formatTime(t.startedAt)}
              {t.type === 'workflow' && (
                <>
                  {' '}
                  · <a href={uiPath(`/executions/${t.entityId}`)}>Open the execution</a>
                </>
              )}
              {live && <span class="muted"> · live, refreshing every {LIVE_REFRESH_MS / 1000} s</span>}
            </p>
            <TraceTotals tree={t} liveDurationMs={waterfall?.rows[0]?.durationMs ?? null} />
            {waterfall && <WaterfallView waterfall={waterfall} selectedId={selectedId} onSelect={select} />}
            {selected ? (
              <SpanDetails span={selected.span} durationMs={selected.durationMs} onClose={() => setSelectedId(null)} />
            ) : (
              <p class="muted small">Select a span (click it, or Enter on it) to see its inputs, outputs, error and metadata.</p>
            )}
          </>
        )}
      </ApiView>
    </Page>
  );
}
