// MAE, mean absolute error between the saliency map and the human density map after min-max
// normalising each to [0, 1] (the measure of the seed study, as in salient-object detection
// benchmarks):  MAE = (1/N) Σ |ŝ − d̂|,  x̂ = (x − min x)/(max x − min x).
// A constant map normalises to all zeros (max = min); the saliency map is resampled to the density
// map's size first. Lower is better; range [0, 1]; invariant to positive affine changes of either map.
// Not part of the MIT/Tübingen benchmarks (which have no MAE).
import type { FloatMap } from '../cam/types.js';
import { minMaxNormalized, saliencyAt } from './maps.js';

export function mae(saliency: FloatMap, density: FloatMap): number {
  const s = minMaxNormalized(saliencyAt(saliency, density, 'density map'));
  const d = minMaxNormalized(density.values);
  let total = 0;
  for (let i = 0; i < s.length; i++) total += Math.abs(s[i] - d[i]);
  return total / s.length;
}
