// Grad-CAM++ (Chattopadhay et al. 2018), with pytorch-grad-cam's closed form for an exponential
// score: α = g² / (2g² + Σ_ij A · g³ + 1e-6) where g ≠ 0 (else 0); weight_c = Σ_ij α · relu(g).
import { dims, gradientsOf, perTarget, spatialSums, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';

const EPS = 1e-6;

export const gradCamPlusPlus: CamMethod = {
  id: 'gradcam++',
  name: 'Grad-CAM++',
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
        for (let p = 0; p < hw; p++) {
          const g = G[c * hw + p];
          if (g <= 0) continue; // relu(g) = 0, and α = 0 where g = 0
          const g2 = g * g;
          w += (g2 / (2 * g2 + sumA[c] * g2 * g + EPS)) * g;
        }
        weights[c] = w;
      }
      return weightedCam(ctx, weights);
    });
  },
};
