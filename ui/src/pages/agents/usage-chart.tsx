import type { components } from '@client';
import { formatTime } from '../../format';
import { formatCost, formatCount } from '../traces/obs-format';

type Entry = components['schemas']['UsageEntryResponseDto'];

const W = 600;
const H = 200;
const PAD = { left: 52, right: 52, top: 12, bottom: 26 };

interface Point {
  x: number;
  tokens: number;
  cost: number;
  entry: Entry;
}

/** The ledger entries oldest first with running totals of tokens (in + out) and cost. */
export function cumulative(entries: readonly Entry[]): { at: number; tokens: number; cost: number; entry: Entry }[] {
  let tokens = 0;
  let cost = 0;
  return [...entries]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((entry) => {
      tokens += entry.tokensIn + entry.tokensOut;
      cost += entry.costUsd;
      return { at: new Date(entry.createdAt).getTime(), tokens, cost, entry };
    });
}

/**
 * Usage over time, drawn as plain SVG: cumulative tokens (solid, left axis), cumulative cost (dashed,
 * right axis) and one dot per model or tool call (red when it failed).
 */
export function UsageChart({ entries }: { entries: readonly Entry[] }) {
  const series = cumulative(entries);
  const first = series[0];
  const last = series[series.length - 1];
  if (!first || !last) return null;
  const t0 = first.at;
  const span = Math.max(last.at - t0, 1);
  const maxTokens = Math.max(last.tokens, 1);
  const maxCost = last.cost;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (at: number) => PAD.left + (series.length === 1 ? innerW / 2 : ((at - t0) / span) * innerW);
  const yTokens = (n: number) => PAD.top + innerH - (n / maxTokens) * innerH;
  const yCost = (n: number) => PAD.top + innerH - (maxCost > 0 ? (n / maxCost) * innerH : 0);
  const points: Point[] = series.map((p) => ({ x: x(p.at), tokens: yTokens(p.tokens), cost: yCost(p.cost), entry: p.entry }));
  const base = PAD.top + innerH;
  // Step lines: a total holds until the next call adds to it.
  const step = (key: 'tokens' | 'cost') =>
    points.map((p, i) => (i === 0 ? `M${PAD.left},${base} L${p.x},${base} L${p.x},${p[key]}` : `L${p.x},${points[i - 1][key]} L${p.x},${p[key]}`)).join(' ') +
    ` L${PAD.left + innerW},${points[points.length - 1][key]}`;
  const tokensPath = step('tokens');
  const summary = `${formatCount(last.tokens)} tokens and ${formatCost(last.cost)} over ${series.length} calls, from ${formatTime(first.entry.createdAt)} to ${formatTime(last.entry.createdAt)}`;

  return (
    <figure class="usage-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Usage over time: ${summary}`}>
        <title>Usage over time</title>
        <path class="tokens-area" d={`${tokensPath} L${PAD.left + innerW},${base} Z`} />
        <path class="tokens-line" d={tokensPath} />
        {maxCost > 0 && <path class="cost-line" d={step('cost')} />}
        <line class="axis" x1={PAD.left} y1={base} x2={PAD.left + innerW} y2={base} />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={base} />
        <text x={PAD.left - 6} y={PAD.top + 10} text-anchor="end">
          {formatCount(maxTokens)}
        </text>
        <text x={PAD.left - 6} y={base} text-anchor="end">
          0
        </text>
        {maxCost > 0 && (
          <text x={PAD.left + innerW + 6} y={PAD.top + 10}>
            {formatCost(maxCost)}
          </text>
        )}
        <text x={PAD.left} y={H - 6}>
          {new Date(first.at).toLocaleTimeString()}
        </text>
        <text x={PAD.left + innerW} y={H - 6} text-anchor="end">
          {new Date(last.at).toLocaleTimeString()}
        </text>
        {points.map((p) => (
          <circle key={p.entry.id} class={`point ${p.entry.kind} ${p.entry.status}`} cx={p.x} cy={p.tokens} r={3.5}>
            <title>
              {p.entry.kind === 'model_call' ? 'model' : 'tool'} {p.entry.name}: {formatCount(p.entry.tokensIn)} in / {formatCount(p.entry.tokensOut)} out, {formatCost(p.entry.costUsd)}, {p.entry.status}
            </title>
          </circle>
        ))}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          <li>Solid: tokens so far (left axis)</li>
          {maxCost > 0 && <li>Dashed: cost so far (right axis)</li>}
          <li>Dots: calls (blue model, amber tool, red failed)</li>
        </ul>
        <p class="small muted">{summary}</p>
      </figcaption>
    </figure>
  );
}
