// The faithfulness measures in one table (id, display name, direction, what each reports), and
// measureFaithfulness: every measure of one saliency map for one class of one input, as the one JSON
// object the CLI prints and the API stores. Definitions live in one file per measure.
import type { FloatMap } from '../cam/types.js';
import { confidenceMeasures, type CamMultChange } from './confidence.js';
import { causalCurve, type CausalCurve, type CausalOptions, type Substrate } from './deletion-insertion.js';
import { chwShape, type ChwShape } from './perturb.js';
import { road, type RoadOptions, type RoadResult } from './road.js';
import { FaithfulnessError, type ScoreFn } from './score.js';

export interface FaithfulnessReport {
  deletion: CausalCurve;
  insertion: CausalCurve;
  road: RoadResult;
  camMult: CamMultChange;
  averageDrop: number;
  increase: number;
}

export interface FaithfulnessOptions {
  /** Inputs per model call (default 16). */
  batchSize?: number;
  /** Deletion/insertion step in pixels (default width × 8). */
  step?: number;
  /** Insertion's blurred start: 'gaussian' (default) or 'rise' (RISE's own kernel). */
  substrate?: Substrate;
  /** ROAD's percentiles (default 20, 40, 60, 80), noise (0.01) and noise seed (0). */
  roadPercentiles?: readonly number[];
  roadNoise?: number;
  seed?: number;
}

interface Context {
  score: ScoreFn;
  input: Float32Array;
  shape: ChwShape;
  map: FloatMap;
  classIndex: number;
  options: FaithfulnessOptions;
}

export interface FaithfulnessMeasure {
  id: string;
  name: string;
  /** The report's fields this measure fills. */
  fields: readonly (keyof FaithfulnessReport)[];
  /** One line for help texts, with the direction of each number. */
  description: string;
  compute(ctx: Context): Promise<Partial<FaithfulnessReport>>;
}

const causal = (ctx: Context, mode: 'deletion' | 'insertion') => {
  const o: CausalOptions = { step: ctx.options.step, batchSize: ctx.options.batchSize, substrate: ctx.options.substrate };
  return causalCurve(ctx.score, ctx.input, ctx.shape, ctx.map, ctx.classIndex, mode, o);
};

export const faithfulnessMeasures: readonly FaithfulnessMeasure[] = [
  {
    id: 'deletion', name: 'Deletion', fields: ['deletion'],
    description: 'class probability as the most salient pixels are set to 0, width×8 at a time; AUC, lower is better (RISE)',
    compute: async (ctx) => ({ deletion: await causal(ctx, 'deletion') }),
  },
  {
    id: 'insertion', name: 'Insertion', fields: ['insertion'],
    description: 'class probability as the most salient pixels are copied into a blurred input; AUC, higher is better (RISE)',
    compute: async (ctx) => ({ insertion: await causal(ctx, 'insertion') }),
  },
  {
    id: 'road', name: 'ROAD', fields: ['road'],
    description: 'probability change after imputing the most (MoRF, lower is better) or least (LeRF) relevant pixels; combined = (LeRF − MoRF)/2, higher is better (pytorch-grad-cam)',
    compute: async (ctx) => {
      const o: RoadOptions = { percentiles: ctx.options.roadPercentiles, noise: ctx.options.roadNoise, seed: ctx.options.seed, batchSize: ctx.options.batchSize };
      return { road: await road(ctx.score, ctx.input, ctx.shape, ctx.map, ctx.classIndex, o) };
    },
  },
  {
    id: 'confidence', name: 'Confidence', fields: ['camMult', 'averageDrop', 'increase'],
    description: 'score(input × map) − score(input) (CamMult, higher is better); Average Drop (lower is better) and Increase in Confidence (Grad-CAM++)',
    compute: (ctx) => confidenceMeasures(ctx.score, ctx.input, ctx.shape, ctx.map, ctx.classIndex),
  },
];

export function getFaithfulnessMeasure(id: string): FaithfulnessMeasure {
  const m = faithfulnessMeasures.find((x) => x.id === id);
  if (!m) throw new FaithfulnessError('BAD_OPTION', `unknown faithfulness measure '${id}' (known: ${faithfulnessMeasures.map((x) => x.id).join(', ')})`);
  return m;
}

/**
 * Every measure of `map` (the input's height × width) for `classIndex`. `dims` is the input's shape,
 * [1, C, H, W] or [C, H, W]; the model is called only through `score`.
 */
export async function measureFaithfulness(
  score: ScoreFn, input: Float32Array, dims: readonly number[], map: FloatMap, classIndex: number, options: FaithfulnessOptions = {},
): Promise<FaithfulnessReport> {
  let shape: ChwShape;
  try {
    shape = chwShape(dims);
  } catch (e) {
    throw new FaithfulnessError('BAD_INPUT', (e as Error).message);
  }
  if (input.length !== shape.channels * shape.height * shape.width) {
    throw new FaithfulnessError('BAD_INPUT', `input has ${input.length} values; [${dims.join(', ')}] needs ${shape.channels * shape.height * shape.width}`);
  }
  const ctx: Context = { score, input, shape, map, classIndex, options };
  const parts: Partial<FaithfulnessReport>[] = [];
  for (const m of faithfulnessMeasures) parts.push(await m.compute(ctx));
  return Object.assign({}, ...parts) as FaithfulnessReport;
}
