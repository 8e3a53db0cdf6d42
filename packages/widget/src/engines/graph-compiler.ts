// The page's side of the graph compiler's Web Worker (compile-worker.ts): core's Explainer builds and
// encodes its ONNX graphs (a layer's forward and head models, the fused explain graph, Score-CAM's
// masked forward, input gradients) in JavaScript, which would block the page for as long as they take;
// the worker builds them from its own analysis of the model and the engine gets their bytes. The
// worker's script is inlined in the widget's bundle (virtual:compile-worker, built by
// scripts/compile-worker-bundle.mjs) and started from a Blob URL, so the widget stays one file. Where
// no worker starts (no Worker, or a Content Security Policy that refuses blob: workers — Chromium
// says so by an error event), there is no compiler and the engine compiles on the page, as before.
/// <reference path="../virtual-modules.d.ts" />
import {
  graphBytes, graphErrorFromWire, type GraphCompiler, type GraphKind, type GraphRequest, type GraphResult, type ModelSpec,
} from '@saliency-explainer/core';
import workerScript from 'virtual:compile-worker';
import type { FromCompileWorker, ToCompileWorker } from './compile-worker.js';

interface Pending {
  kind: GraphKind;
  resolve(result: GraphResult): void;
  reject(error: Error): void;
}

let scriptUrl: string | undefined;

/** A started compile worker: give it the model, then compile with `compile`. */
export class CompileWorker {
  /** The kind of each request the worker answered with graphs (or null), in order. */
  readonly compiled: GraphKind[] = [];
  /** How many graphs (ONNX models) the worker compiled. */
  graphs = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = ({ data }: MessageEvent<FromCompileWorker>) => {
      if (data.type === 'ready') return;
      const p = this.pending.get(data.id);
      if (!p) return;
      this.pending.delete(data.id);
      if (data.type === 'failed') {
        p.reject(graphErrorFromWire(data.error));
      } else {
        this.compiled.push(p.kind);
        this.graphs += graphBytes(data.result).length;
        p.resolve(data.result);
      }
    };
    worker.onerror = (e) => this.fail(new Error(`the graph compiler's worker failed: ${e.message || 'no reason given'}`));
    worker.onmessageerror = () => this.fail(new Error('the graph compiler\'s worker sent a message that could not be read'));
  }

  /**
   * A compile worker once it runs; undefined where none can start (no Worker, a refused script), so
   * that the engine compiles on the page. Never rejects.
   */
  static start(): Promise<CompileWorker | undefined> {
    let worker: Worker;
    try {
      scriptUrl ??= URL.createObjectURL(new Blob([workerScript], { type: 'text/javascript' }));
      worker = new Worker(scriptUrl, { name: 'saliency-explainer graph compiler' });
    } catch {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      worker.onmessage = ({ data }: MessageEvent<FromCompileWorker>) => {
        if (data.type === 'ready') resolve(new CompileWorker(worker));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        resolve(undefined);
      };
    });
  }

  /** Hands the worker the model (a copy: the page keeps its bytes) and returns the compiler for it. */
  compilerFor(model: Uint8Array, spec: ModelSpec): GraphCompiler {
    this.post({ type: 'model', model, spec });
    return <R extends GraphRequest>(request: R) => new Promise<GraphResult<R>>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { kind: request.kind, resolve: resolve as (r: GraphResult) => void, reject });
      this.post({ type: 'compile', id, request });
    });
  }

  /** Stops the worker; what it was still compiling fails. */
  terminate(): void {
    this.worker.terminate();
    this.fail(new Error('the graph compiler\'s worker was terminated'));
  }

  private post(message: ToCompileWorker): void {
    this.worker.postMessage(message);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
