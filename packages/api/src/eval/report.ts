// The leaderboard report: the data every format shares (one table per column — alignment metrics and
// faithfulness columns — built by leaderboard.ts from the stored scores), leaderboard.md and
// leaderboard.json. leaderboard.html is report-html.ts.
import type { EvalEntry, EvalRunRecord, EvalScoreRecord } from '../storage/types.js';
import { leaderboardColumns, type LeaderboardColumn } from './columns.js';
import { buildLeaderboard, entryKey, entryLabel, type Leaderboard, type LeaderboardRow } from './leaderboard.js';
import type { EvalProtocol, FaithfulnessProtocol } from './protocol.js';
import { CI_LEVEL } from './stats.js';

export interface ReportData {
  dataset: string;
  dataDir: string;
  run: EvalRunRecord;
  protocol: EvalProtocol;
  faithfulnessProtocol: FaithfulnessProtocol;
  /** Columns in table order. */
  metrics: LeaderboardColumn[];
  /** The column the table is sorted by. */
  sortMetric: LeaderboardColumn;
  /** One leaderboard per column (the rows it applies to, each sorted by its own column). */
  boards: Map<string, Leaderboard>;
  /** Wall time of this invocation's computation (models, scoring, storing), ms. */
  wallMs: number;
  stats: RunStats;
}

export interface RunStats {
  images: number;
  /** (image, entry) units computed in this invocation, and found stored (skipped, --resume). */
  unitsComputed: number;
  unitsSkipped: number;
  /** Units not run because the run was interrupted. */
  unitsLeft: number;
  /** explain() calls (one per image × model × layer, all missing methods at once). */
  engineRuns: number;
  /** Images that could not be read (their rows stay missing). */
  failedImages: { image: string; error: string }[];
  /** Milliseconds spent, summed over images (in the workers, in parallel) and over writes. */
  time: { decode: number; engine: number; faithfulness: number; reference: number; maps: number; ceiling: number; baselines: number; store: number };
  interrupted: boolean;
}

export function buildReportData(input: Omit<ReportData, 'boards' | 'metrics' | 'sortMetric'> & { metricIds: string[]; sortMetric: string; scores: readonly EvalScoreRecord[] }): ReportData {
  const metrics = leaderboardColumns.filter((m) => input.metricIds.includes(m.id));
  const boards = new Map(metrics.map((m) => [m.id, buildLeaderboard(input.run, m.id, input.scores)]));
  const sortMetric = metrics.find((m) => m.id === input.sortMetric) ?? metrics[0];
  const { metricIds: _m, sortMetric: _s, scores: _scores, ...rest } = input;
  return { ...rest, metrics, sortMetric, boards };
}

/**
 * The rows in the order of the sort column, then the rows it does not apply to (the ceiling and the
 * baselines under a faithfulness column) in the order of the first column that has them, unranked.
 */
export function sortedRows(data: ReportData): LeaderboardRow[] {
  const rows = [...data.boards.get(data.sortMetric.id)!.rows];
  const seen = new Set(rows.map(entryKey));
  for (const m of data.metrics) {
    for (const r of data.boards.get(m.id)!.rows) {
      if (seen.has(entryKey(r))) continue;
      seen.add(entryKey(r));
      rows.push({ ...r, rank: null });
    }
  }
  return rows;
}

/** The row of `entry` in the leaderboard of `metric`. */
export function rowOf(data: ReportData, metric: string, entry: EvalEntry): LeaderboardRow | undefined {
  const key = entryKey(entry);
  return data.boards.get(metric)?.rows.find((r) => entryKey(r) === key);
}

/** Digits that keep a metric's differences readable: NSS (≈ 0–4) and KL two fewer leading digits. */
export function fmt(v: number | null, digits = 3): string {
  if (v === null) return '–';
  return v.toFixed(digits);
}

