// Input × Gradient (Shrikumar et al. 2016), Captum's InputXGradient: x · d score / d x.
import type { AttributionMethod } from '../types.js';
import { oneGradientPasses } from '../passes.js';
import { gradientsAtInput } from '../batches.js';

export const inputXGradient: AttributionMethod = {
  id: 'inputxgradient',
  kind: 'attribution',
  name: 'Input × Gradient',
  needsGradients: false,
  cost: 'gradient-input',
  passes: oneGradientPasses,
  async compute(ctx) {
    return (await gradientsAtInput(ctx, 'standard')).map((g) => ({ values: g.map((v, i) => v * ctx.input[i]) }));
  },
};
