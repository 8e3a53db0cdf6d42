// leaderboard.html: one self-contained page (no script, no external resource): the table, one plot per
// column (alignment metric or faithfulness column) of the per-image score distributions (inline SVG drawn here: box = quartiles, whiskers =
// min–max, dots = images, black bar = mean ± 95 % CI), and example overlays as PNG data URLs.
import type { LeaderboardColumn } from './columns.js';
import type { LeaderboardRow } from './leaderboard.js';
import { cell, direction, duration, fmt, markdownTable, notes, rowOf, sortedRows, type ReportData } from './report.js';

export interface ExampleTile {
  caption: string;
  /** A second caption line (e.g. the image's score on the sort metric). */
  detail?: string;
  /** data:image/png;base64,… */
  png: string;
}

export interface Example {
  image: string;
  tiles: ExampleTile[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLOURS = { ceiling: '#1b7f5b', model: '#2a5d9f', baseline: '#c4572a' } as const;

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // the round step (1, 2, 2.5, 5 × a power of ten) whose number of ticks is closest to `count`
  const step = [0.5, 1, 2, 2.5, 5, 10].map((f) => f * mag)
    .reduce((best, s) => (Math.abs((hi - lo) / s - count) < Math.abs((hi - lo) / best - count) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Deterministic jitter in [−1, 1] for the i-th dot (a low-discrepancy sequence, no randomness). */
function jitter(i: number): number {
  return ((i * 0.6180339887498949) % 1) * 2 - 1;
}

/** The distribution plot of one column: one line per row it applies to, in the column's own ranking. */
export function metricSvg(metric: Pick<LeaderboardColumn, 'name' | 'higherIsBetter'>, rows: readonly LeaderboardRow[]): string {
  const labelW = 430;
  const plotW = 520;
  const textW = 150;
  const rowH = 22;
  const top = 30;
  const width = labelW + plotW + textW;
  const height = top + rows.length * rowH + 34;
  const all = rows.flatMap((r) => r.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.03;
  lo -= pad;
  hi += pad;
  // clamped to the plot: a wide interval (few images) must not run into the labels or the numbers
  const x = (v: number) => labelW + Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * plotW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${metric.name}: distribution of per-image scores per row`)}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<text x="0" y="16" font-weight="bold" font-size="14">${escapeHtml(`${metric.name} ${direction(metric)}`)}</text>`);
  parts.push(`<text x="${labelW + plotW + 6}" y="16" fill="#555">mean ± 95 % CI</text>`);
  const axisY = top + rows.length * rowH + 4;
  for (const t of niceTicks(lo, hi)) {
    const tx = x(t).toFixed(1);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${top - 4}" y2="${axisY}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 16}" text-anchor="middle" fill="#444">${t}</text>`);
  }
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    const colour = COLOURS[r.kind];
    if (i % 2 === 0) parts.push(`<rect x="0" y="${cy - rowH / 2}" width="${width}" height="${rowH}" fill="#f7f7f7"/>`);
    const weight = r.kind === 'model' ? 'normal' : 'bold';
    parts.push(`<text x="${labelW - 8}" y="${cy + 4}" text-anchor="end" fill="${colour}" font-weight="${weight}">${escapeHtml(r.label)}</text>`);
    const values = r.values;
    const n = values.filter((v) => v !== null).length;
    if (n <= 400) {
      // one group per row, the dots carrying only their position: 125 images × 25 rows × 9 metrics ≈ 1.3 MB
      const dots = values.flatMap((v, k) => (v === null || !Number.isFinite(v) ? [] : [`<circle cx="${x(v).toFixed(1)}" cy="${(cy + jitter(k) * rowH * 0.28).toFixed(1)}" r="1.6"/>`]));
      parts.push(`<g fill="${colour}" fill-opacity="0.35">${dots.join('')}</g>`);
    }
    const q = r.quantiles;
    if (q) {
      parts.push(`<line x1="${x(q.min).toFixed(1)}" x2="${x(q.max).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="${colour}" stroke-opacity="0.6"/>`);
      parts.push(`<rect x="${x(q.q1).toFixed(1)}" y="${cy - 6}" width="${Math.max(0.5, x(q.q3) - x(q.q1)).toFixed(1)}" height="12" fill="none" stroke="${colour}"/>`);
      parts.push(`<line x1="${x(q.median).toFixed(1)}" x2="${x(q.median).toFixed(1)}" y1="${cy - 6}" y2="${cy + 6}" stroke="${colour}" stroke-width="2"/>`);
    }
    if (r.mean !== null) {
      if (r.ciLow !== null && r.ciHigh !== null) {
        parts.push(`<line x1="${x(r.ciLow).toFixed(1)}" x2="${x(r.ciHigh).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#000" stroke-width="3"/>`);
      }
      parts.push(`<circle cx="${x(r.mean).toFixed(1)}" cy="${cy}" r="3.2" fill="#000"/>`);
    }
    parts.push(`<text x="${labelW + plotW + 6}" y="${cy + 4}" fill="#222">${escapeHtml(r.mean === null ? '–' : `${fmt(r.mean)}${r.ci === null ? '' : ` ± ${fmt(r.ci)}`}`)}</text>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW + plotW}" y1="${axisY}" y2="${axisY}" stroke="#888"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function htmlTable(data: ReportData): string {
  const head = ['#', 'row', 'n', ...data.metrics.map((m) => `${m.name} ${direction(m)}`)];
  const body = sortedRows(data).map((row) => {
    const cells = data.metrics.map((m) => `<td class="num${m.id === data.sortMetric.id ? ' sorted' : ''}">${escapeHtml(cell(rowOf(data, m.id, row)))}</td>`);
    return `<tr class="${row.kind}"><td>${row.rank ?? '–'}</td><td>${escapeHtml(row.label)}</td><td class="num">${row.n}</td>${cells.join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h, i) => `<th${i >= 3 && data.metrics[i - 3].id === data.sortMetric.id ? ' class="sorted"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

function examplesHtml(examples: readonly Example[]): string {
  if (examples.length === 0) return '<p>No examples (none requested).</p>';
  return examples.map((ex) => `<figure class="example"><figcaption>${escapeHtml(ex.image)}</figcaption><div class="tiles">${ex.tiles.map((t) => (
    `<div class="tile"><img src="${t.png}" alt="${escapeHtml(`${ex.image}: ${t.caption}`)}"><div>${escapeHtml(t.caption)}</div>${t.detail ? `<div class="detail">${escapeHtml(t.detail)}</div>` : ''}</div>`
  )).join('')}</div></figure>`).join('\n');
}

export function htmlReport(data: ReportData, examples: readonly Example[]): string {
  const r = data.run;
  const s = data.stats;
  const title = `${data.dataset.toUpperCase()} leaderboard`;
  const plots = data.metrics.map((m) => `<section class="plot">${metricSvg(m, data.boards.get(m.id)!.rows)}</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1400px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th.sorted, td.sorted { background: #fff6d6; }
tr.ceiling td { color: ${COLOURS.ceiling}; font-weight: bold; }
tr.baseline td { color: ${COLOURS.baseline}; font-style: italic; }
section.plot { margin: 1.5rem 0; overflow-x: auto; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; }
.tile { font-size: 12px; width: 240px; }
.tile img { width: 240px; display: block; }
.detail { color: #666; }
figure.example { margin: 1rem 0; }
figcaption { font-weight: bold; margin-bottom: 4px; }
pre { background: #f5f5f5; padding: 8px; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${r.images.length} images of <code>${escapeHtml(data.dataDir)}</code>, sorted by <b>${escapeHtml(data.sortMetric.name)}</b> (${direction(data.sortMetric)}).
Wall time ${escapeHtml(duration(data.wallMs))}: ${s.unitsComputed} image × row units computed, ${s.unitsSkipped} already stored, ${s.engineRuns} engine runs${s.interrupted ? ` — <b>interrupted</b>, ${s.unitsLeft} units left` : ''}.
Run <code>${escapeHtml(r.id)}</code>, protocol <code>${escapeHtml(r.protocol)}</code>, started ${escapeHtml(r.startedAt.toISOString())}.</p>
<h2>Table</h2>
<div style="overflow-x: auto">${htmlTable(data)}</div>
<h2>Score distributions</h2>
<p>One line per row and image: box = quartiles, thin line = min–max, dots = images, black bar = mean ± 95 % CI.</p>
${plots}
<h2>Examples</h2>
${examplesHtml(examples)}
<h2>Notes</h2>
<ul>${notes(data).map((n) => `<li>${escapeHtml(n.replace(/\*\*/g, ''))}</li>`).join('')}</ul>
<h2>Markdown</h2>
<pre>${escapeHtml(markdownTable(data))}</pre>
</body>
</html>
`;
}
