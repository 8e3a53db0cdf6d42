// `explain --json`'s lines formatted on a worker thread (json-line-worker.ts): the main thread only
// cuts the report's JSON at its maps (json-floats.ts splitAtFloats, cheap) and posts the pieces; the
// ~250,000 floats of a top-5 line are written on the worker while the main thread goes on with the
// next input. The bytes are jsonLineBytes' exactly; where the worker fails, or has not started yet
// (its start-up, ~0.1 s, would otherwise hold up the first line), the line is made here.
import { RpcWorker } from '../compute/rpc-worker.js';
import { jsonTextBytes, splitAtFloats, type SplitJson } from './json-floats.js';

/** A typed array that alone fills its buffer (a view into a larger one would clone all of it). */
function ownBuffer(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

export class JsonLineThread {
  private readonly worker = new RpcWorker<SplitJson, Uint8Array>(new URL('./json-line-worker.js', import.meta.url));

  /** Whether the worker has answered its first (empty) line: until then lines are made on this thread. */
  private ready = false;
  /** How many lines were made on the worker (the others on this thread). */
  madeOnWorker = 0;
  /**
   * The worker's start, begun at once (an empty line) so that it overlaps the first input's work:
   * true once it answers, false if it cannot start (then every line is made on this thread).
   */
  readonly started: Promise<boolean> = this.worker.call({ parts: ['null'], arrays: [] }).then(() => (this.ready = true), () => false);

  /** The UTF-8 bytes of jsonLine(report) (no newline), from the worker. */
  async lineBytes(report: unknown): Promise<Uint8Array> {
    const split = splitAtFloats(report);
    if (!split.arrays.length || !this.ready) return jsonTextBytes(split);
    try {
      const bytes = await this.worker.call({ parts: split.parts, arrays: split.arrays.map(ownBuffer) });
      this.madeOnWorker++;
      return bytes;
    } catch {
      return jsonTextBytes(split); // the worker could not start or died: the same bytes, made here
    }
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
