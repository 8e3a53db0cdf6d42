// The work of each pixel-attribution method (MethodDescriptor.passes): rows through the whole network.
import { NO_PASSES } from '../cam/passes.js';
import type { MethodPasses, PassOptions } from '../cam/types.js';
import { resolveAttributionOptions } from './types.js';

/** One input-gradient run with a row per target (Saliency, Input × Gradient, Guided Backprop, Deconvolution). */
export const oneGradientPasses = (o: PassOptions): MethodPasses => ({ ...NO_PASSES, inputBackward: o.targets });

/** Integrated Gradients: a row per step and target, and one forward pass of the baseline (convergence delta). */
export const integratedGradientsPasses = (o: PassOptions): MethodPasses =>
  ({ ...NO_PASSES, forward: 1, inputBackward: o.targets * resolveAttributionOptions(o.attribution).steps });

/** SmoothGrad: a row per sample and target. */
export const smoothGradPasses = (o: PassOptions): MethodPasses =>
  ({ ...NO_PASSES, inputBackward: o.targets * resolveAttributionOptions(o.attribution).samples });

/** Guided Grad-CAM: the guided input gradient and the head gradient, a row per target each. */
export const guidedGradCamPasses = (o: PassOptions): MethodPasses =>
  ({ ...NO_PASSES, inputBackward: o.targets, headBackward: o.targets });
