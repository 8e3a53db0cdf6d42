// Helpers shared by the metric files: validation, resampling to the reference's size, float64
// copies (the reference implementations compute in MATLAB/numpy doubles), and the normalisations
// the metrics name in their headers.
import type { FloatMap } from '../cam/types.js';
import { resampleMap } from '../fixations/resample.js';

/** Throws a RangeError unless `map` is a well-formed map of finite values. */
export function checkMap(map: FloatMap, what: string): void {
  const { width, height, values } = map;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what}: size ${width}×${height} is not a positive integer size`);
  }
  if (!(values instanceof Float32Array) || values.length !== width * height) {
    throw new RangeError(`${what}: expected ${width}×${height} = ${width * height} float32 values, got ${values?.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value ${i} is not finite (${values[i]})`);
  }
}

/** Both maps checked and of one size. */
export function checkSameSize(a: FloatMap, b: FloatMap, whatA: string, whatB: string): void {
  checkMap(a, whatA);
  checkMap(b, whatB);
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${whatA} is ${a.width}×${a.height} but ${whatB} is ${b.width}×${b.height}`);
  }
}

/**
 * The saliency map as float64 at the reference's size: resampled (fixations/resample.ts, bilinear)
 * when the sizes differ, as every cvzoya metric does with imresize before comparing.
 */
export function saliencyAt(saliency: FloatMap, reference: FloatMap, what = 'reference'): Float64Array {
  checkMap(saliency, 'saliency map');
  checkMap(reference, what);
  return Float64Array.from(resampleMap(saliency, reference.width, reference.height).values);
}

/** (v − min)/(max − min); a constant map (max = min, where MATLAB divides 0 by 0) becomes all zeros. */
export function minMaxNormalized(v: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  const out = new Float64Array(v.length);
  const range = max - min;
  if (range > 0) for (let i = 0; i < v.length; i++) out[i] = (v[i] - min) / range;
  return out;
}

export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Standard deviation with `ddof` degrees of freedom removed (MATLAB std: 1; numpy std: 0). */
export function std(v: ArrayLike<number>, ddof: number, m = mean(v)): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) * (v[i] - m);
  return Math.sqrt(s / (v.length - ddof));
}

/** Indices of the fixated pixels (value > 0), in row-major order. */
export function fixatedIndices(fixationMap: FloatMap): Int32Array {
  let n = 0;
  for (const v of fixationMap.values) if (v > 0) n++;
  const idx = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < fixationMap.values.length; i++) if (fixationMap.values[i] > 0) idx[j++] = i;
  return idx;
}
