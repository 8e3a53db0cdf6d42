// HiResCAM (Draelos & Carin 2020): Σ_c gradients ⊙ activations, no spatial averaging.
import { channelSum, gradientsOf, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const hiResCam: CamMethod = {
  id: 'hirescam',
  name: 'HiResCAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const A = ctx.activations.data;
    return perTarget(ctx, (k) => {
      const G = gradientsOf(ctx, k);
      const elementwise = new Float32Array(A.length);
      for (let i = 0; i < A.length; i++) elementwise[i] = G[i] * A[i];
      return channelSum(ctx, elementwise);
    });
  },
};
