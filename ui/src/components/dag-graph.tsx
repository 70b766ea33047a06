import dagre from '@dagrejs/dagre';
import { useId, useMemo } from 'preact/hooks';
import { statusTone } from './status-badge';
import './dag-graph.css';

/** A node of a DAG: a workflow step (or a forEach step collapsed into one node). */
export interface DagNode {
  id: string;
  /** The first line (the step id). */
  title: string;
  /** The second line (e.g. the step type). */
  subtitle?: string;
  /** The status drawn as the node's colour and third line; none draws a neutral node. */
  status?: string;
  /** A line under the status (e.g. "12 items: 10 completed, 2 running"). */
  detail?: string;
  /** Drawn emphasised (e.g. on the critical path). */
  highlighted?: boolean;
}

/** An edge `from → to`: `to` depends on `from`. */
export interface DagEdge {
  from: string;
  to: string;
  highlighted?: boolean;
}

export interface DagGraphProps {
  /** What the drawing shows, for screen readers (the SVG's accessible name). */
  label: string;
  nodes: DagNode[];
  edges: DagEdge[];
  /** The node shown as selected (aria-pressed). */
  selected?: string | null;
  /** Makes nodes buttons (click, Enter or Space). */
  onSelect?: (id: string) => void;
}

const NODE_WIDTH = 184;
const NODE_HEIGHT = 64;
const MARGIN = 12;

interface Layout {
  width: number;
  height: number;
  nodes: Map<string, { x: number; y: number }>;
  edges: { from: string; to: string; path: string }[];
}

/** dagre's layout of the graph, left to right; depends only on the structure, not on statuses. */
function layoutOf(ids: string[], edges: { from: string; to: string }[]): Layout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 56, marginx: MARGIN, marginy: MARGIN });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of ids) graph.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) if (graph.hasNode(edge.from) && graph.hasNode(edge.to)) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  const nodes = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const node = graph.node(id);
    nodes.set(id, { x: node.x, y: node.y });
  }
  const drawn = graph.edges().map((e) => {
    const points: { x: number; y: number }[] = graph.edge(e).points ?? [];
    return { from: e.v, to: e.w, path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ') };
  });
  const label = graph.graph();
  return { width: Math.ceil(label.width ?? NODE_WIDTH + 2 * MARGIN), height: Math.ceil(label.height ?? NODE_HEIGHT + 2 * MARGIN), nodes, edges: drawn };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A DAG drawn as SVG with dagre's layout: nodes coloured by status (`tone-<tone>` and
 * `status-<status>` classes, the status also as text), highlighted nodes and edges emphasised.
 * With `onSelect`, each node is a keyboard-usable button. The box scrolls on narrow screens.
 */
export function DagGraph({ label, nodes, edges, selected, onSelect }: DagGraphProps) {
  const markerId = `dag-arrow-${useId()}`;
  const markerHot = `${markerId}-hot`;
  const structure = JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.from, e.to])]);
  // Statuses change live; the layout only when the graph itself does.
  const layout = useMemo(() => layoutOf(nodes.map((n) => n.id), edges), [structure]);
  const hot = new Set(edges.filter((e) => e.highlighted).map((e) => `${e.from}\u0000${e.to}`));

  return (
    <div class="dag-wrap" tabIndex={onSelect ? undefined : 0} role={onSelect ? undefined : 'region'} aria-label={onSelect ? undefined : label}>
      <svg class="dag" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label={label}>
        <defs>
          <marker id={markerId} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
            <path class="dag-arrow" d="M0,0 L10,5 L0,10 z" />
          </marker>
          <marker id={markerHot} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
            <path class="dag-arrow hot" d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {layout.edges.map((edge) => {
          const isHot = hot.has(`${edge.from}\u0000${edge.to}`);
          return <path key={`${edge.from}->${edge.to}`} class={`dag-edge${isHot ? ' hot' : ''}`} data-from={edge.from} data-to={edge.to} d={edge.path} marker-end={`url(#${isHot ? markerHot : markerId})`} />;
        })}
        {nodes.map((node) => {
          const at = layout.nodes.get(node.id);
          if (!at) return null;
          const status = node.status ?? 'none';
          const classes = ['dag-node', `tone-${statusTone(node.status)}`, `status-${status.replace(/\s+/g, '-')}`];
          if (node.highlighted) classes.push('hot');
          if (selected === node.id) classes.push('selected');
          const description = [node.title, node.subtitle, node.status, node.detail, node.highlighted ? 'on the critical path' : undefined].filter(Boolean).join(', ');
          const interactive = onSelect
            ? {
                role: 'button' as const,
                // Lowercase: on an SVG element Preact sets attributes by name, and SVG's is `tabindex`.
                tabindex: 0,
                'aria-pressed': selected === node.id,
                onClick: () => onSelect(node.id),
                onKeyDown: (event: KeyboardEvent) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    onSelect(node.id);
                  }
                },
              }
            : { role: 'img' as const };
          return (
            <g key={node.id} class={classes.join(' ')} data-step={node.id} data-status={status} transform={`translate(${(at.x - NODE_WIDTH / 2).toFixed(1)},${(at.y - NODE_HEIGHT / 2).toFixed(1)})`} aria-label={description} {...interactive}>
              <title>{description}</title>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" ry="6" />
              <text x="10" y="18" class="dag-title">
                {clip(node.title, 24)}
              </text>
              <text x="10" y="34" class="dag-sub">
                {clip([node.subtitle, node.status].filter(Boolean).join(' · '), 30)}
              </text>
              {node.detail && (
                <text x="10" y="51" class="dag-detail">
                  {clip(node.detail, 32)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
