// Model specifications: what the manifest (models/manifest.json) says about a model, as types.
// A user's own ONNX classifier needs only one of these (a manifest entry or CLI flags).

export type ChannelOrder = 'RGB' | 'BGR';

/** How an image becomes the model's input tensor: value = (pixel * scale - mean[c]) / std[c]. */
export interface InputSpec {
  /** Graph input name. */
  name: string;
  /** Spatial size [height, width] the model takes. */
  height: number;
  width: number;
  /** Only NCHW is supported for now. */
  layout: 'NCHW';
  channelOrder: ChannelOrder;
  /** Pixel (0..255) multiplier before the mean is removed: 1 for 0-255 models, 1/255 for 0-1 models. */
  scale: number;
  /** Per channel, in the tensor's channel order, after scaling. */
  mean: [number, number, number];
  std: [number, number, number];
  /**
   * 'stretch': resize the whole image to height×width (aspect ratio not kept).
   * 'shorter-crop': resize the shorter side to `resizeShorter`, then centre-crop height×width.
   */
  resize: 'stretch' | 'shorter-crop';
  resizeShorter?: number;
}

/** The part of an input spec that says how an image is fitted to the model's grid (size and resize mode). */
export type InputGeometry = Pick<InputSpec, 'width' | 'height' | 'resize' | 'resizeShorter'>;

export interface OutputSpec {
  /** Graph output name. */
  name: string;
  /** 'logits' or 'softmax'. With 'softmax' the logit tensor is the Softmax's input (`logits`). */
  kind: 'logits' | 'softmax';
  /** Tensor that carries the class scores for gradients (found automatically when omitted). */
  logits?: string;
}

export interface ModelSpec {
  id: string;
  task: 'classification';
  /** Path of the ONNX file relative to the models directory. */
  file: string;
  sha256?: string;
  /** Where the file comes from when ../shared is not there. */
  url?: string;
  license?: string;
  /** Path of the labels file (one label a line) relative to the models directory, or the labels themselves. */
  labels: string | string[];
  input: InputSpec;
  output: OutputSpec;
  /** Default Grad-CAM layer (a 4-D tensor name); found automatically when omitted. */
  targetLayer?: string;
  /** Other useful layers to offer. */
  layers?: string[];
  /**
   * Inputs per forward run of the perturbation methods (Score-CAM's masked forwards, Ablation-CAM) and
   * per gradient run of Integrated Gradients / SmoothGrad when the engine is given no batch size: the
   * size measured fastest for this model on the reference CPU (test/bench/perturbation.bench.mjs
   * prints it for the machine at hand). Default: the engine's DEFAULT_BATCH_SIZE.
   */
  perturbationBatch?: number;
  /** Test fixtures (random weights) are listed but not meant as classifiers. */
  fixture?: boolean;
  description?: string;
}

/**
 * How an image becomes an object detector's input: 'letterbox' scales it to fit width×height with
 * its aspect ratio kept (YOLOX: r = min(W/w, H/h), sizes truncated), places it at the top left and
 * fills the rest with `padValue`; then value = (pixel * scale - mean[c]) / std[c] as for classifiers.
 */
export interface DetectorInputSpec extends Omit<InputSpec, 'resize' | 'resizeShorter'> {
  resize: 'letterbox';
  /** Value (0..255) of the padding pixels. */
  padValue: number;
}

export interface DetectorOutputSpec {
  /** Graph output name. */
  name: string;
  /**
   * 'yolox': one raw row per anchor point, (x, y, w, h, objectness, class scores…), on grids of the
   * given strides in order; x = (x + gx)·s, y = (y + gy)·s, w = exp(w)·s, h = exp(h)·s.
   */
  decode: 'yolox';
  strides: number[];
}

/**
 * An object detector in the manifest's `detectors` list. Another YOLO-style detector is described the
 * same way: an ONNX export whose output is the raw per-anchor-point tensor [1, anchors, 5 + classes]
 * (YOLOX's export without decoding in the graph: x, y offsets in grid cells, w, h as log sizes,
 * objectness and class probabilities already through their sigmoids), anchors row-major per grid and
 * grids in the order of `output.strides`; `input` gives its size, channel order, scale/mean/std and
 * the letterbox's pad value; `labels` one class per line in output order. Detector explanations
 * (core/detect-explain) find a layer per stride in the graph; `layers` names them instead.
 */
export interface DetectorSpec {
  id: string;
  task: 'detection';
  file: string;
  sha256?: string;
  url?: string | null;
  license?: string;
  labels: string | string[];
  input: DetectorInputSpec;
  output: DetectorOutputSpec;
  /** Detections below this score (objectness × class probability) are dropped (default 0.3). */
  scoreThreshold?: number;
  /** Class-wise non-maximum suppression drops a box whose IoU with a better one of its class exceeds this (default 0.45). */
  nmsThreshold?: number;
  /** Layers to explain, one per stride in `output.strides` order (default: found in the graph, see detect-explain/layers.ts). */
  layers?: string[];
  description?: string;
}

/** Any model the manifest lists: classifiers (`models`) and detectors (`detectors`). */
export type AnyModelSpec = ModelSpec | DetectorSpec;
