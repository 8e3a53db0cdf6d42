// Messages between the API's main thread and its engine workers (structured clone; float buffers
// are transferred, not copied).
import type { ExplainOptions, HumanMap, RgbImage } from '@saliency-explainer/core';

export interface WorkerConfig {
  modelsDir: string;
  /** A user's folder of own models (ServerSettings.userModelsDir), or null. */
  userModelsDir: string | null;
  executionProvider: 'cuda' | 'cpu';
  perturbationBatchSize: number | undefined;
  /** ONNX Runtime intra-op threads per session; 0 = its default (one per core). */
  intraOpThreads: number;
  maxImagePixels: number;
  /** Full-resolution pixels the worker decodes at once (SALIENCY_DECODE_PIXELS). */
  decodePixels: number;
}

/** One image to explain: its stored (encoded) bytes, decoded in the worker under its pixel gate, and what to compute. */
export interface WorkItem {
  bytes: Uint8Array;
  options: ExplainOptions;
}

/** A heatmap's raw map as stored: relu(cam) at the layer's resolution (height × width). */
export interface RawMap {
  width: number;
  height: number;
  values: Float32Array;
}

/**
 * Something measured about one stored heatmap (its faithfulness report, its caption): the image it
 * explains and the heatmap's raw map, from which the worker rebuilds the final map exactly.
 */
export type MeasureJob = {
  bytes?: Uint8Array;
  pixels?: RgbImage;
  /** Options of the measure (e.g. { seed }), as the core function takes them. */
  options: Record<string, unknown>;
} & (
  | { what: 'faithfulness'; classIndex: number; raw: RawMap }
  | {
      /** Cascading randomisation of the model (no stored heatmap): `options` holds methods, layer, layers, seed. */
      what: 'sanity';
      /** The class; the image's top-1 class when absent. */
      classIndex?: number;
    }
  | {
      what: 'caption';
      classIndex: number;
      raw: RawMap;
      /** The explanation's maps of the same method for its other classes (contrast facts). */
      others: { classIndex: number; raw: RawMap }[];
      /** The image's human reference (the one its alignment uses), for the human fact. */
      human?: { map: HumanMap; source: 'crowd' | 'eye-tracking' };
      /** The free-text captioner's folder (SALIENCY_CAPTIONER_DIR), when one is set. */
      captionerDir?: string;
    }
);

export type Request =
  | { kind: 'load'; id: number; model: string }
  | { kind: 'explain'; id: number; model: string; items: WorkItem[] }
  | { kind: 'measure'; id: number; model: string; job: MeasureJob };

export interface ComputedMap {
  method: string;
  classIndex: number;
  width: number;
  height: number;
  /** relu(cam) at the layer's resolution; a pixel attribution's Σ_c |attribution| at the input's */
  raw: Float32Array;
  /** Pixel attributions: the signed attribution [channels, height, width] (core's ClassMap.attribution). */
  attribution?: { channels: number; values: Float32Array };
  /** Integrated Gradients' convergence delta. */
  convergenceDelta?: number;
}

export interface Computed {
  layer: string;
  probabilities: Float32Array;
  maps: ComputedMap[];
  /** The image as the model saw it (resized / cropped RGB), for overlays without decoding again. */
  view: RgbImage;
}

/** An error as it crosses the thread boundary: the engine's and the decoder's codes survive. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
}

export type ItemResult = { ok: true; value: Computed } | { ok: false; error: WireError };

export type Reply =
  | { kind: 'loaded'; id: number; error?: WireError }
  | { kind: 'explained'; id: number; results: ItemResult[]; error?: WireError }
  /** `value`: the measure's JSON object. */
  | { kind: 'measured'; id: number; value?: unknown; error?: WireError };
