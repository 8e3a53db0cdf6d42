// CC, Pearson's linear correlation coefficient between the saliency map and the human density map,
// as cvzoya/saliency code_forMetrics/CC.m defines it: the saliency map resampled to the density
// map's size, both standardised, then corr2 (= Pearson's r over all pixels):
//   r = Σ(s − s̄)(d − d̄) / sqrt(Σ(s − s̄)² · Σ(d − d̄)²), in float64.
// The standardisation in CC.m does not change r. Range [−1, 1]; invariant to positive affine
// changes of either map (a negative scale flips the sign).
// A constant saliency map scores 0 (pysaliency's CC returns 0.0 then; CC.m gives NaN); a constant
// density map gives NaN (no reference variation to correlate with; both references agree).
import type { FloatMap } from '../cam/types.js';
import { mean, saliencyAt } from './maps.js';

export function cc(saliency: FloatMap, density: FloatMap): number {
  const s = saliencyAt(saliency, density, 'density map');
  const d = density.values;
  const ms = mean(s);
  const md = mean(d);
  let sd = 0;
  let ss = 0;
  let dd = 0;
  for (let i = 0; i < s.length; i++) {
    const a = s[i] - ms;
    const b = d[i] - md;
    sd += a * b;
    ss += a * a;
    dd += b * b;
  }
  if (!(dd > 0)) return NaN;
  if (!(ss > 0)) return 0;
  return sd / Math.sqrt(ss * dd);
}
