// RISE's substrate (evaluation.py: gkern(11, 5) = scipy gaussian_filter of a delta, conv2d with zero
// padding) against its definition: the 1-D factor from the images of the delta under scipy's
// half-sample reflection (period 22), and the 2-D blur as a direct zero-padded 11×11 convolution.
import { describe, expect, it } from 'vitest';
import { riseBlurChw, riseKernel } from '../../../packages/core/src/faithfulness/rise-blur.js';
import { causalCurve } from '../../../packages/core/src/faithfulness/deletion-insertion.js';
import { chwShape } from '../../../packages/core/src/faithfulness/perturb.js';
import { linearModel, uniform } from './linear-model.js';

describe('RISE blur', () => {
  it('folds the σ-5 Gaussian (radius 20) back into 11 taps: k[i] = Σ_m w(i − 5 − 22m) + w(i + 6 − 22m)', () => {
    const w = (d: number) => (Math.abs(d) <= 20 ? Math.exp(-(d * d) / 50) : 0);
    let norm = 0;
    for (let d = -20; d <= 20; d++) norm += w(d);
    const k = riseKernel();
    for (let i = 0; i < 11; i++) {
      let want = 0;
      for (let m = -2; m <= 2; m++) want += w(i - 5 - 22 * m) + w(i + 6 - 22 * m);
      expect(k[i]).toBeCloseTo(want / norm, 14);
    }
    expect(k[0] / k[5]).toBeCloseTo(0.936, 3); // flatter than a Gaussian (0.607)
  });

  it('equals a direct zero-padded 11×11 convolution with k kᵀ', () => {
    const r = uniform(4);
    const shape = chwShape([2, 9, 13]);
    const x = Float32Array.from({ length: 2 * 9 * 13 }, r);
    const k = riseKernel();
    const b = riseBlurChw(x, shape);
    for (let c = 0; c < 2; c++) for (let y = 0; y < 9; y++) for (let xx = 0; xx < 13; xx++) {
      let want = 0;
      for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) {
        const yy = y + dy;
        const xs = xx + dx;
        if (yy >= 0 && yy < 9 && xs >= 0 && xs < 13) want += k[dy + 5] * k[dx + 5] * x[c * 117 + yy * 13 + xs];
      }
      expect(b[c * 117 + y * 13 + xx]).toBeCloseTo(want, 5);
    }
  });

  it('is insertion\'s start with substrate "rise"', async () => {
    const m = linearModel([1, 2, 3, 4]);
    const x = Float32Array.from([1, 2, 3, 4]);
    const shape = chwShape([1, 2, 2]);
    const map = { width: 2, height: 2, values: Float32Array.from([0, 0, 0, 0]) };
    const ins = await causalCurve(m.score, x, shape, map, 0, 'insertion', { substrate: 'rise' });
    expect(ins.logits[0]).toBeCloseTo(m.logit(riseBlurChw(x, shape)), 5);
    await expect(causalCurve(m.score, x, shape, map, 0, 'insertion', { substrate: 'box' as never })).rejects.toThrow(/substrate/);
  });
});
