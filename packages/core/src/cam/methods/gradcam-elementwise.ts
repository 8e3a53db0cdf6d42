// GradCAMElementWise (pytorch-grad-cam): Σ_c relu(gradients ⊙ activations).
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

export const gradCamElementWise: CamMethod = {
  id: 'gradcam-elementwise',
  kind: 'cam',
  name: 'Grad-CAM element-wise',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    return perTarget(ctx, (k) => elementwiseCam(ctx, k, (g, a) => Math.max(g * a, 0)));
  },
};
