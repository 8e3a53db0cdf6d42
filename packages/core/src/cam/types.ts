// Types shared by the CAM pipeline and the CAM methods (one file per method in ./methods), and the
// descriptor every explain method (CAM or pixel attribution) has.
import type { AttributionOptions } from '../attribution/types.js';

/** What a class map is computed for: the class logit (default) or its softmax probability. */
export type TargetKind = 'logit' | 'probability';

export interface CamTarget {
  classIndex: number;
  kind: TargetKind;
}

/** Activations of one image at the target layer: [channels, height, width], row-major. */
export interface LayerActivations {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** Everything a CAM method may use. Perturbation methods call back into the model. */
export interface CamContext {
  activations: LayerActivations;
  /** d score_k / d activations for each target k: [K, C, h, w]. Present when method.needsGradients. */
  gradients?: Float32Array;
  targets: CamTarget[];
  /** Preprocessed input [1, C, H, W] (NCHW). */
  input: Float32Array;
  inputDims: readonly [number, number, number, number];
  /** Logits of the unmodified input [numClasses]. */
  logits: Float32Array;
  numClasses: number;
  /** Full model on a batch of inputs [n, C, H, W] → logits [n, numClasses]. */
  forwardInputs(batch: Float32Array, n: number): Promise<Float32Array>;
  /**
   * Full model on the input times each of n masks [n, 1, H, W] → logits [n, numClasses] (the masking
   * done by the runtime: Score-CAM). Optional: without it, masked inputs go through forwardInputs.
   */
  forwardMaskedInputs?(masks: Float32Array, n: number): Promise<Float32Array>;
  /** Head (target layer → logits) on a batch of activations [n, C, h, w] → logits [n, numClasses]. */
  forwardActivations(batch: Float32Array, n: number): Promise<Float32Array>;
  /** How many perturbed inputs/activations one forward call may carry. */
  batchSize: number;
  /** pytorch-grad-cam's eigen_smooth: replace the weighted sum by its first principal component. */
  eigenSmooth: boolean;
}

/**
 * gradient: one backward pass through the head; activation: none; perturbation: many forward passes;
 * gradient-input: backward passes through the whole network (pixel attributions).
 */
export type CostClass = 'gradient' | 'activation' | 'perturbation' | 'gradient-input';

/** Layer-resolution CAMs, or pixel attributions (gradients with respect to the input). */
export type MethodKind = 'cam' | 'attribution';

/** What decides a method's work in one explain() call. */
export interface PassOptions {
  /** Classes explained (top-k or the requested classes). */
  targets: number;
  /** Channels of the target layer (Score-CAM and Ablation-CAM make one pass per channel). */
  layerChannels: number;
  /** Integrated Gradients' steps and SmoothGrad's samples, when not the defaults. */
  attribution?: AttributionOptions;
}

/**
 * A method's own work in one explain() call, in batch-1 rows (a batched run of n rows counts n),
 * beyond the one forward pass every call makes. Methods of one request that need the head
 * gradient share one run of it.
 */
export interface MethodPasses {
  /** Forward passes of the whole model. */
  forward: number;
  /** Forward passes of the head (target layer → logits). */
  headForward: number;
  /** Backward rows through the head (target layer ← logits). */
  headBackward: number;
  /** Forward + backward rows through the whole network (input ← logits). */
  inputBackward: number;
}

/** What every method descriptor says about itself (listings, the API's method list, cost tables). */
export interface MethodDescriptor {
  /** Stable id used by the CLI and the API, e.g. 'gradcam', 'gradcam++', 'smoothgrad'. */
  id: string;
  /** Display name, e.g. 'Grad-CAM++'. */
  name: string;
  kind: MethodKind;
  /** Needs the head gradient at the target layer. */
  needsGradients: boolean;
  cost: CostClass;
  passes(options: PassOptions): MethodPasses;
}

export interface CamMethod extends MethodDescriptor {
  kind: 'cam';
  /** One map per target, at the layer's resolution [h*w], before ReLU and scaling. */
  compute(ctx: CamContext): Promise<Float32Array[]>;
}

/** A 2-D float map, row-major. */
export interface FloatMap {
  width: number;
  height: number;
  values: Float32Array;
}
