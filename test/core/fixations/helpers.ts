// Small shared helpers of the fixation and metric tests.
import { expect } from 'vitest';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';

/** Element-wise |a − b| ≤ tol · max(1, |b|). */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (!(worst <= tol)) expect.fail(`element ${at}: ${actual[at]} vs ${expected[at]} (relative error ${worst} > ${tol})`);
}

export const floatMap = (width: number, height: number, values: ArrayLike<number>): FloatMap => ({ width, height, values: Float32Array.from(values) });

/** Deterministic pseudo-random numbers in [0, 1), independent of the code under test. */
export { rng as testRandom } from '../../helpers/random.js';

/** A standard normal draw (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** An anisotropic Gaussian centred on the image: the usual centre-bias map. */
export function centreGaussian(width: number, height: number, sx: number, sy: number): FloatMap {
  const v = new Float32Array(width * height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) v[y * width + x] = Math.exp(-0.5 * (((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2));
  }
  return { width, height, values: v };
}
