// XGrad-CAM (Fu et al. 2020): weight_c = Σ_ij g · A / (Σ_ij A + 1e-7).
import { dims, gradientsOf, perTarget, spatialSums, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';

const EPS = 1e-7;

export const xGradCam: CamMethod = {
  id: 'xgradcam',
  name: 'XGrad-CAM',
  needsGradients: true,
  cost: 'gradient',
  async compute(ctx) {
    const A = ctx.activations.data;
    const { C, hw } = dims(ctx);
    const sumA = spatialSums(A, C, hw);
    return perTarget(ctx, (k) => {
      const G = gradientsOf(ctx, k);
      const weights = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        let w = 0;
        for (let p = 0; p < hw; p++) w += G[c * hw + p] * A[c * hw + p];
        weights[c] = w / (sumA[c] + EPS);
      }
      return weightedCam(ctx, weights);
    });
  },
};
