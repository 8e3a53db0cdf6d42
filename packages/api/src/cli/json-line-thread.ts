// `explain --json`'s lines formatted on a worker thread (json-line-worker.ts): the main thread only
// cuts the report's JSON at its maps (json-floats.ts splitAtFloats, cheap) and posts the pieces; the
// ~250,000 floats of a top-5 line are written on the worker while the main thread goes on with the
// next input. The bytes are jsonLineBytes' exactly; where the worker fails, the line is made here.
import { RpcWorker } from '../compute/rpc-worker.js';
import { jsonTextBytes, splitAtFloats, type SplitJson } from './json-floats.js';

/** A typed array that alone fills its buffer (a view into a larger one would clone all of it). */
function ownBuffer(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

export class JsonLineThread {
  private readonly worker = new RpcWorker<SplitJson, Uint8Array>(new URL('./json-line-worker.js', import.meta.url));

  /** Starts the worker at once (an empty line), so that its start-up overlaps the first input's work. */
  constructor() {
    this.worker.call({ parts: ['null'], arrays: [] }).catch(() => undefined);
  }

  /** The UTF-8 bytes of jsonLine(report) (no newline), from the worker. */
  async lineBytes(report: unknown): Promise<Uint8Array> {
    const split = splitAtFloats(report);
    if (!split.arrays.length) return jsonTextBytes(split);
    try {
      return await this.worker.call({ parts: split.parts, arrays: split.arrays.map(ownBuffer) });
    } catch {
      return jsonTextBytes(split); // the worker could not start or died: the same bytes, made here
    }
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
