// Grad-CAM++ (Chattopadhay et al. 2018), with pytorch-grad-cam's closed form for an exponential
// score: α = g² / (2g² + Σ_ij A · g³ + 1e-6) where g ≠ 0 (else 0); weight_c = Σ_ij α · relu(g).
import { channelWeights, dims, perTarget, spatialSums, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';
import { headGradientPasses } from '../passes.js';

const EPS = 1e-6;

export const gradCamPlusPlus: CamMethod = {
  id: 'gradcam++',
  kind: 'cam',
  name: 'Grad-CAM++',
  needsGradients: true,
  cost: 'gradient',
  passes: headGradientPasses,
  async compute(ctx) {
    const { C, hw } = dims(ctx);
    const sumA = spatialSums(ctx.activations.data, C, hw);
    // relu(g) = 0 for g ≤ 0, and α = 0 where g = 0: only positive gradients count
    const term = (g: number, _a: number, c: number) => (g > 0 ? ((g * g) / (2 * g * g + sumA[c] * g * g * g + EPS)) * g : 0);
    return perTarget(ctx, (k) => weightedCam(ctx, channelWeights(ctx, k, term)));
  },
};
