// LayerCAM (Jiang et al. 2021): Σ_c relu(gradients) ⊙ activations.
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';

export const layerCam: CamMethod = {
  id: 'layercam',
  name: 'LayerCAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    return perTarget(ctx, (k) => elementwiseCam(ctx, k, (g, a) => Math.max(g, 0) * a));
  },
};
