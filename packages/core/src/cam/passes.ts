// The work of each kind of method in one explain() call (MethodDescriptor.passes), for cost tables.
import type { MethodPasses, PassOptions } from './types.js';

export const NO_PASSES: MethodPasses = { forward: 0, headForward: 0, headBackward: 0, inputBackward: 0 };

/** Gradient CAMs: one head-gradient run with a row per target. */
export const headGradientPasses = (o: PassOptions): MethodPasses => ({ ...NO_PASSES, headBackward: o.targets });

/** Activation-only CAMs (EigenCAM): nothing beyond the shared forward pass. */
export const noPasses = (): MethodPasses => ({ ...NO_PASSES });

/** Score-CAM: one masked input per channel, shared by all targets. */
export const channelForwardPasses = (o: PassOptions): MethodPasses => ({ ...NO_PASSES, forward: o.layerChannels });

/** Ablation-CAM: one ablated head pass per channel, shared by all targets. */
export const channelHeadPasses = (o: PassOptions): MethodPasses => ({ ...NO_PASSES, headForward: o.layerChannels });
