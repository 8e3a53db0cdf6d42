// EigenGradCAM (pytorch-grad-cam): the first principal component of gradients ⊙ activations.
import { project2d } from '../projection.js';
import { dims, gradientsOf, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const eigenGradCam: CamMethod = {
  id: 'eigengradcam',
  name: 'EigenGradCAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const A = ctx.activations.data;
    const { C, hw } = dims(ctx);
    return perTarget(ctx, (k) => {
      const G = gradientsOf(ctx, k);
      const elementwise = new Float32Array(A.length);
      for (let i = 0; i < A.length; i++) elementwise[i] = G[i] * A[i];
      return project2d(elementwise, C, hw);
    });
  },
};
