// XGrad-CAM (Fu et al. 2020): weight_c = Σ_ij g · A / (Σ_ij A + 1e-7).
import { channelWeights, dims, perTarget, spatialSums, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

const EPS = 1e-7;

export const xGradCam: CamMethod = {
  id: 'xgradcam',
  kind: 'cam',
  name: 'XGrad-CAM',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    const { C, hw } = dims(ctx);
    const sumA = spatialSums(ctx.activations.data, C, hw);
    return perTarget(ctx, (k) => weightedCam(ctx, channelWeights(ctx, k, (g, a, c) => (g * a) / (sumA[c] + EPS))));
  },
};
