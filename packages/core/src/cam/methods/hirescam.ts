// HiResCAM (Draelos & Carin 2020): Σ_c gradients ⊙ activations, no spatial averaging.
import { elementwiseCam, perTarget } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

export const hiResCam: CamMethod = {
  id: 'hirescam',
  kind: 'cam',
  name: 'HiResCAM',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    return perTarget(ctx, (k) => elementwiseCam(ctx, k, (g, a) => g * a));
  },
};
