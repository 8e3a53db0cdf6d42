// A leaderboard from stored scores: one row per entry of a run (model × layer × method × target, the
// human ceiling, the bottom-up baselines) that the column applies to (faithfulness columns: model rows
// only), the mean and 95 % t interval of the column over the run's images, sorted best first. The CLI's
// report and the API's `leaderboard` field both call this, so they print the same numbers from the
// same rows.
import { camMethods } from '@saliency-explainer/core';
import type { EvalEntry, EvalRunRecord, EvalScoreRecord } from '../storage/types.js';
import { columnApplies, getLeaderboardColumn, type ColumnKind, type LeaderboardColumn } from './columns.js';
import { quantiles, summarize, type Quantiles, type Summary } from './stats.js';

export interface LeaderboardRow extends EvalEntry, Summary {
  /** 1 = best on the metric; rows without a defined mean come last, unranked (null). */
  rank: number | null;
  /** Display name, e.g. "squeezenet1.0 · fire9/concat_2 · Grad-CAM++". */
  label: string;
  /** Images whose score is undefined (null) for this row. */
  undefinedCount: number;
  /** The per-image values, in the order of the run's images (null: undefined or not stored). */
  values: (number | null)[];
  quantiles: Quantiles | null;
}

export interface Leaderboard {
  metric: LeaderboardColumn;
  rows: LeaderboardRow[];
}

type RunLike = Pick<EvalRunRecord, 'images' | 'entries' | 'protocol'> & { params?: EvalRunRecord['params'] };

/**
 * The protocol key a run's scores of `column` are stored under: the run's own key for alignment
 * metrics, the faithfulness key the run records in its params for faithfulness columns (null: the
 * run predates them).
 */
export function columnProtocol(run: RunLike, column: LeaderboardColumn): string | null {
  const keys = run.params?.protocolKeys as Partial<Record<ColumnKind, unknown>> | undefined;
  const key = keys?.[column.kind];
  if (typeof key === 'string') return key;
  return column.kind === 'alignment' ? run.protocol : null;
}

const CEILING_NAMES: Record<string, string> = {
  'split-half': 'human ceiling (split-half)',
  'leave-one-out': 'human ceiling (leave-one-out)',
};

const BASELINE_NAMES: Record<string, string> = {
  'itti-koch': 'baseline: Itti-Koch',
  'spectral-residual': 'baseline: spectral residual',
  'center-bias': 'baseline: centre bias',
};

export function entryKey(e: EvalEntry): string {
  return JSON.stringify([e.kind, e.model, e.layer, e.method, e.target]);
}

export function entryLabel(e: EvalEntry): string {
  if (e.kind === 'ceiling') return CEILING_NAMES[e.method] ?? `human ceiling (${e.method})`;
  if (e.kind === 'baseline') return BASELINE_NAMES[e.method] ?? `baseline: ${e.method}`;
  const method = camMethods.find((m) => m.id === e.method)?.name ?? e.method;
  const target = e.target === 'PROBABILITY' ? ' (probability)' : '';
  return `${e.model} · ${e.layer} · ${method}${target}`;
}

/**
 * The rows of `metric` for the entries and images of `run`, from `scores` (any superset: other
 * metrics, images and entries are ignored).
 */
export function buildLeaderboard(run: RunLike, metricId: string, scores: readonly EvalScoreRecord[]): Leaderboard {
  const metric = getLeaderboardColumn(metricId);
  const protocol = columnProtocol(run, metric);
  const entries = run.entries.filter((e) => columnApplies(metric, e.kind));
  const imageIndex = new Map(run.images.map((name, i) => [name, i]));
  const byEntry = new Map<string, { values: (number | null)[]; stored: boolean[] }>();
  for (const e of entries) {
    byEntry.set(entryKey(e), { values: new Array(run.images.length).fill(null), stored: new Array(run.images.length).fill(false) });
  }
  for (const s of scores) {
    if (s.metric !== metric.id || s.protocol !== protocol) continue;
    const i = imageIndex.get(s.image);
    const slot = byEntry.get(entryKey(s));
    if (i === undefined || !slot) continue;
    slot.values[i] = s.value;
    slot.stored[i] = true;
  }
  const rows: LeaderboardRow[] = entries.map((e) => {
    const slot = byEntry.get(entryKey(e))!;
    return {
      kind: e.kind, model: e.model, layer: e.layer, method: e.method, target: e.target,
      label: entryLabel(e),
      rank: null,
      ...summarize(slot.values),
      undefinedCount: slot.stored.filter((stored, i) => stored && slot.values[i] === null).length,
      values: slot.values,
      quantiles: quantiles(slot.values),
    };
  });
  const order = { ceiling: 0, model: 1, baseline: 2 } as const;
  rows.sort((a, b) => {
    if (a.mean === null || b.mean === null) return a.mean === null ? (b.mean === null ? order[a.kind] - order[b.kind] : 1) : -1;
    return (metric.higherIsBetter ? b.mean - a.mean : a.mean - b.mean) || order[a.kind] - order[b.kind];
  });
  rows.forEach((r, i) => {
    r.rank = r.mean === null ? null : i + 1;
  });
  return { metric, rows };
}
