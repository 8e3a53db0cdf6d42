// Request and result types of the explain engine, shared by the CLI, the API and the widget.
import type { FloatMap, TargetKind } from './cam/types.js';
import type { AttributionMap, AttributionOptions } from './attribution/types.js';

export interface Prediction {
  index: number;
  label: string;
  /** Softmax probability. */
  score: number;
}

export interface ExplainOptions {
  /** CAM method ids, e.g. ['gradcam', 'scorecam']. Default ['gradcam']. */
  methods?: string[];
  /** Explain the top-k predicted classes (default 1) … */
  topK?: number;
  /** … or exactly these class indices. */
  classes?: number[];
  /** Target layer tensor name; the model's default when omitted. */
  layer?: string;
  /** Class logit (default) or softmax probability. */
  target?: TargetKind;
  eigenSmooth?: boolean;
  /** Integrated Gradients' steps and quadrature, SmoothGrad's samples, noise and seed (Captum's defaults). */
  attribution?: AttributionOptions;
}

export interface ClassMap {
  method: string;
  classIndex: number;
  label: string;
  /**
   * relu(cam) at the layer's resolution, before any scaling; for a pixel attribution, Σ_c |attribution|
   * at the input's resolution.
   */
  raw: FloatMap;
  /** Final map in [0, 1] at the input's size: min-max(resize(min-max(raw))). */
  map: FloatMap;
  /** Pixel attributions only: the signed attribution [C, H, W] in the model's input frame (what Captum returns). */
  attribution?: AttributionMap;
  /** Integrated Gradients only: Σ attribution − (score(x) − score(baseline)). */
  convergenceDelta?: number;
}

export interface ExplainResult {
  model: string;
  layer: string;
  /** Model input shape, e.g. [1, 3, 224, 224]. */
  inputShape: number[];
  /** Top-k predictions (softmax probabilities), highest first. */
  predictions: Prediction[];
  /** Softmax probabilities of all classes. */
  probabilities: Float32Array;
  maps: ClassMap[];
}
