// The one interface both engines implement (local ONNX Runtime Web, remote GraphQL API) and what they
// return: maps, and what is measured about one map (its caption, its faithfulness report).
import type { Caption, FaithfulnessReport, FloatMap, HumanReference, InputSpec, Prediction } from '@saliency-explainer/core';
import type { LoadedImage } from '../image/load-image.js';
import type { CaptionerSource } from './captioner-source.js';

/** Where a result was computed; the badge shows it. */
export type Backend = 'webgpu' | 'wasm' | 'server';

export type Mode = 'auto' | 'webgpu' | 'wasm' | 'remote';

export interface ExplainQuery {
  methods: string[];
  /** The k most probable classes … */
  topK?: number;
  /** … or these classes. */
  classes?: number[];
  layer?: string;
}

/** One class map as the engines deliver it: relu(cam) at the layer's resolution, before any scaling. */
export interface EngineMap {
  method: string;
  classIndex: number;
  label: string;
  /** Softmax probability of the class. */
  score: number;
  raw: FloatMap;
}

/** What part of the image the model looks at, and at what size (the overlay is drawn over that part). */
export type ModelView = Pick<InputSpec, 'width' | 'height' | 'resize' | 'resizeShorter'>;

export interface EngineResult {
  backend: Backend;
  model: string;
  layer: string;
  view: ModelView;
  /** Top predictions (softmax probabilities), highest first. */
  predictions: Prediction[];
  maps: EngineMap[];
}

/** Download progress of what a local engine needs before its first run. */
export interface LoadProgress {
  what: 'runtime' | 'model';
  loaded: number;
  total: number | null;
}

/** One shown map to measure: its method and class, and its final map (model input grid, [0, 1]). */
export interface MeasureRequest {
  method: string;
  classIndex: number;
  map: FloatMap;
  /** Stops a local computation between model runs (another map was shown); the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface CaptionRequest extends MeasureRequest {
  /** The other classes explained with this one (same method), for the contrast facts. */
  others: { classIndex: number; map: FloatMap }[];
  /** The image's human attention for this class, when known (the human fact). */
  human(): Promise<HumanReference | null>;
  /** Where the manifest listing the object detector is (local engines). */
  modelsBase: string;
  /** The free-text captioner that describes the salient crop (local engines; the API uses its own setting). */
  captioner?: CaptionerSource;
}

export interface Engine {
  readonly backend: Backend;
  explain(image: LoadedImage, query: ExplainQuery): Promise<EngineResult>;
  /** The caption of one map (core's captionMap, or the API's Heatmap.caption). */
  caption(image: LoadedImage, request: CaptionRequest): Promise<Caption>;
  /** The faithfulness report of one map (core's measureFaithfulness, or the API's Heatmap.faithfulness). */
  faithfulness(image: LoadedImage, request: MeasureRequest): Promise<FaithfulnessReport>;
}
