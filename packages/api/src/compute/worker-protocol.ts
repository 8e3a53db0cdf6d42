// Messages between the API's main thread and its engine workers (structured clone; float buffers
// are transferred, not copied).
import type { ExplainOptions, RgbImage } from '@saliency-explainer/core';

export interface WorkerConfig {
  modelsDir: string;
  executionProvider: 'cuda' | 'cpu';
  perturbationBatchSize: number;
  /** ONNX Runtime intra-op threads per session; 0 = its default (one per core). */
  intraOpThreads: number;
  maxImagePixels: number;
}

/** One image to explain: its stored (encoded) bytes, or its pixels when already decoded, and what to compute. */
export interface WorkItem {
  bytes?: Uint8Array;
  pixels?: RgbImage;
  options: ExplainOptions;
}

export type Request =
  | { kind: 'load'; id: number; model: string }
  | { kind: 'explain'; id: number; model: string; items: WorkItem[] };

export interface ComputedMap {
  method: string;
  classIndex: number;
  width: number;
  height: number;
  /** relu(cam) at the layer's resolution */
  raw: Float32Array;
}

export interface Computed {
  layer: string;
  probabilities: Float32Array;
  maps: ComputedMap[];
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
  | { kind: 'explained'; id: number; results: ItemResult[]; error?: WireError };
