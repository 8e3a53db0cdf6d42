// Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of the gradients.
import { dims, gradientsOf, perTarget, spatialSums, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';

export const gradCam: CamMethod = {
  id: 'gradcam',
  name: 'Grad-CAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const { C, hw } = dims(ctx);
    return perTarget(ctx, (k) => weightedCam(ctx, spatialSums(gradientsOf(ctx, k), C, hw).map((s) => s / hw)));
  },
};
