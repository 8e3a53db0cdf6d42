// SmoothGrad (Smilkov et al. 2017), Captum's NoiseTunnel(Saliency) with nt_type='smoothgrad': the mean
// over `samples` noisy copies x + N(0, σ²) of |d score / d x| (Saliency's abs of each sample), with
// σ = noise × (max − min) of the input (PAIR saliency's stdev_spread; default 0.15) and 50 samples.
// The noise is seeded (noise.ts); samples run as batches through the compiled input-gradient model.
import type { AttributionMethod } from '../types.js';
import { smoothGradPasses } from '../passes.js';
import { forEachGradient } from '../batches.js';
import { NormalStream } from '../noise.js';

export const smoothGrad: AttributionMethod = {
  id: 'smoothgrad',
  kind: 'attribution',
  name: 'SmoothGrad',
  needsGradients: false,
  cost: 'gradient-input',
  passes: smoothGradPasses,
  async compute(ctx) {
    const { samples, noise, seed } = ctx.options;
    const x = ctx.input;
    const n = x.length;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const sigma = noise * (hi - lo);
    const out = [];
    for (const target of ctx.targets) {
      // every target sees the same noisy samples
      const normal = new NormalStream(seed);
      const total = new Float64Array(n);
      await forEachGradient(ctx, 'standard', target, samples, (_, row) => normal.noisyCopy(row, x, sigma), (_, g) => {
        for (let p = 0; p < n; p++) total[p] += Math.abs(g[p]);
      });
      out.push({ values: Float32Array.from(total, (t) => t / samples) });
    }
    return out;
  },
};
