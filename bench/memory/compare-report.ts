/** Tables and the recall–QPS plot (plain SVG) of the interleaved ours-vs-raw comparison. */
import { markdownTable } from '../support/table';
import type { CompareCell } from './compare';
import type { Subset } from './ground-truth';

const FILTER: Record<Subset, string> = { all: 'none', one: '1 %', ten: '10 %' };
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const x = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const cpuOurs = (c: CompareCell) => c.ours.cpuMs.server + c.ours.cpuMs.postgres + c.ours.cpuMs.client;
const cpuRaw = (c: CompareCell) => c.raw.cpuMs.server + c.raw.cpuMs.postgres + c.raw.cpuMs.client;

/** The operating point of a row: the first ef_search where raw reaches recall@10 ≥ 0.95 (else the highest). */
export function operatingCell(cells: CompareCell[]): CompareCell | undefined {
  const sorted = [...cells].sort((a, b) => a.efSearch - b.efSearch);
  return sorted.find((c) => c.raw.recall >= 0.95) ?? sorted[sorted.length - 1];
}

function rows(cells: CompareCell[]): Array<{ clients: number; subset: Subset; cells: CompareCell[] }> {
  const out: Array<{ clients: number; subset: Subset; cells: CompareCell[] }> = [];
  for (const c of cells) {
    let row = out.find((r) => r.clients === c.clients && r.subset === c.subset);
    if (!row) out.push((row = { clients: c.clients, subset: c.subset, cells: [] }));
    row.cells.push(c);
  }
  return out;
}