export function cell(row: LeaderboardRow | undefined): string {
  if (!row || row.mean === null) return '–';
  return row.ci === null ? fmt(row.mean) : `${fmt(row.mean)} ± ${fmt(row.ci)}`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min ${s % 60} s` : `${m} min ${s % 60} s`;
}

export function direction(m: Pick<LeaderboardColumn, 'higherIsBetter'>): string {
  return m.higherIsBetter ? '↑' : '↓';
}

/** The table: one line per row (sorted by the sort metric), a column per metric. */
export function markdownTable(data: ReportData): string {
  const head = ['#', 'row', 'kind', 'n', ...data.metrics.map((m) => `${m.name} ${direction(m)}${m.id === data.sortMetric.id ? ' (sorted)' : ''}`)];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 3 ? '---' : '---:')).join(' | ')} |`];
  for (const row of sortedRows(data)) {
    const label = row.kind === 'ceiling' ? `**${row.label}**` : row.kind === 'baseline' ? `*${row.label}*` : row.label;
    const ns = new Set(data.metrics.flatMap((m) => rowOf(data, m.id, row)?.n ?? []));
    const n = ns.size === 1 ? String(row.n) : `${Math.min(...ns)}–${Math.max(...ns)}`;
    const cells = data.metrics.map((m) => cell(rowOf(data, m.id, row)));
    lines.push(`| ${row.rank ?? '–'} | ${label} | ${row.kind} | ${n} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function notes(data: ReportData): string[] {
  const p = data.protocol;
  const f = data.faithfulnessProtocol;
  const params = data.run.params as { target?: string; layers?: Record<string, string[]> };
  const faithful = data.metrics.filter((m) => m.kind === 'faithfulness');
  const faithfulnessNote = faithful.length === 0 ? [] : [
    `Faithfulness (${faithful.map((m) => m.name).join(', ')}; model rows only — the ceiling and the baselines have no model to be faithful to): the same final map of the top-1 class at the model's input size, tested on the model's preprocessed input by the model itself (core/faithfulness), scoring the class's softmax probability. Deletion zeroes and insertion restores (into a blurred input) the most salient pixels, input width × ${f.stepRows} pixels per step, area under the curve; ROAD combined = (LeRF − MoRF)/2 at percentiles ${f.roadPercentiles.join(', ')} with noisy linear imputation (noise ${f.roadNoise}, seed ${f.seed}); CamMult = p(input × map) − p(input), Average Drop = max(0, p − p(input × map))/p, Increase = p(input × map) > p.`,
  ];
  return [
    `Each model row explains the model's **top-1 class** (the predicted class, as the seed study does), target ${params.target ?? 'logit'}; the final map (pytorch-grad-cam's pipeline, min-max scaled at the model's input size) is taken back to the image's size by inverting the input spec's geometry (stretch: bilinear with half-pixel centres; shorter-crop: the crop's region, 0 outside) and scored there.`,
    `Reference: all observers' fixations of the image; density = Gaussian σ = ${p.sigma} px (scipy's kernel, truncated at 4σ); shuffled AUC's negatives = the fixations of ${p.shuffledImages} other images of the data set (seeded choice per image); AUC-Borji/sAUC ${p.splits} splits, step ${p.step}; IoU of the top ${p.topP} %; metric seed ${p.seed} (the same draws for every map of an image).`,
    `Human ceiling: split-half (observers shuffled, ⌊n/2⌋ predict the rest; ${p.ceilingRepetitions} random splits averaged per image) and leave-one-observer-out, scored with the same metrics (core humanCeiling). Baselines: Itti-Koch-Niebur, spectral residual, centre bias (Clarke & Tatler 2014), at the image's size.`,
    `Mean ± half-width of the ${Math.round(CI_LEVEL * 100)} % confidence interval of the mean over images, from Student's t (mean ± t(0.975, n−1)·s/√n); n = images with a defined score (a metric can be undefined on an image, e.g. CC of a constant map).`,
    'KL and MAE are better when lower; on KL the split-half ceiling is not always above a broad baseline (7 observers\' density is sparse, KL charges near-zero predictions where the other half looked).',
    ...faithfulnessNote,
  ];
}

export function markdownReport(data: ReportData): string {
  const r = data.run;
  const first = r.images[0];
  const last = r.images[r.images.length - 1];
  const s = data.stats;
  const lines = [
    `# ${data.dataset.toUpperCase()} leaderboard`,
    '',
    `${r.images.length} images (${first}${r.images.length > 1 ? ` … ${last}` : ''}) of ${data.dataDir}; ${sortedRows(data).length} rows; sorted by ${data.sortMetric.name} (${direction(data.sortMetric)}).`,
    `Wall time: ${duration(data.wallMs)} (${s.unitsComputed} image × row units computed, ${s.unitsSkipped} already stored; ${s.engineRuns} engine runs)${s.interrupted ? ` — **interrupted**, ${s.unitsLeft} units left (--resume continues)` : ''}.`,
    `Run ${r.id}, protocol ${r.protocol}, started ${r.startedAt.toISOString()}.`,
    '',
    markdownTable(data),
    '',
    '## Notes',
    '',
    ...notes(data).map((n) => `* ${n}`),
  ];
  if (s.failedImages.length) {
    lines.push('', '## Images that failed', '', ...s.failedImages.map((f) => `* ${f.image}: ${f.error}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Everything in the report as JSON (per-image values left out). */
export function jsonReport(data: ReportData): unknown {
  return {
    dataset: data.dataset,
    dataDir: data.dataDir,
    run: { id: data.run.id, protocol: data.run.protocol, startedAt: data.run.startedAt, params: data.run.params, images: data.run.images },
    protocol: data.protocol,
    faithfulnessProtocol: data.faithfulnessProtocol,
    wallMs: data.wallMs,
    stats: data.stats,
    ciLevel: CI_LEVEL,
    ciMethod: 'student-t',
    sortMetric: data.sortMetric.id,
    metrics: data.metrics.map((m) => ({ id: m.id, name: m.name, higherIsBetter: m.higherIsBetter, kind: m.kind })),
    rows: sortedRows(data).map((row) => ({
      rank: row.rank,
      kind: row.kind,
      model: row.model,
      layer: row.layer,
      method: row.method,
      target: row.target,
      label: entryLabel(row),
      scores: Object.fromEntries(data.metrics.map((m) => {
        const r = rowOf(data, m.id, row);
        return [m.id, r ? { mean: r.mean, ci: r.ci, ciLow: r.ciLow, ciHigh: r.ciHigh, std: r.std, n: r.n, undefined: r.undefinedCount, rank: r.rank } : null];
      })),
    })),
  };
}
