// Spearman and SSIM, the sanity check's similarities, against scipy's documented example and SSIM's
// formula worked by hand on single 7×7 windows.
import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from '../../../packages/core/src/faithfulness/spearman.js';
import { minMax01, ssim } from '../../../packages/core/src/faithfulness/ssim.js';

describe('spearman', () => {
  it('matches scipy.stats.spearmanr([1,2,3,4,5], [5,6,7,8,7]) = 8/√95', () => {
    expect([...averageRanks([5, 6, 7, 8, 7])]).toEqual([1, 2, 3.5, 5, 3.5]);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12); // 0.8207826816681233
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [7, 7, 7])).toBe(0);
  });
});

describe('ssim', () => {
  const map = (v: number[] | Float64Array, side = 7) => ({ width: side, height: side, values: Float32Array.from(v) });
  const c1 = 1e-4;
  const c2 = 9e-4;

  it('is 1 for equal maps and (2ab + C1)/(a² + b² + C1) for two constant maps', () => {
    const x = Array.from({ length: 81 }, (_, i) => (i * 37) % 11 / 10);
    expect(ssim(map(x, 9), map(x, 9))).toBeCloseTo(1, 12);
    expect(ssim(map(new Array(49).fill(0.25)), map(new Array(49).fill(0.75)))).toBeCloseTo((2 * 0.25 * 0.75 + c1) / (0.25 ** 2 + 0.75 ** 2 + c1), 6);
  });

  it('follows the formula with sample covariances for a checkerboard and its negative', () => {
    const x = Array.from({ length: 49 }, (_, i) => ((i % 7) + Math.floor(i / 7)) % 2 === 0 ? 1 : 0); // 25 ones
    const y = x.map((v) => 1 - v);
    const u = 25 / 49;
    const v = (49 / 48) * (25 / 49 - u * u);
    const want = ((2 * u * (1 - u) + c1) * (-2 * v + c2)) / ((u * u + (1 - u) ** 2 + c1) * (2 * v + c2));
    expect(ssim(map(x), map(y))).toBeCloseTo(want, 6);
  });

  it('averages only windows that fit: on 8×7 the 2 windows', () => {
    const w = 8;
    const x = Array.from({ length: 56 }, (_, i) => (i % w) / 7);
    const y = Array.from({ length: 56 }, (_, i) => (i % w < 4 ? 0.5 : 0.9));
    const one = (x0: number) => {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let r = 0; r < 7; r++) for (let c = x0; c < x0 + 7; c++) {
        xs.push(x[r * w + c]);
        ys.push(y[r * w + c]);
      }
      return ssim(map(xs), map(ys));
    };
    expect(ssim({ width: 8, height: 7, values: Float32Array.from(x) }, { width: 8, height: 7, values: Float32Array.from(y) }))
      .toBeCloseTo((one(0) + one(1)) / 2, 6);
    expect([...minMax01([2, 4, 3])]).toEqual([0, 1, 0.5]);
  });
});
