// LayerCAM (Jiang et al. 2021): Σ_c relu(gradients) ⊙ activations.
import { channelSum, gradientsOf, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const layerCam: CamMethod = {
  id: 'layercam',
  name: 'LayerCAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const A = ctx.activations.data;
    return perTarget(ctx, (k) => {
      const G = gradientsOf(ctx, k);
      const weighted = new Float32Array(A.length);
      for (let i = 0; i < A.length; i++) weighted[i] = Math.max(G[i], 0) * A[i];
      return channelSum(ctx, weighted);
    });
  },
};
