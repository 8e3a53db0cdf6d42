// The alignment metrics in one table (id, display name, direction, what human data each needs), and
// scoreAll: every requested metric of one saliency map against one image's human reference. The
// definitions are in one file per metric; this file only dispatches.
import type { FloatMap } from '../cam/types.js';
import { resampleMap } from '../fixations/resample.js';
import { aucBorji } from './auc-borji.js';
import { aucJudd } from './auc-judd.js';
import { aucShuffled } from './auc-shuffled.js';
import { cc } from './cc.js';
import { checkTopP, DEFAULT_TOP_P, iou } from './iou.js';
import { kl } from './kl.js';
import { mae } from './mae.js';
import { checkMap, checkSameSize } from './maps.js';
import { nss } from './nss.js';
import { sim } from './sim.js';

/** 'fixations': the image's fixation map (fixated pixels); 'density': its human density map. */
export type MetricNeed = 'fixations' | 'density';

/** The human data of one image; give what you have, metrics needing what is missing are skipped. */
export interface AlignmentReference {
  /** Pixels > 0 were fixated (fixations/density.ts fixationMap): AUC-Judd, AUC-Borji, sAUC, NSS. */
  fixationMap?: FloatMap;
  /** Human density map (densityMap, or any human attention map): CC, SIM, KL, MAE, IoU. */
  density?: FloatMap;
  /** Pixels > 0 were fixated on other images (shuffled AUC's negatives), same size as fixationMap. */
  otherFixationMap?: FloatMap;
}

export interface ScoreOptions {
  /** Metric ids to compute (default: all). */
  metrics?: readonly string[];
  /** IoU's p, a percentage (default 10). */
  topP?: number;
  /** Seed of AUC-Judd's jitter and of AUC-Borji's / sAUC's draws (default 0). */
  seed?: number;
  /** AUC-Judd's jitter (default true, as cvzoya). */
  jitter?: boolean;
  /** AUC-Borji / sAUC: splits (default 100) and threshold step (default 0.1). */
  splits?: number;
  step?: number;
}

export interface AlignmentMetric {
  id: string;
  name: string;
  higherIsBetter: boolean;
  needs: MetricNeed;
  /** sAUC also needs `otherFixationMap`. */
  needsOtherFixations: boolean;
  /** One line for help texts and tables. */
  description: string;
  /** The score of a saliency map of the reference's size against a reference that has what it needs. */
  compute(saliency: FloatMap, reference: AlignmentReference, options: ScoreOptions): number;
}

const need = <T>(v: T | undefined): T => {
  if (v === undefined) throw new Error('scoreAll checks what a metric needs before computing it');
  return v;
};

export const alignmentMetrics: readonly AlignmentMetric[] = [
  {
    id: 'auc-judd', name: 'AUC-Judd', higherIsBetter: true, needs: 'fixations', needsOtherFixations: false,
    description: 'ROC area, fixated pixels vs all other pixels (cvzoya AUC_Judd.m, jittered)',
    compute: (s, r, o) => aucJudd(s, need(r.fixationMap), { jitter: o.jitter, seed: o.seed }),
  },
  {
    id: 'auc-borji', name: 'AUC-Borji', higherIsBetter: true, needs: 'fixations', needsOtherFixations: false,
    description: 'ROC area, fixated pixels vs uniformly drawn pixels, 100 splits, step 0.1 (AUC_Borji.m)',
    compute: (s, r, o) => aucBorji(s, need(r.fixationMap), { splits: o.splits, step: o.step, seed: o.seed }),
  },
  {
    id: 'sauc', name: 'shuffled AUC', higherIsBetter: true, needs: 'fixations', needsOtherFixations: true,
    description: 'ROC area, fixated pixels vs fixations of other images (AUC_shuffled.m); centre bias scores 0.5',
    compute: (s, r, o) => aucShuffled(s, need(r.fixationMap), need(r.otherFixationMap), { splits: o.splits, step: o.step, seed: o.seed }),
  },
  {
    id: 'nss', name: 'NSS', higherIsBetter: true, needs: 'fixations', needsOtherFixations: false,
    description: 'mean standardised saliency at fixated pixels (NSS.m)',
    compute: (s, r) => nss(s, need(r.fixationMap)),
  },
  {
    id: 'cc', name: 'CC', higherIsBetter: true, needs: 'density', needsOtherFixations: false,
    description: 'Pearson correlation with the density map (CC.m)',
    compute: (s, r) => cc(s, need(r.density)),
  },
  {
    id: 'sim', name: 'SIM', higherIsBetter: true, needs: 'density', needsOtherFixations: false,
    description: 'histogram intersection of the normalised maps (similarity.m)',
    compute: (s, r) => sim(s, need(r.density)),
  },
  {
    id: 'kl', name: 'KL', higherIsBetter: false, needs: 'density', needsOtherFixations: false,
    description: 'KL divergence of the map from the density map, eps 2.2e-16 (KLdiv.m)',
    compute: (s, r) => kl(s, need(r.density)),
  },
  {
    id: 'mae', name: 'MAE', higherIsBetter: false, needs: 'density', needsOtherFixations: false,
    description: 'mean absolute error of the min-max normalised maps',
    compute: (s, r) => mae(s, need(r.density)),
  },
  {
    id: 'iou', name: 'IoU', higherIsBetter: true, needs: 'density', needsOtherFixations: false,
    description: 'intersection over union of the top-p % pixels of each map',
    compute: (s, r, o) => iou(s, need(r.density), o.topP ?? DEFAULT_TOP_P),
  },
];

