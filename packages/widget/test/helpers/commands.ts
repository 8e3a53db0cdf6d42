// Typed calls to the test server's commands (test/plugins): API address, counters, Node references, screenshots.
import { executeServerCommand } from '@web/test-runner-commands';
import type { Prediction } from '@saliency-explainer/core';

export interface NodeMap {
  method: string;
  classIndex: number;
  raw: { width: number; height: number; values: number[] };
  map: { width: number; height: number; values: number[] };
}

/** The API's base URL (http://127.0.0.1:port); its GraphQL endpoint is `${url}/graphql`. */
export const apiUrl = () => executeServerCommand<string, undefined>('api-url');
/** A GraphQL URL on a port where nothing listens. */
export const closedPortUrl = () => executeServerCommand<string, undefined>('closed-port-url');
/** How many times the test routes served `path` (e.g. /models/files/squeezenet1.0/model-fp16.onnx). */
export const routeCount = (path: string) => executeServerCommand<number, { path: string }>('route-count', { path });

/**
 * The Node engine (onnxruntime-node) on RGB pixels: what the API and the CLI compute. Run as a job and
 * asked for until it is done (a server command must answer within 20 s; a Score-CAM may take longer).
 */
export async function nodeExplain(payload: { model: string; rgb: string; width: number; height: number; methods: string[]; classes?: number[]; topK?: number }) {
  const id = await executeServerCommand<number, typeof payload>('node-explain-start', payload);
  for (;;) {
    const r = await executeServerCommand<{ done: boolean; result?: { predictions: Prediction[]; maps: NodeMap[] } }, { id: number }>('node-explain-result', { id });
    if (r.done) return r.result!;
  }
}

/** sharp's decoding of a photo of the shared folder (as the API decodes uploads): size and sha256 of the RGB bytes. */
export const sharpPixels = (name: string) =>
  executeServerCommand<{ width: number; height: number; sha256: string }, { name: string }>('sharp-pixels', { name });

/** Save a PNG of the element matching `selector` as test/screenshots/<name>.png. */
export const screenshot = (name: string, selector: string) =>
  executeServerCommand<string, { name: string; selector: string }>('screenshot', { name, selector });

/** The first `observers` observers' fixations of an OSIE stimulus (0-based, pixel centres at integers, as core's parseOsie). */
export const osieObservers = (image: string, observers: number) =>
  executeServerCommand<{ width: number; height: number; observers: { x: number; y: number }[][] }, { image: string; observers: number }>('osie-observers', { image, observers });