export function renderComparison(cells: CompareCell[]): string {
  const grouped = rows(cells);
  const http = cells.some((c) => c.httpRaw);
  // The HTTP peer's columns, when it was measured: its q/s and ours ÷ it.
  const httpCells = (c: CompareCell) => (http ? [f(c.httpRaw?.perSecond ?? NaN), x(c.httpRatio ?? NaN)] : []);
  const httpHeaders = http ? ['raw over HTTP q/s', 'ours / raw over HTTP'] : [];
  const embedded = cells.some((c) => c.embedded);
  // Ours embedded (the memory module in the bench process, no HTTP), when it was measured: its recall, q/s and ratio to raw.
  const embeddedCells = (c: CompareCell) => (embedded ? [f(c.embedded?.recall ?? NaN, 3), f(c.embedded?.perSecond ?? NaN), x(c.embeddedRatio ?? NaN)] : []);
  const embeddedHeaders = embedded ? ['ours embedded recall@10', 'ours embedded q/s', 'ours embedded / raw'] : [];
  // The optional peers' columns are numbers: right-aligned after the fixed ones.
  const align = (fixed: Array<'l' | 'r'>, headers: string[]) => [...fixed, ...headers.slice(fixed.length).map((): 'r' => 'r')];
  const mainHeaders = ['clients', 'filter', 'ours: strategy', 'ef_search', 'recall@10 raw / ours', 'raw q/s', 'ours q/s', 'ours / raw', 'lowest ours / raw, ef 20–320', 'CPU ms/query raw / ours', 'p50 ms raw / ours', ...httpHeaders, ...embeddedHeaders];
  const curveHeaders = [
    ...['clients', 'filter', 'ef_search', 'raw recall@10', 'raw q/s', 'ours recall@10', 'ours q/s', 'ours / raw', 'per round', 'raw CPU ms/q (pg + client)', 'ours CPU ms/q (server + pg + client)'],
    ...httpHeaders,
    ...(http ? ['raw over HTTP CPU ms/q (server + pg + client)'] : []),
    ...embeddedHeaders,
    ...(embedded ? ['ours embedded CPU ms/q (pg + client)'] : []),
  ];
  const main = markdownTable(
    mainHeaders,
    grouped.map((r) => {
      const c = operatingCell(r.cells)!;
      const lowest = r.cells.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      return [
        r.clients,
        FILTER[r.subset],
        c.strategy,
        c.rawVariant === 'exact' ? 'any (exact scan)' : c.efSearch,
        `${f(c.raw.recall, 3)} / ${f(c.ours.recall, 3)}`,
        f(c.raw.perSecond),
        f(c.ours.perSecond),
        x(c.ratio),
        c.rawVariant === 'exact' ? `${x(lowest.ratio)} (exact at every ef)` : `${x(lowest.ratio)} (ef ${lowest.efSearch})`,
        `${f(cpuRaw(c), 2)} / ${f(cpuOurs(c), 2)}`,
        `${f(c.raw.p50Ms, 2)} / ${f(c.ours.p50Ms, 2)}`,
        ...httpCells(c),
        ...embeddedCells(c),
      ];
    }),
    align(['r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], mainHeaders),
  );
  const curve = markdownTable(
    curveHeaders,
    cells.map((c) => [
      c.clients,
      FILTER[c.subset],
      c.rawVariant === 'exact' ? 'any (exact scan)' : c.efSearch,
      f(c.raw.recall, 3),
      f(c.raw.perSecond),
      f(c.ours.recall, 3),
      f(c.ours.perSecond),
      x(c.ratio),
      c.roundRatios.map((r) => r.toFixed(2)).join(' '),
      `${f(c.raw.cpuMs.postgres, 2)} + ${f(c.raw.cpuMs.client, 2)}`,
      `${f(c.ours.cpuMs.server, 2)} + ${f(c.ours.cpuMs.postgres, 2)} + ${f(c.ours.cpuMs.client, 2)}`,
      ...httpCells(c),
      ...(http ? [c.httpRaw ? `${f(c.httpRaw.cpuMs.server, 2)} + ${f(c.httpRaw.cpuMs.postgres, 2)} + ${f(c.httpRaw.cpuMs.client, 2)}` : '–'] : []),
      ...embeddedCells(c),
      ...(embedded ? [c.embedded ? `${f(c.embedded.cpuMs.postgres, 2)} + ${f(c.embedded.cpuMs.client, 2)}` : '–'] : []),
    ]),
    align(['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r'], curveHeaders),
  );
  const worst = Math.min(...cells.map((c) => c.ratio));
  const operating = grouped.map((r) => operatingCell(r.cells)!.ratio);
  const verdict = [
    `- ours ≥ 0.6× raw at equal recall in every row: ${operating.every((r) => r >= 0.6) ? 'met' : 'MISSED'} (lowest ${x(Math.min(...operating))})`,
    `- no row below 0.5× at any ef_search: ${worst >= 0.5 ? 'met' : 'MISSED'} (lowest ${x(worst)})`,
    ...(http
      ? [
          `- not a target, for comparison: ours ÷ raw pgvector behind a bare Fastify route (the same statement over HTTP, no auth), at the rows' operating points: ${grouped.map((r) => x(operatingCell(r.cells)!.httpRatio ?? NaN)).join(', ')}`,
        ]
      : []),
    ...(embedded
      ? [
          `- not a target, for comparison: ours embedded (the memory module in the bench process, searched through the QueryBus, no HTTP) ÷ raw pgvector, at the rows' operating points: ${grouped.map((r) => x(operatingCell(r.cells)!.embeddedRatio ?? NaN)).join(', ')}; lowest at any ef_search ${x(Math.min(...cells.map((c) => c.embeddedRatio ?? NaN)))}`,
        ]
      : []),
  ].join('\n');
  return [
    '### Ours vs raw pgvector at equal recall (interleaved rounds, medians)',
    '',
    'Each row at the first ef_search where raw reaches recall@10 ≥ 0.95 (ours runs the same ef_search on the same graph: equal recall).',
    '',
    main,
    '',
    verdict,
    '',
    '### Recall–QPS over ef_search, ours and raw',
    '',
    curve,
  ].join('\n');
}

/** recall@10 (x) against queries per second (y, log scale) of ours and raw, one line per target and clients, unfiltered. */
export function recallQpsSvg(cells: CompareCell[], title: string): string {
  const W = 720;
  const H = 440;
  const m = { left: 70, right: 190, top: 40, bottom: 50 };
  const series = rows(cells)
    .filter((r) => r.subset === 'all')
    .flatMap((r) => [
      { name: `raw pgvector, ${r.clients} client${r.clients > 1 ? 's' : ''}`, dashed: true, clients: r.clients, points: r.cells.map((c) => ({ recall: c.raw.recall, qps: c.raw.perSecond, ef: c.efSearch })) },
      { name: `ours (HTTP API), ${r.clients} client${r.clients > 1 ? 's' : ''}`, dashed: false, clients: r.clients, points: r.cells.map((c) => ({ recall: c.ours.recall, qps: c.ours.perSecond, ef: c.efSearch })) },
      ...(r.cells.some((c) => c.embedded)
        ? [{ name: `ours embedded, ${r.clients} client${r.clients > 1 ? 's' : ''}`, dashed: false, dotted: true, clients: r.clients, points: r.cells.map((c) => ({ recall: c.embedded?.recall ?? NaN, qps: c.embedded?.perSecond ?? NaN, ef: c.efSearch })) }]
        : []),
    ]);
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.qps) && p.qps > 0);
  if (!all.length) return '';
  const minR = Math.min(...all.map((p) => p.recall));
  const xMin = Math.max(0, Math.floor(minR * 50) / 50 - 0.01);
  const xMax = 1.0;
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.qps))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.qps))));
  const px = (r: number) => m.left + ((r - xMin) / (xMax - xMin)) * (W - m.left - m.right);
  const py = (q: number) => H - m.bottom - ((Math.log10(q) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - m.top - m.bottom);
  const colour = (s: { dashed: boolean; dotted?: boolean; clients: number }) =>
    s.dashed ? (s.clients > 1 ? '#7f7f7f' : '#bdbdbd') : s.dotted ? (s.clients > 1 ? '#2ca02c' : '#98df8a') : s.clients > 1 ? '#1f77b4' : '#ff7f0e';
  const dash = (s: { dashed: boolean; dotted?: boolean }) => (s.dashed ? ' stroke-dasharray="6 4"' : s.dotted ? ' stroke-dasharray="2 3"' : '');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  // grid and axes
  for (let d = Math.log10(yMin); d <= Math.log10(yMax) + 1e-9; d++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** d;
      if (v < yMin || v > yMax) continue;
      const y = py(v).toFixed(1);
      out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${f(v)}</text>`);
    }
  }
  for (let r = Math.ceil(xMin * 50) / 50; r <= xMax + 1e-9; r += 0.02) {
    const xx = px(r).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${m.top}" y2="${H - m.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${xx}" y="${H - m.bottom + 16}" text-anchor="middle">${r.toFixed(2)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="black"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">recall@10</text>`);
  out.push(`<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">queries per second (log scale)</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.qps) && p.qps > 0);
    const c = colour(s);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${dash(s)} points="${pts.map((p) => `${px(p.recall).toFixed(1)},${py(p.qps).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      out.push(`<circle cx="${px(p.recall).toFixed(1)}" cy="${py(p.qps).toFixed(1)}" r="3.5" fill="${c}"><title>${escapeXml(s.name)}: ef_search ${p.ef}, recall ${p.recall.toFixed(3)}, ${f(p.qps)} q/s</title></circle>`);
      if (!s.dashed && !s.dotted) out.push(`<text x="${(px(p.recall) + 5).toFixed(1)}" y="${(py(p.qps) - 5).toFixed(1)}" font-size="10" fill="${c}">${p.ef}</text>`);
    }
    const ly = m.top + 10 + i * 20;
    out.push(`<line x1="${W - m.right + 12}" x2="${W - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2"${dash(s)}/>`);
    out.push(`<text x="${W - m.right + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push(`<text x="${W - m.right + 12}" y="${m.top + 10 + series.length * 20 + 10}" font-size="10" fill="#555">labels: ef_search</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
