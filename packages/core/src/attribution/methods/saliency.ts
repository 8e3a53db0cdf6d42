// Saliency (Simonyan et al. 2014), Captum's Saliency with abs=True: |d score / d x| per input channel.
import type { AttributionMethod } from '../types.js';
import { oneGradientPasses } from '../passes.js';
import { gradientsAtInput } from '../batches.js';

export const saliency: AttributionMethod = {
  id: 'saliency',
  kind: 'attribution',
  name: 'Saliency',
  needsGradients: false,
  cost: 'gradient-input',
  passes: oneGradientPasses,
  async compute(ctx) {
    return (await gradientsAtInput(ctx, 'standard')).map((g) => ({ values: g.map(Math.abs) }));
  },
};
