// The graph compiler's Web Worker (see graph-compiler.ts for the page's side): it gets the model's
// bytes and spec once, analyses the model itself, and answers each of the engine's GraphRequests with
// the encoded graphs, their buffers transferred, or with the error compileGraph threw (name, code,
// message). Built by scripts/compile-worker-bundle.mjs as one classic script inlined in the widget.
import {
  analyseModel, compileGraph, graphBytes, graphErrorToWire,
  type GraphErrorWire, type GraphRequest, type GraphResult, type ModelAnalysis, type ModelSpec,
} from '@saliency-explainer/core';

export type ToCompileWorker =
  | { type: 'model'; model: Uint8Array; spec: ModelSpec }
  | { type: 'compile'; id: number; request: GraphRequest };

export type FromCompileWorker =
  /** Posted once the script runs: the worker started (a refused one fires an error event instead). */
  | { type: 'ready' }
  | { type: 'compiled'; id: number; result: GraphResult }
  | { type: 'failed'; id: number; error: GraphErrorWire };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToCompileWorker>) => void) | null;
  postMessage(message: FromCompileWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let analysis: ModelAnalysis | undefined;
let analysisError: unknown = new Error('the graph compiler has no model');

/** The buffers a result can hand over: those its byte arrays fill whole (anything else is copied). */
function transferable(result: GraphResult): ArrayBuffer[] {
  const buffers = graphBytes(result).filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength).map((b) => b.buffer as ArrayBuffer);
  return [...new Set(buffers)];
}

scope.onmessage = ({ data }) => {
  if (data.type === 'model') {
    try {
      analysis = analyseModel(data.model, data.spec);
    } catch (e) {
      analysis = undefined;
      analysisError = e;
    }
    return;
  }
  try {
    if (!analysis) throw analysisError;
    const result = compileGraph(analysis, data.request);
    scope.postMessage({ type: 'compiled', id: data.id, result }, transferable(result));
  } catch (e) {
    scope.postMessage({ type: 'failed', id: data.id, error: graphErrorToWire(e) });
  }
};
scope.postMessage({ type: 'ready' });
