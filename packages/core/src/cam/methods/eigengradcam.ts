// EigenGradCAM (pytorch-grad-cam): the first principal component of gradients ⊙ activations
// (always projected, whatever eigenSmooth says).
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

export const eigenGradCam: CamMethod = {
  id: 'eigengradcam',
  kind: 'cam',
  name: 'EigenGradCAM',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    const projected = { ...ctx, eigenSmooth: true };
    return perTarget(ctx, (k) => elementwiseCam(projected, k, (g, a) => g * a));
  },
};
