// Pixel attributions through the API: explain computes them like the CAMs, a heatmap holds the
// channel-summed |attribution| at the model's input resolution (what core's ClassMap.raw is for these
// methods) and the signed [C, H, W] attribution, stored as scaled float16 and equal to the engine's own
// run here to that precision; IG's and SmoothGrad's options key the stored explanation, are checked
// against the named limits (BAD_ATTRIBUTION_OPTION) and counted by the query cost (QUERY_TOO_COMPLEX);
// IG's convergence delta comes back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { applyColormap, Explainer, preprocess, renderedAttribution } from '../../packages/core/src/index.js';
import { loadManifestModel } from '../../packages/api/src/models/loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const photo = readFileSync(resolve(root, '../shared/data/images/dog.jpg'));
const db = testDatabases().find((d) => !d.skipReason)!;

/** The documented precision of a stored attribution value (scaled float16, storage/raw-map.ts). */
const valueBound = (v: number, scale: number) => 2 ** -11 * Math.abs(v) + 2 ** -25 * scale + 2 ** -23 * Math.abs(v);
/** Of a raw map (Σ_c |attribution| of the stored values), relative to its maximum. */
const RAW_RTOL_OF_MAX = 2 ** -11 + 2 ** -21;
const maxOf = (a: ArrayLike<number>) => Array.prototype.reduce.call(a, (m: number, v: number) => Math.max(m, Math.abs(v)), 0) as number;

