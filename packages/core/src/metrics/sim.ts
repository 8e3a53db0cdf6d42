// SIM, similarity or histogram intersection (Swain & Ballard 1991; Judd et al. 2012), as
// cvzoya/saliency code_forMetrics/similarity.m defines it: both maps (the saliency map resampled to
// the density map's size) are
//   1. min-max normalised to [0, 1] (so a map that adds a constant to every pixel gains nothing),
//   2. divided by their sum (distributions),
// and SIM = Σ min(p_s, p_d). Range [0, 1]; 1 iff the normalised maps are equal.
// * An all-zero map stays all zero (similarity.m's `if any(map(:))`), so it scores 0.
// * A constant non-zero map: similarity.m divides 0 by 0 and returns NaN; we treat it as the
//   uniform distribution 1/N (what pysaliency's SIM, which skips the min-max step, does with it).
// The Tübingen benchmark's SIM omits step 1 (divides the raw map by its sum); see the notes.
import type { FloatMap } from '../cam/types.js';
import { saliencyAt } from './maps.js';

/** similarity.m's normalisation of one map (with the constant-map rule above). */
export function simDistribution(v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  let min = Infinity;
  let max = -Infinity;
  let anyNonZero = false;
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
    if (v[i] !== 0) anyNonZero = true;
  }
  if (!anyNonZero) return out;
  if (!(max > min)) return out.fill(1 / v.length);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    out[i] = (v[i] - min) / (max - min);
    sum += out[i];
  }
  for (let i = 0; i < v.length; i++) out[i] /= sum;
  return out;
}

export function sim(saliency: FloatMap, density: FloatMap): number {
  const p = simDistribution(saliencyAt(saliency, density, 'density map'));
  const q = simDistribution(density.values);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += Math.min(p[i], q[i]);
  return total;
}
