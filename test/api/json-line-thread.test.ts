// `explain --json`'s lines made on a worker thread (cli/json-line-thread.ts) and the bytes function
// under it (json-floats.ts jsonTextBytes): byte for byte JSON.stringify of the report (whose
// JsonFloats print toPrecision(9) numbers), whatever the strings hold, however large the line, for
// maps that are views into a larger buffer, in the order asked, and the same when the worker is gone.
import { describe, it, expect, afterAll } from 'vitest';
import { JsonFloats, jsonTextBytes, splitAtFloats } from '../../packages/api/src/cli/json-floats.js';
import { JsonLineThread } from '../../packages/api/src/cli/json-line-thread.js';
import { RpcWorker } from '../../packages/api/src/compute/rpc-worker.js';
import { rng } from '../helpers/random.js';

/** A report shaped like an explain line: maps of `size` floats (zeros, tiny and signed values among them). */
function report(seed: number, size: number, label = 'tabby, tabby cat') {
  const r = rng(seed);
  const floats = (n: number) => new JsonFloats(Float32Array.from({ length: n }, () => {
    const x = r();
    return x < 0.1 ? 0 : x < 0.15 ? -r() * 1e-5 : x < 0.2 ? r() * 40 : r() ** 3;
  }));
  return {
    input: `photos/${seed} "quoted" \\ \u0001floats:`,
    predictions: [{ index: 281, label, score: 0.5 }],
    maps: [0, 1].map((k) => ({ method: 'gradcam', classIndex: k, label, raw: { width: 13, height: 13, values: floats(169) }, map: { width: 1, height: size, values: floats(size) } })),
  };
}

const utf8 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

describe('jsonTextBytes', () => {
  it('gives JSON.stringify\'s UTF-8 bytes, from a line of no maps to one that outgrows the formatting buffer mid-line', () => {
    for (const value of [{ a: 1 }, null, [], report(1, 10), report(2, 50_176, 'café — 猫'), report(3, 300_000), report(4, 5)]) {
      const bytes = jsonTextBytes(splitAtFloats(value));
      expect(bytes.equals(utf8(value))).toBe(true);
      expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length).toBe(true); // its own buffer: transferable
    }
  });

  it('a text part longer than the formatting buffer', () => {
    const value = { note: 'é'.repeat(200_000), map: new JsonFloats(new Float32Array([0.25, 1e-7])), tail: 'x'.repeat(70_000) };
    expect(jsonTextBytes(splitAtFloats(value)).equals(utf8(value))).toBe(true);
  });
});

describe('JsonLineThread', () => {
  const thread = new JsonLineThread();
  afterAll(() => thread.close());

  it('makes each line\'s bytes on the worker once it has started, several in flight, each answered with its own', async () => {
    expect(await thread.started).toBe(true);
    const before = thread.madeOnWorker;
    const reports = [report(5, 50_176), report(6, 20, 'naïve'), { none: [] }, report(7, 1000)];
    const lines = await Promise.all(reports.map((r) => thread.lineBytes(r)));
    lines.forEach((line, i) => expect(Buffer.from(line).equals(utf8(reports[i]))).toBe(true));
    expect(thread.madeOnWorker - before).toBe(3); // the line without maps is made here
  });

  it('a line asked for before the worker has started is made on the calling thread, the same bytes', async () => {
    const fresh = new JsonLineThread();
    try {
      const value = report(10, 500);
      expect(Buffer.from(await fresh.lineBytes(value)).equals(utf8(value))).toBe(true);
      expect(fresh.madeOnWorker).toBe(0);
      expect(await fresh.started).toBe(true);
      expect(Buffer.from(await fresh.lineBytes(value)).equals(utf8(value))).toBe(true);
      expect(fresh.madeOnWorker).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('maps that are views into a larger buffer print only their own values', async () => {
    const all = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const value = { a: new JsonFloats(all.subarray(10, 20)), b: new JsonFloats(all.subarray(990)) };
    expect(Buffer.from(await thread.lineBytes(value)).equals(utf8(value))).toBe(true);
  });

  it('the worker itself answers with the line\'s bytes (not the fallback on the calling thread)', async () => {
    const worker = new RpcWorker<ReturnType<typeof splitAtFloats>, Uint8Array>(new URL('../../packages/api/src/cli/json-line-worker.js', import.meta.url));
    try {
      const value = report(9, 3000, 'café');
      expect(Buffer.from(await worker.call(splitAtFloats(value))).equals(utf8(value))).toBe(true);
      await expect(worker.call({ parts: ['[', ']'], arrays: [] })).rejects.toThrow('a text part is wanted'); // its errors come back as errors
    } finally {
      await worker.close();
    }
  });

  it('once its worker is gone, gives the same bytes made on the calling thread', async () => {
    const closed = new JsonLineThread();
    await closed.close();
    const value = report(8, 2000);
    expect(Buffer.from(await closed.lineBytes(value)).equals(utf8(value))).toBe(true);
  });
});