describe('pixel attributions through the API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0' });
  }, 120_000);
  afterAll(() => s?.close());

  it('explains with saliency and input × gradient: raw maps at the input resolution, equal to the engine', async () => {
    const r = await s.gql('mutation($d: String!) { explain(input: { image: $d, methods: ["saliency", "inputxgradient"] }) { heatmaps { method classIndex width height raw png(size: 112) } } }', { d: photo.toString('base64') });
    expect(r.errors).toBeUndefined();
    const heatmaps = r.data!.explain.heatmaps;
    expect(heatmaps.map((h: { method: string }) => h.method)).toEqual(['saliency', 'inputxgradient']);
    const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
    const engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
    try {
      const want = await engine.explain(preprocess((await decodeImage(photo, 1e8)).image, m.spec.input), { methods: ['saliency', 'inputxgradient'] });
      heatmaps.forEach((h: { method: string; classIndex: number; width: number; height: number; raw: number[]; png: string }, i: number) => {
        const w = want.maps[i];
        expect([h.method, h.classIndex, h.width, h.height]).toEqual([w.method, w.classIndex, 224, 224]);
        const max = maxOf(w.raw.values);
        const worst = h.raw.reduce((a, v, k) => Math.max(a, Math.abs(v - w.raw.values[k])), 0);
        expect(worst / max).toBeLessThanOrEqual(RAW_RTOL_OF_MAX);
        expect(h.png).toMatch(/^data:image\/png;base64,/);
      });
    } finally {
      await engine.release();
    }
  }, 180_000);

  it('IG: the attribution and convergence delta of the engine, keyed by steps and rule; SmoothGrad by samples, noise and seed', async () => {
    const Q = `mutation($d: String!, $a: AttributionInput, $m: [String!]) {
      explain(input: { image: $d, methods: $m, attribution: $a }) {
        id cached attributionOptions { steps integration samples noise seed }
        heatmaps { method classIndex width height raw convergenceDelta attribution { channels width height scale values } }
      }
    }`;
    const d = photo.toString('base64');
    const ig = (a: Record<string, unknown>) => s.gql(Q, { d, a, m: ['integratedgradients'] });
    const first = await ig({ steps: 8 });
    expect(first.errors).toBeUndefined();
    const e8 = first.data!.explain;
    expect(e8.cached).toBe(false);
    expect(e8.attributionOptions).toEqual({ steps: 8, integration: 'GAUSS_LEGENDRE', samples: null, noise: null, seed: null });
    const h = e8.heatmaps[0];
    const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
    const engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
    try {
      const x = preprocess((await decodeImage(photo, 1e8)).image, m.spec.input);
      const want = (await engine.explain(x, { methods: ['integratedgradients'], attribution: { steps: 8 } })).maps[0];
      expect([h.classIndex, h.attribution.channels, h.attribution.width, h.attribution.height]).toEqual([want.classIndex, 3, 224, 224]);
      const scale = maxOf(want.attribution!.values);
      expect(Math.abs(h.attribution.scale - scale)).toBeLessThanOrEqual(1e-6 * scale);
      let worst = 0;
      want.attribution!.values.forEach((v, i) => {
        const err = Math.abs(h.attribution.values[i] - v);
        if (err > valueBound(v, scale) + 1e-6 * scale) throw new Error(`value ${i}: ${h.attribution.values[i]} against the engine's ${v}`);
        worst = Math.max(worst, err / scale);
      });
      // the delta is the engine's float64 number, not quantised
      expect(Math.abs(h.convergenceDelta - want.convergenceDelta!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want.convergenceDelta!)));
      // raw is the channel sum of the values returned
      const sum = new Float32Array(224 * 224);
      for (let c = 0; c < 3; c++) for (let i = 0; i < sum.length; i++) sum[i] += Math.abs(h.attribution.values[c * sum.length + i]);
      expect(h.raw.every((v: number, i: number) => v === sum[i])).toBe(true);
      console.log(`IG (8 steps) through the API: values within ${worst.toExponential(2)} of the scale of the engine's, delta ${h.convergenceDelta} (engine ${want.convergenceDelta})`);
    } finally {
      await engine.release();
    }
    // the same options: the stored explanation; other steps or another rule: another one
    const again = (await ig({ steps: 8, integration: 'GAUSS_LEGENDRE' })).data!.explain;
    expect([again.id, again.cached]).toEqual([e8.id, true]);
    const e16 = (await ig({ steps: 16 })).data!.explain;
    expect(e16.cached).toBe(false);
    expect(e16.id).not.toBe(e8.id);
    expect(e16.heatmaps[0].convergenceDelta).not.toBe(h.convergenceDelta);
    const trap = (await ig({ steps: 8, integration: 'RIEMANN_TRAPEZOID' })).data!.explain;
    expect(trap.id).not.toBe(e8.id);
    expect(trap.attributionOptions.integration).toBe('RIEMANN_TRAPEZOID');
    // options no requested method reads do not key anything: a CAM request with them is the stored one
    const plain = (await s.gql(Q, { d, m: ['gradcam', 'saliency'] })).data!.explain;
    const withOptions = (await s.gql(Q, { d, m: ['gradcam', 'saliency'], a: { steps: 9, samples: 3 } })).data!.explain;
    expect([withOptions.id, withOptions.cached]).toEqual([plain.id, true]);
    expect(plain.attributionOptions).toBeNull();
    expect(plain.heatmaps.map((x: { attribution: unknown; convergenceDelta: unknown }) => [x.attribution === null, x.convergenceDelta])).toEqual([[true, null], [false, null]]);
    // SmoothGrad: the seed keys it too
    const sg = (seed: number) => s.gql(Q, { d, m: ['smoothgrad'], a: { samples: 4, seed } }).then((r) => r.data!.explain);
    const [s1, s2] = [await sg(1), await sg(2)];
    expect(s1.attributionOptions).toEqual({ steps: null, integration: null, samples: 4, noise: 0.15, seed: 1 });
    expect(s2.id).not.toBe(s1.id);
    expect(s2.heatmaps[0].raw).not.toEqual(s1.heatmaps[0].raw);
    expect((await sg(1)).id).toBe(s1.id);
  }, 300_000);

  it('draws a pixel map\'s PNG clipped at its 99th percentile in inferno unless a colormap is named (CAMs: min-max, jet)', async () => {
    const square = readFileSync(resolve(root, '../shared/data/images/both.png')); // 224 × 224: the PNG is the model's grid
    const r = await s.gql(`mutation($d: String!) { explain(input: { image: $d, methods: ["saliency"] }) {
      heatmaps { width height raw png(size: 224) jet: png(size: 224, colormap: JET) } } }`, { d: square.toString('base64') });
    expect(r.errors).toBeUndefined();
    const h = r.data!.explain.heatmaps[0];
    const pixels = async (url: string) => new Uint8Array((await sharp(Buffer.from(url.split(',')[1], 'base64')).raw().toBuffer({ resolveWithObject: true })).data);
    const shown = renderedAttribution({ width: 224, height: 224, values: Float32Array.from(h.raw) });
    for (const [url, name] of [[h.png, 'inferno'], [h.jet, 'jet']] as const) {
      const got = await pixels(url);
      const want = applyColormap(shown, name);
      expect(got.length).toBe(want.length);
      let worst = 0;
      got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]))));
      expect(worst).toBe(0);
    }
  }, 120_000);

  it('refuses options beyond the named limits (BAD_ATTRIBUTION_OPTION) and 10^6 steps by the query cost, storing nothing', async () => {
    const count = async () => (await s.gql('{ explanations(first: 1) { totalCount } }')).data!.explanations.totalCount;
    const before = await count();
    const Q = 'mutation($d: String!, $a: AttributionInput, $m: [String!]) { explain(input: { image: $d, methods: $m, attribution: $a }) { id } }';
    const d = photo.toString('base64');
    const over = await s.gql(Q, { d, m: ['integratedgradients'], a: { steps: 501 } });
    expect(over.status).toBe(400);
    expect(over.errors![0].extensions).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'steps', limit: 500, setting: 'SALIENCY_MAX_IG_STEPS' });
    const samples = await s.gql(Q, { d, m: ['smoothgrad'], a: { samples: 600 } });
    expect(samples.errors![0].extensions).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'samples', limit: 500 });
    const noise = await s.gql(Q, { d, m: ['smoothgrad'], a: { noise: -1 } });
    expect(noise.errors![0].extensions).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'noise' });
    const trap = await s.gql(Q, { d, m: ['integratedgradients'], a: { steps: 1, integration: 'RIEMANN_TRAPEZOID' } });
    expect(trap.errors![0].extensions).toMatchObject({ code: 'BAD_ATTRIBUTION_OPTION', option: 'steps' });
    // a cheap-looking query asking for 10^6 steps: 3 units a step, over SALIENCY_MAX_QUERY_COST before anything runs
    const huge = await s.gql(Q, { d, m: ['integratedgradients'], a: { steps: 1_000_000 } });
    expect(huge.status).toBe(400);
    expect(huge.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    // 400 steps of top-5: under the step limit, but 6,000 units
    const wide = await s.gql('mutation($d: String!) { explain(input: { image: $d, methods: ["integratedgradients"], topK: 5, attribution: { steps: 400 } }) { id } }', { d });
    expect(wide.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(await count()).toBe(before);
  }, 120_000);
});
