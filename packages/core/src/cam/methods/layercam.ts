// LayerCAM (Jiang et al. 2021): Σ_c relu(gradients) ⊙ activations.
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

export const layerCam: CamMethod = {
  id: 'layercam',
  kind: 'cam',
  name: 'LayerCAM',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    return perTarget(ctx, (k) => elementwiseCam(ctx, k, (g, a) => Math.max(g, 0) * a));
  },
};
