// Guided Backpropagation (Springenberg et al. 2015), Captum's GuidedBackprop: the input gradient with
// every ReLU passing back only positive gradients where its input was positive (rules/variants.ts).
import type { AttributionMethod } from '../types.js';
import { oneGradientPasses } from '../passes.js';
import { gradientsAtInput } from '../batches.js';

export const guidedBackprop: AttributionMethod = {
  id: 'guidedbackprop',
  kind: 'attribution',
  name: 'Guided Backprop',
  needsGradients: false,
  cost: 'gradient-input',
  passes: oneGradientPasses,
  async compute(ctx) {
    return (await gradientsAtInput(ctx, 'guided')).map((values) => ({ values }));
  },
};
