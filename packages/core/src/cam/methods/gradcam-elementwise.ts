// GradCAMElementWise (pytorch-grad-cam): Σ_c relu(gradients ⊙ activations).
import { channelSum, gradientsOf, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const gradCamElementWise: CamMethod = {
  id: 'gradcam-elementwise',
  name: 'Grad-CAM element-wise',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const A = ctx.activations.data;
    return perTarget(ctx, (k) => {
      const G = gradientsOf(ctx, k);
      const elementwise = new Float32Array(A.length);
      for (let i = 0; i < A.length; i++) elementwise[i] = Math.max(G[i] * A[i], 0);
      return channelSum(ctx, elementwise);
    });
  },
};
