// KL divergence of the saliency map from the human density map, KL(P_density ‖ P_saliency), as
// cvzoya/saliency code_forMetrics/KLdiv.m defines it (and pysaliency's MIT_KLDiv reproduces):
//   P = s / Σs,  Q = d / Σd   (each only when not all zero; no min-max normalisation),
//   KL = Σ Q · log(ε + Q / (P + ε)),  ε = MATLAB's eps = 2⁻⁵² ≈ 2.220446·10⁻¹⁶, natural log.
// The ε in the quotient keeps pixels where the saliency map is 0 finite (and heavily penalised: a
// zero where humans look costs Q·log(Q/ε) ≈ Q·36); the ε in the log keeps Q = 0 terms at 0·log(ε) = 0.
// Lower is better; 0 when P = Q. Negative saliency values (KLdiv.m assumes none) are first shifted
// by −min, as pysaliency's convert_saliency_map_to_density does; the same for the density map.
// The saliency map is resampled to the density map's size first.
import type { FloatMap } from '../cam/types.js';
import { saliencyAt } from './maps.js';

/** MATLAB's eps, the regulariser of KLdiv.m. */
export const KL_EPS = Number.EPSILON;

function distribution(v: ArrayLike<number>): Float64Array {
  let min = Infinity;
  for (let i = 0; i < v.length; i++) min = Math.min(min, v[i]);
  const shift = min < 0 ? -min : 0;
  const out = new Float64Array(v.length);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] + shift;
    sum += out[i];
  }
  if (sum > 0) for (let i = 0; i < v.length; i++) out[i] /= sum;
  return out;
}

export function kl(saliency: FloatMap, density: FloatMap): number {
  const p = distribution(saliencyAt(saliency, density, 'density map'));
  const q = distribution(density.values);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += q[i] * Math.log(KL_EPS + q[i] / (p[i] + KL_EPS));
  return total;
}
