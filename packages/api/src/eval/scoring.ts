// The scoring of one image, all of it CPU work in plain JavaScript (it runs in score workers while the
// main thread runs the models): the human reference (all observers' fixations, density with the
// protocol's sigma, shuffled-AUC negatives from other images), every model map brought back to the
// image's size and scored, the human ceiling and the bottom-up baselines. Each map is scored on its own
// list of alignment metrics (a resumed run asks only for those not stored); the reference is built only
// when something is scored against it.
import {
  alignmentReference, centerBias, getAlignmentMetric, humanCeiling, ittiKoch, mapToImage, scoreAll, spectralResidual,
  type AlignmentReference, type FloatMap, type InputSpec, type RgbImage,
} from '@saliency-explainer/core';
import type { EvalEntry } from '../storage/types.js';
import { otherFixations, type EvalDataset } from './dataset.js';
import type { EvalProtocol } from './protocol.js';

export const BASELINES = ['itti-koch', 'spectral-residual', 'center-bias'] as const;
export type BaselineId = (typeof BASELINES)[number];

/** The ceiling rows: split-half (the ceiling the leaderboard flags) and leave-one-observer-out. */
export const CEILINGS = ['split-half', 'leave-one-out'] as const;

export const CEILING_MODEL = 'human';
export const BASELINE_MODEL = 'bottom-up';

export interface ModelMapJob {
  entry: EvalEntry;
  /** The explained class; null for a detector's map of the whole image (EigenCAM). */
  classIndex: number | null;
  /** How the model's input was made from the image; null when `imageMap` is given. */
  spec: InputSpec | null;
  /** The engine's final map at the model's input size, values in [0, 1]. */
  map: FloatMap;
  /** A map already on the image's pixels (detector rows: taken back through the letterbox); `map` and `spec` are then unused. */
  imageMap?: FloatMap;
  /** The alignment metrics to score this map on (none: the map is not scored). */
  metrics: string[];
}

export interface ScoreJob {
  imageIndex: number;
  /** The alignment metrics of the ceiling and the baselines. */
  metrics: string[];
  maps: ModelMapJob[];
  /** Compute the ceiling rows. */
  ceiling: boolean;
  baselines: BaselineId[];
  /** The decoded image at its own size (needed by Itti-Koch and spectral residual). */
  rgb?: RgbImage;
}

export interface ScoreRow extends EvalEntry {
  metric: string;
  value: number | null;
  classIndex: number | null;
}

export interface ScoreOutput {
  rows: ScoreRow[];
  /** Milliseconds spent on the reference, model maps, ceiling and baselines. */
  timings: { reference: number; maps: number; ceiling: number; baselines: number };
}

export function ceilingEntry(method: string): EvalEntry {
  return { kind: 'ceiling', model: CEILING_MODEL, layer: '', method, target: '' };
}

export function baselineEntry(method: string): EvalEntry {
  return { kind: 'baseline', model: BASELINE_MODEL, layer: '', method, target: '' };
}

/** Scores one image; pure apart from the clock. */
export class ImageScorer {
  private centre?: { width: number; height: number; map: FloatMap };

  constructor(readonly dataset: EvalDataset, readonly protocol: EvalProtocol) {}

  private options(metrics: string[]) {
    const p = this.protocol;
    return { metrics, topP: p.topP, seed: p.seed, splits: p.splits, step: p.step };
  }

  private centreBias(width: number, height: number): FloatMap {
    if (this.centre?.width !== width || this.centre.height !== height) this.centre = { width, height, map: centerBias({ width, height }) };
    return this.centre.map;
  }

  score(job: ScoreJob): ScoreOutput {
    const image = this.dataset.images[job.imageIndex];
    if (!image) throw new RangeError(`no image ${job.imageIndex} in ${this.dataset.id}`);
    const { width, height } = image;
    const p = this.protocol;
    const maps = job.maps.filter((m) => m.metrics.length > 0);
    const baselines = job.metrics.length > 0 ? job.baselines : [];
    const ceiling = job.ceiling && job.metrics.length > 0;
    const timings = { reference: 0, maps: 0, ceiling: 0, baselines: 0 };
    const rows: ScoreRow[] = [];
    if (maps.length === 0 && !ceiling && baselines.length === 0) return { rows, timings };
    const needsOthers = [...job.metrics, ...maps.flatMap((m) => m.metrics)].some((id) => getAlignmentMetric(id).needsOtherFixations);
    let t = performance.now();
    const others = needsOthers ? otherFixations(this.dataset, job.imageIndex, p.shuffledImages, p.seed) : undefined;
    const reference: AlignmentReference = alignmentReference(image.observers.flat(), width, height, { sigma: p.sigma, otherFixations: others });
    timings.reference = performance.now() - t;
    const add = (entry: EvalEntry, classIndex: number | null, saliency: FloatMap, metrics: string[]) => {
      for (const s of scoreAll(saliency, reference, this.options(metrics))) rows.push({ ...entry, metric: s.id, value: s.value, classIndex });
    };

    t = performance.now();
    for (const m of maps) add(m.entry, m.classIndex, m.imageMap ?? mapToImage(m.map, m.spec!, width, height), m.metrics);
    timings.maps = performance.now() - t;

    if (ceiling) {
      t = performance.now();
      const c = humanCeiling(image.observers, width, height, {
        sigma: p.sigma, repetitions: p.ceilingRepetitions, otherFixations: others, ...this.options(job.metrics),
      });
      for (const [method, table] of [['split-half', c.splitHalf], ['leave-one-out', c.leaveOneOut]] as const) {
        for (const metric of job.metrics) {
          const stat = table[metric];
          rows.push({ ...ceilingEntry(method), metric, value: stat && stat.n > 0 && Number.isFinite(stat.mean) ? stat.mean : null, classIndex: null });
        }
      }
      timings.ceiling = performance.now() - t;
    }

    t = performance.now();
    for (const b of baselines) {
      let map: FloatMap;
      if (b === 'center-bias') {
        map = this.centreBias(width, height);
      } else {
        if (!job.rgb) throw new Error(`the ${b} baseline needs the image`);
        if (job.rgb.width !== width || job.rgb.height !== height) {
          throw new RangeError(`${image.file} is ${job.rgb.width}×${job.rgb.height}; its fixations are for ${width}×${height}`);
        }
        map = b === 'itti-koch' ? ittiKoch(job.rgb) : spectralResidual(job.rgb);
      }
      add(baselineEntry(b), null, map, job.metrics);
    }
    timings.baselines = performance.now() - t;
    return { rows, timings };
  }
}
