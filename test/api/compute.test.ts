// The API's compute layer on its own: micro-batching (batch sizes, concurrency, per-request
// failures) and the engine workers (results equal the engine in-process; a dead worker fails its
// jobs and is replaced).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer, findModel, parseLabels, parseManifest, resizeForModel, toTensor } from '../../packages/core/src/index.js';
import { MicroBatcher } from '../../packages/api/src/compute/micro-batcher.js';
import { WorkerPool } from '../../packages/api/src/compute/worker-pool.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { ort } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');

describe('MicroBatcher', () => {
  it('runs the first request at once, then what queued meanwhile as batches of at most maxSize', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher<number, number>(async (xs) => {
      sizes.push(xs.length);
      if (sizes.length === 1) await gate;
      return xs.map((x) => (x < 0 ? { status: 'rejected', reason: new Error(`bad ${x}`) } : { status: 'fulfilled', value: 2 * x }));
    }, 4, 0);
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, -4, 5, 6, 7].map((x) => b.submit(x).catch((e: Error) => e.message));
    release();
    expect(await first).toBe(2);
    expect(await Promise.all(rest)).toEqual([4, 6, 'bad -4', 10, 12, 14]);
    expect(sizes).toEqual([1, 4, 2]);
    expect(b.stats).toEqual({ batches: 3, requests: 7, largestBatch: 4 });
  });

  it('keeps at most maxConcurrent batches running', async () => {
    let running = 0;
    let most = 0;
    const b = new MicroBatcher<number, number>(async (xs) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return xs.map((x) => ({ status: 'fulfilled', value: x }));
    }, 2, 0, 3);
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(i)));
    expect(most).toBe(3);
  });

  it('a runner that throws fails the whole batch, and the next batch still runs', async () => {
    let calls = 0;
    const b = new MicroBatcher<number, number>(async (xs) => {
      if (++calls === 1) throw new Error('boom');
      return xs.map((x) => ({ status: 'fulfilled', value: x }));
    }, 8, 0);
    await expect(b.submit(1)).rejects.toThrow('boom');
    expect(await b.submit(2)).toBe(2);
  });
});

describe('WorkerPool', () => {
  const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
  const spec = findModel(manifest, 'squeezenet1.0');
  const config = { modelsDir: resolve(root, 'models'), executionProvider: 'cpu' as const, perturbationBatchSize: 16, intraOpThreads: 0, maxImagePixels: 1e8 };
  const both = readFileSync(resolve(root, '../shared/data/images/both.png'));

  it('computes what the engine computes in-process, and survives a worker that dies', async () => {
    const pool = new WorkerPool(1, config);
    try {
      await pool.load('squeezenet1.0');
      const [r] = await pool.explain('squeezenet1.0', [{ bytes: both, options: { methods: ['gradcam', 'scorecam'], topK: 2 } }]);
      if (!r.ok) throw new Error(r.error.message);
      const labels = parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels as string), 'utf8'));
      const engine = await Explainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, labels);
      const x = toTensor(resizeForModel((await decodeImage(both, 1e8)).image, spec.input), spec.input);
      const ref = await engine.explain(x, { methods: ['gradcam', 'scorecam'], topK: 2 });
      await engine.release();
      expect(r.value.maps.map((m) => `${m.method}/${m.classIndex}`)).toEqual(ref.maps.map((m) => `${m.method}/${m.classIndex}`));
      // same sessions, same batch of one: the same floats
      r.value.maps.forEach((m, k) => expect(Array.from(m.raw)).toEqual(Array.from(ref.maps[k].raw.values)));
      expect(Array.from(r.value.probabilities)).toEqual(Array.from(ref.probabilities));
      // an image the server already decoded (a fresh upload) goes over as pixels: the same floats
      const [p] = await pool.explain('squeezenet1.0', [{ pixels: (await decodeImage(both, 1e8)).image, options: { methods: ['gradcam', 'scorecam'], topK: 2 } }]);
      if (!p.ok) throw new Error(p.error.message);
      p.value.maps.forEach((m, k) => expect(Array.from(m.raw)).toEqual(Array.from(r.value.maps[k].raw)));

      // a bad request and an undecodable image fail alone, with their codes
      const mixed = await pool.explain('squeezenet1.0', [
        { bytes: both, options: { classes: [5000] } },
        { bytes: new Uint8Array([1, 2, 3]), options: {} },
        { bytes: both, options: {} },
      ]);
      expect(mixed.map((m) => (m.ok ? 'ok' : m.error.code))).toEqual(['BAD_CLASS', 'BAD_IMAGE', 'ok']);

      // kill the worker with a job in flight: the job fails, a new worker takes the next one
      const slot = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0];
      const inFlight = pool.explain('squeezenet1.0', [{ bytes: both, options: { methods: ['scorecam'] } }]);
      await slot.worker.terminate();
      await expect(inFlight).rejects.toThrow(/engine worker exited/);
      const [again] = await pool.explain('squeezenet1.0', [{ bytes: both, options: {} }]);
      expect(again.ok).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
