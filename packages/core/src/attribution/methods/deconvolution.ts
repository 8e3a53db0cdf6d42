// Deconvolution (Zeiler & Fergus 2014), Captum's Deconvolution: the input gradient with every ReLU
// passing back the positive part of its incoming gradient, whatever its input was (rules/variants.ts).
import type { AttributionMethod } from '../types.js';
import { oneGradientPasses } from '../passes.js';
import { gradientsAtInput } from '../batches.js';

export const deconvolution: AttributionMethod = {
  id: 'deconvolution',
  kind: 'attribution',
  name: 'Deconvolution',
  needsGradients: false,
  cost: 'gradient-input',
  passes: oneGradientPasses,
  async compute(ctx) {
    return (await gradientsAtInput(ctx, 'deconvolution')).map((values) => ({ values }));
  },
};
