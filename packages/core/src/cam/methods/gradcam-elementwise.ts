// GradCAMElementWise (pytorch-grad-cam): Σ_c relu(gradients ⊙ activations).
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const gradCamElementWise: CamMethod = {
  id: 'gradcam-elementwise',
  name: 'Grad-CAM element-wise',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    return perTarget(ctx, (k) => elementwiseCam(ctx, k, (g, a) => Math.max(g * a, 0)));
  },
};
