// Types shared by the CAM pipeline and the CAM methods (one file per method in ./methods).

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
  /** Head (target layer → logits) on a batch of activations [n, C, h, w] → logits [n, numClasses]. */
  forwardActivations(batch: Float32Array, n: number): Promise<Float32Array>;
  /** How many perturbed inputs/activations one forward call may carry. */
  batchSize: number;
  /** pytorch-grad-cam's eigen_smooth: replace the weighted sum by its first principal component. */
  eigenSmooth: boolean;
}

export type CostClass = 'gradient' | 'activation' | 'perturbation';

export interface CamMethod {
  /** Stable id used by the CLI and the API, e.g. 'gradcam', 'gradcam++'. */
  id: string;
  /** Display name, e.g. 'Grad-CAM++'. */
  name: string;
  needsGradients: boolean;
  cost: CostClass;
  /** One map per target, at the layer's resolution [h*w], before ReLU and scaling. */
  compute(ctx: CamContext): Promise<Float32Array[]>;
}

/** A 2-D float map, row-major. */
export interface FloatMap {
  width: number;
  height: number;
  values: Float32Array;
}
