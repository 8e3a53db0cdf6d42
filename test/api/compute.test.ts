// The API's compute layer on its own: the fair queue (micro-batches, round-robin over clients,
// heavy lanes, per-client admission — each checked by the order batches start in, no clock), the
// pixel gate, and the engine workers (results equal the engine in-process; a dead worker fails its
// jobs and is replaced).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer, findModel, parseLabels, parseManifest, resizeForModel, toTensor } from '../../packages/core/src/index.js';
import { ClientBusyError, FairQueue } from '../../packages/api/src/compute/fair-queue.js';
import { PixelGate } from '../../packages/api/src/compute/pixel-gate.js';
import { WorkerPool } from '../../packages/api/src/compute/worker-pool.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { ort } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');

/** A runner whose batches finish only when the test says so; it records what ran, in order. */
function controlled() {
  const started: { group: string; items: string[]; heavy: boolean; finish: () => void }[] = [];
  const run = (group: string, items: string[], heavy: boolean) => new Promise<PromiseSettledResult<string>[]>((resolve) => {
    started.push({ group, items, heavy, finish: () => resolve(items.map((x) => ({ status: 'fulfilled', value: x.toUpperCase() }))) });
  });
  return { started, run };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Fill `n` lanes with one-request batches of their own (one event-loop turn each). */
async function occupy(q: FairQueue<string, string>, n: number): Promise<Promise<string>[]> {
  const out: Promise<string>[] = [];
  for (let i = 0; i < n; i++) {
    out.push(q.submit({ client: `busy${i}`, group: 'm', units: 1, request: `z${i}` }));
    await tick();
  }
  return out;
}
const OPTIONS = { maxBatch: 4, windowMs: 0, lanes: 2, heavyLanes: 1, heavyUnits: 10, clientMaxUnits: 100 };

describe('FairQueue', () => {
  it('micro-batches what waits together: up to maxBatch requests of one group, failures per request', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new FairQueue<number, number>(async (_g, xs) => {
      sizes.push(xs.length);
      if (sizes.length === 1) await gate;
      return xs.map((x) => (x < 0 ? { status: 'rejected', reason: new Error(`bad ${x}`) } : { status: 'fulfilled', value: 2 * x }));
    }, { ...OPTIONS, lanes: 2, heavyLanes: 1 });
    const first = q.submit({ client: 'a', group: 'm', units: 1, request: 1 });
    const second = q.submit({ client: 'b', group: 'm', units: 1, request: 8 });
    await tick(); // both arrived in one turn of the event loop: one batch of two
    const rest = [2, 3, -4, 5, 6, 7].map((x, i) => q.submit({ client: `c${i}`, group: 'm', units: 1, request: x }).catch((e: Error) => e.message));
    release();
    expect(await first).toBe(2);
    expect(await second).toBe(16);
    expect(await Promise.all(rest)).toEqual([4, 6, 'bad -4', 10, 12, 14]);
    expect(sizes[0]).toBe(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it('forms batches round-robin over clients: a client with many requests does not go first', async () => {
    const { started, run } = controlled();
    const q = new FairQueue<string, string>(run, { ...OPTIONS, lanes: 2, heavyLanes: 1, maxBatch: 3 });
    // both lanes busy with one request each, then a flood from "bulk" and two from others
    const busy = await occupy(q, 2);
    const flood = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((r) => q.submit({ client: 'bulk', group: 'm', units: 1, request: r }));
    const others = [q.submit({ client: 'u', group: 'm', units: 1, request: 'u1' }), q.submit({ client: 'v', group: 'm', units: 1, request: 'v1' })];
    started[0].finish();
    await busy[0];
    await tick();
    // one request per client per round: bulk's first, then u's, then v's
    expect(started[2].items).toEqual(['b1', 'u1', 'v1']);
    started[1].finish();
    started[2].finish();
    await Promise.all([...others, busy[1]]);
    await tick();
    expect(started[3].items).toEqual(['b2', 'b3', 'b4']);
    started[3].finish();
    await tick();
    started[4].finish();
    expect(await Promise.all(flood)).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6']);
  });

  it('a heavy request runs alone on a heavy lane (its own worker); light requests never wait for it', async () => {
    const { started, run } = controlled();
    const q = new FairQueue<string, string>(run, { ...OPTIONS, clientMaxUnits: 1000 }); // 2 light lanes, 1 heavy
    const heavy = ['h1', 'h2', 'h3'].map((r) => q.submit({ client: 'heavy', group: 'm', units: 50, request: r }));
    await tick();
    expect(started.map((b) => [b.items, b.heavy])).toEqual([[['h1'], true]]);
    // light requests from another client start at once, batch after batch, while h1 still runs
    for (let i = 0; i < 5; i++) {
      const light = q.submit({ client: 'light', group: 'm', units: 2, request: `l${i}` });
      await tick();
      expect(started[started.length - 1].items).toEqual([`l${i}`]);
      expect(started[started.length - 1].heavy).toBe(false);
      started[started.length - 1].finish();
      expect(await light).toBe(`L${i}`);
    }
    expect(started.filter((b) => b.items[0].startsWith('h'))).toHaveLength(1); // h2 waits for the heavy lane
    started[0].finish();
    await tick();
    expect(started[started.length - 1].items).toEqual(['h2']);
    expect(q.stats.heavyBatches).toBe(2);
    started[started.length - 1].finish();
    await tick();
    started[started.length - 1].finish();
    expect(await Promise.all(heavy)).toEqual(['H1', 'H2', 'H3']);
  });

  it('a light batch holds at most heavyUnits work units and one group', async () => {
    const { started, run } = controlled();
    const q = new FairQueue<string, string>(run, { ...OPTIONS, lanes: 3, heavyLanes: 1, maxBatch: 8 });
    const busy = await occupy(q, 3);
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((r, i) => q.submit({ client: `c${i}`, group: 'm', units: 4, request: r })),
      q.submit({ client: 'other-model', group: 'n', units: 1, request: 'n1' }),
    ];
    started[0].finish();
    await busy[0];
    await tick();
    // 4 + 4 ≤ 10 < 4 + 4 + 4: two of the four-unit requests, and not the other model's
    expect(started[3].items).toEqual(['a1', 'a2']);
    for (const b of started.slice(1)) b.finish();
    await tick();
    while (started.some((b) => !('done' in b))) {
      for (const b of started) if (!('done' in b)) { b.finish(); Object.assign(b, { done: true }); }
      await tick();
    }
    expect(await Promise.all(all)).toEqual(['A1', 'A2', 'A3', 'A4', 'N1']);
    expect(started.every((b) => new Set(b.items.map((x) => x[0])).size === 1)).toBe(true);
  });

  it('bounds the work a client has admitted: beyond clientMaxUnits it is refused with a retry time, others are not', async () => {
    const { started, run } = controlled();
    const q = new FairQueue<string, string>(run, OPTIONS); // 100 units per client
    const admitted = [q.submit({ client: 'greedy', group: 'm', units: 60, request: 'g1' }), q.submit({ client: 'greedy', group: 'm', units: 40, request: 'g2' })];
    expect(q.admittedUnits('greedy')).toBe(100);
    const refused = await q.submit({ client: 'greedy', group: 'm', units: 1, request: 'g3' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClientBusyError);
    expect((refused as ClientBusyError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(q.stats.refused).toBe(1);
    // another client is admitted meanwhile; a single request above the limit is admitted when nothing else is
    const polite = q.submit({ client: 'polite', group: 'm', units: 500, request: 'p1' });
    expect(q.admittedUnits('polite')).toBe(500);
    await tick();
    while (started.length < 3) {
      for (const b of started) if (!('done' in b)) { b.finish(); Object.assign(b, { done: true }); }
      await tick();
    }
    for (const b of started) if (!('done' in b)) b.finish();
    expect(await Promise.all([...admitted, polite])).toEqual(['G1', 'G2', 'P1']);
    expect(q.admittedUnits('greedy')).toBe(0);
  });
});

describe('PixelGate', () => {
  it('holds at most its capacity in pixels, first come first served; a larger request runs alone', async () => {
    const gate = new PixelGate(100);
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const job = (name: string, pixels: number) => gate.run(pixels, () => new Promise<void>((r) => {
      order.push(name);
      releases.set(name, r);
    }));
    const jobs = [job('a', 60), job('b', 60), job('c', 10), job('huge', 1000)];
    await tick();
    expect(order).toEqual(['a']); // b does not fit; c waits behind b (no overtaking)
    expect(gate.held).toBe(60);
    releases.get('a')!();
    await tick();
    expect(order).toEqual(['a', 'b', 'c']);
    releases.get('b')!();
    releases.get('c')!();
    await tick();
    expect(order).toEqual(['a', 'b', 'c', 'huge']);
    expect(gate.held).toBe(100);
    releases.get('huge')!();
    await Promise.all(jobs);
    expect(gate.held).toBe(0);
    expect(gate.peak).toBe(100);
  });
});

describe('WorkerPool', () => {
  const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
  const spec = findModel(manifest, 'squeezenet1.0');
  const config = { modelsDir: resolve(root, 'models'), executionProvider: 'cpu' as const, perturbationBatchSize: 16, intraOpThreads: 0, maxImagePixels: 1e8, decodePixels: 4e7 };
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
      // the worker sends back the image as the model saw it (overlays need no second decode)
      expect(Buffer.from(r.value.view.data).equals(Buffer.from(resizeForModel((await decodeImage(both, 1e8)).image, spec.input).data))).toBe(true);

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
