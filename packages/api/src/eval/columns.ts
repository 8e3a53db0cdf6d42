// The leaderboard's columns in one table: core's alignment metrics (a map against human fixations, every
// row kind) and the faithfulness columns (a map against the model that made it, model rows only), each
// with its id, display name and direction. eval's --metrics, the leaderboard rows, the reports and the
// API's `leaderboard` field all read this table, so no code path special-cases a column's name.
// measureColumns computes the faithfulness columns of one map with core's measures, running each
// measure once however many columns read it (CamMult, Average Drop and Increase share one model call).
// A value that is not finite is stored as null (undefined for that map), as an alignment metric's.
import {
  alignmentMetrics, chwShape, getFaithfulnessMeasure, type FaithfulnessOptions, type FaithfulnessReport, type FloatMap, type ScoreFn,
} from '@saliency-explainer/core';
import type { EvalKind } from '../storage/types.js';

export type ColumnKind = 'alignment' | 'faithfulness';

export interface LeaderboardColumn {
  id: string;
  name: string;
  higherIsBetter: boolean;
  kind: ColumnKind;
  /** The row kinds that have a value in this column. */
  rowKinds: readonly EvalKind[];
  description: string;
}

export interface FaithfulnessColumn extends LeaderboardColumn {
  kind: 'faithfulness';
  /** The core faithfulness measure (faithfulnessMeasures) whose report holds the value. */
  measure: string;
  value(report: Partial<FaithfulnessReport>): number;
}

const ALL_KINDS: readonly EvalKind[] = ['model', 'ceiling', 'baseline'];
/** The ceiling and the baselines have no model to be faithful to. */
const MODEL_ONLY: readonly EvalKind[] = ['model'];

function field<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`the faithfulness report has no ${what}`);
  return v;
}

export const faithfulnessColumns: readonly FaithfulnessColumn[] = [
  {
    id: 'deletion', name: 'Deletion AUC', higherIsBetter: false, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'deletion',
    description: 'area under the class probability as the most salient pixels are zeroed (RISE); lower is better',
    value: (r) => field(r.deletion, 'deletion').auc,
  },
  {
    id: 'insertion', name: 'Insertion AUC', higherIsBetter: true, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'insertion',
    description: 'area under the class probability as the most salient pixels return into a blurred input (RISE); higher is better',
    value: (r) => field(r.insertion, 'insertion').auc,
  },
  {
    id: 'road', name: 'ROAD', higherIsBetter: true, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'road',
    description: 'ROAD combined: (LeRF − MoRF)/2 of the probability change after noisy linear imputation (pytorch-grad-cam); higher is better',
    value: (r) => field(r.road, 'road').combined,
  },
  {
    id: 'cammult', name: 'CamMult', higherIsBetter: true, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'confidence',
    description: 'probability of input × map minus probability of the input (pytorch-grad-cam); higher is better',
    value: (r) => field(r.camMult, 'camMult').softmax,
  },
  {
    id: 'average-drop', name: 'Average Drop', higherIsBetter: false, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'confidence',
    description: 'max(0, Y − O)/Y with Y, O the probability of the input and of input × map (Grad-CAM++); lower is better',
    value: (r) => field(r.averageDrop, 'averageDrop'),
  },
  {
    id: 'increase', name: 'Increase in Confidence', higherIsBetter: true, kind: 'faithfulness', rowKinds: MODEL_ONLY, measure: 'confidence',
    description: 'share of images where input × map is more probable than the input (Grad-CAM++); higher is better',
    value: (r) => field(r.increase, 'increase'),
  },
];

/** What `eval --faithfulness` adds: the three columns the leaderboard ranks faithfulness by. */
export const HEADLINE_FAITHFULNESS = ['deletion', 'insertion', 'road'] as const;

export const leaderboardColumns: readonly LeaderboardColumn[] = [
  ...alignmentMetrics.map((m): LeaderboardColumn => ({
    id: m.id, name: m.name, higherIsBetter: m.higherIsBetter, kind: 'alignment', rowKinds: ALL_KINDS, description: m.description,
  })),
  ...faithfulnessColumns,
];

export class UnknownColumnError extends Error {
  constructor(readonly column: string) {
    super(`unknown metric '${column}' (known: ${leaderboardColumns.map((c) => c.id).join(', ')})`);
    this.name = 'UnknownColumnError';
  }
}

export function getLeaderboardColumn(id: string): LeaderboardColumn {
  const c = leaderboardColumns.find((x) => x.id === id);
  if (!c) throw new UnknownColumnError(id);
  return c;
}

/** Whether rows of `kind` have a value in `column`. */
export function columnApplies(column: LeaderboardColumn, kind: EvalKind): boolean {
  return column.rowKinds.includes(kind);
}

/** The ids of `ids` in the table's order (alignment metrics first), each once. */
export function inColumnOrder(ids: readonly string[]): string[] {
  return leaderboardColumns.map((c) => c.id).filter((id) => ids.includes(id));
}

export function isFaithfulnessColumn(c: LeaderboardColumn): c is FaithfulnessColumn {
  return c.kind === 'faithfulness';
}

/**
 * The faithfulness columns `ids` of one map (the model input's height × width) for one class of one
 * input of shape `dims` ([1, C, H, W]), the model called only through `score`. Undefined values
 * (not finite) are null.
 */
export async function measureColumns(
  score: ScoreFn, input: Float32Array, dims: readonly number[], map: FloatMap, classIndex: number,
  ids: readonly string[], options: FaithfulnessOptions,
): Promise<{ id: string; value: number | null }[]> {
  const columns = ids.map((id) => {
    const c = getLeaderboardColumn(id);
    if (!isFaithfulnessColumn(c)) throw new RangeError(`'${id}' is not a faithfulness column`);
    return c;
  });
  const shape = chwShape(dims);
  const report: Partial<FaithfulnessReport> = {};
  for (const measure of new Set(columns.map((c) => c.measure))) {
    Object.assign(report, await getFaithfulnessMeasure(measure).compute({ score, input, shape, map, classIndex, options }));
  }
  return columns.map((c) => {
    const v = c.value(report);
    return { id: c.id, value: Number.isFinite(v) ? v : null };
  });
}
