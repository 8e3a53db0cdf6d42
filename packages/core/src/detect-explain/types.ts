// Results and errors of detector explanations.
import type { FloatMap } from '../cam/types.js';
import type { AnchoredDetection } from '../detect/detector.js';
import type { Box } from '../detect/types.js';
import type { Letterboxed } from '../detect/letterbox.js';

export type { AnchoredDetection };

/** One forward pass of the detector on an image: what every explanation of it reads. */
export interface DetectorRun {
  imageWidth: number;
  imageHeight: number;
  letterbox: Letterboxed;
  /** The raw output [1, anchors, 5 + classes]. */
  output: Float32Array;
  outputDims: readonly number[];
  /** Best score first; `anchor` is the output row that proposed each box. */
  detections: AnchoredDetection[];
  /** Activations of the layers the run was asked for, and the side tensors their heads read. */
  tensors: Record<string, { data: Float32Array; dims: readonly number[] }>;
}

export interface DetectorMap {
  method: string;
  layers: string[];
  /** Each layer's cam as the method computes it (signed, before relu and scaling), at the layer's resolution. */
  cams: FloatMap[];
  /** pytorch-grad-cam's final map on the letterboxed model input, in [0, 1]. */
  inputMap: FloatMap;
  /** The same map in the original image's pixels. */
  map: FloatMap;
  /** The explained box (gradient methods); absent for an image's EigenCAM map. */
  box?: AnchoredDetection;
  /** The target's value for the box (objectness × class probability, + IoU with iouBox). */
  score?: number;
}

export interface BoxExplainOptions {
  /** A gradient CAM method id (default 'gradcam'); 'eigencam' gives the image map for every box. */
  method?: string;
  /** Layers to explain at (default: the box's level layer). */
  layers?: string[];
  /** Add FasterRCNNBoxScoreTarget's IoU term against this box (image pixels). */
  iouBox?: Box;
  /** pytorch-grad-cam's eigen_smooth. */
  eigenSmooth?: boolean;
}

export type DetectExplainErrorCode = 'BAD_LAYER' | 'BAD_METHOD' | 'BAD_BOX' | 'BAD_MODEL';

export class DetectExplainError extends Error {
  constructor(readonly code: DetectExplainErrorCode, message: string) {
    super(message);
    this.name = 'DetectExplainError';
  }
}
