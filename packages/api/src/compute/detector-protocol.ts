// What the server's detector thread (compute/detector-explain-worker.ts) is asked and answers.
import type { DetectionRecord } from '../storage/types.js';

export interface DetectorExplainRequest {
  model: string;
  /** The stored image's bytes (decoded on the thread). */
  bytes: Uint8Array;
  /** Method ids (resolved): 'eigencam' gives one map of the image, a gradient CAM one map per box. */
  methods: string[];
  /** The boxes the gradient methods explain, as indices of the detections (0 = best score); null: the best box when there is one. */
  boxes: number[] | null;
  /** Layers (null: EigenCAM on every level's layer, each box on its level's layer). */
  layers: string[] | null;
  eigenSmooth: boolean;
}

export interface DetectorExplainMap {
  method: string;
  /** The explained box (index into detections); null for the image's EigenCAM map. */
  box: number | null;
  classIndex: number;
  label: string;
  score: number;
  /** The final map on the letterboxed model input, in [0, 1] (DetectorMap.inputMap). */
  width: number;
  height: number;
  raw: Float32Array;
}

export interface DetectorExplainResult {
  detections: DetectionRecord[];
  maps: DetectorExplainMap[];
}
