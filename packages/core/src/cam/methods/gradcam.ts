// Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of the gradients.
import { channelWeights, dims, perTarget, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

export const gradCam: CamMethod = {
  id: 'gradcam',
  kind: 'cam',
  name: 'Grad-CAM',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    const { hw } = dims(ctx);
    return perTarget(ctx, (k) => weightedCam(ctx, channelWeights(ctx, k, (g) => g / hw)));
  },
};