export class UnknownMetricError extends Error {
  constructor(readonly metric: string) {
    super(`unknown metric '${metric}' (known: ${alignmentMetrics.map((m) => m.id).join(', ')})`);
    this.name = 'UnknownMetricError';
  }
}

export function getAlignmentMetric(id: string): AlignmentMetric {
  const m = alignmentMetrics.find((x) => x.id === id);
  if (!m) throw new UnknownMetricError(id);
  return m;
}

export interface AlignmentScore {
  id: string;
  name: string;
  higherIsBetter: boolean;
  /** null when the metric was skipped or is undefined for these maps (see `reason`). */
  value: number | null;
  reason?: string;
}

/** The reference's size (of its fixation map, else of its density map), after checking they agree. */
export function referenceSize(reference: AlignmentReference): { width: number; height: number } {
  const { fixationMap, density, otherFixationMap } = reference;
  if (fixationMap && density) checkSameSize(fixationMap, density, 'fixation map', 'density map');
  if (otherFixationMap) {
    if (!fixationMap) throw new RangeError('otherFixationMap is only used together with a fixationMap');
    checkSameSize(fixationMap, otherFixationMap, 'fixation map', 'other images\' fixation map');
  }
  const base = fixationMap ?? density;
  if (!base) throw new RangeError('the reference has neither a fixation map nor a density map');
  checkMap(base, fixationMap ? 'fixation map' : 'density map');
  return { width: base.width, height: base.height };
}

/**
 * Every requested metric (default all, in table order) of `saliency` against `reference`. The
 * saliency map is resampled once to the reference's size (fixations/resample.ts). Metrics whose
 * human data is missing, or that are undefined for these maps (NaN: no fixations, a constant
 * density map), come back with value null and a reason.
 */
export function scoreAll(saliency: FloatMap, reference: AlignmentReference, options: ScoreOptions = {}): AlignmentScore[] {
  const metrics = (options.metrics ?? alignmentMetrics.map((m) => m.id)).map(getAlignmentMetric);
  if (options.topP !== undefined) checkTopP(options.topP);
  const { width, height } = referenceSize(reference);
  checkMap(saliency, 'saliency map');
  const s = resampleMap(saliency, width, height);
  return metrics.map((m): AlignmentScore => {
    const head = { id: m.id, name: m.name, higherIsBetter: m.higherIsBetter };
    if (m.needs === 'fixations' && !reference.fixationMap) return { ...head, value: null, reason: 'needs fixation points' };
    if (m.needs === 'density' && !reference.density) return { ...head, value: null, reason: 'needs a density map' };
    if (m.needsOtherFixations && !reference.otherFixationMap) return { ...head, value: null, reason: 'needs fixations of other images' };
    const value = m.compute(s, reference, options);
    return Number.isFinite(value) ? { ...head, value } : { ...head, value: null, reason: 'undefined for these maps (no fixated pixel, or a constant density map)' };
  });
}
