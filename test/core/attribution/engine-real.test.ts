// Pixel attributions through the Explainer on the real manifest models: every method on every model
// (shapes, finite values, raw = Σ_c |attribution|, display map in [0, 1]); on SqueezeNet, the
// identities that tie the methods together: batched IG steps equal one-at-a-time steps, SmoothGrad
// without noise equals Saliency, the seed decides the noise, Guided Grad-CAM = Guided Backprop ×
// nearest-upsampled Grad-CAM.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer } from '../../../packages/core/src/engine.js';
import { parseManifest, findModel } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { attributionMethods } from '../../../packages/core/src/attribution/index.js';
import { upsampleNearest } from '../../../packages/core/src/attribution/upsample.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { closeness, ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
const classifiers = manifest.models.filter((m): m is ModelSpec => m.task === 'classification');
const labelsOf = (spec: ModelSpec) => (Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8')));
const cheap = { steps: 3, samples: 2 };

describe.skipIf(!existsSync(resolve(cache, 'fixtures')))('every pixel method on every model', () => {
  for (const spec of classifiers) {
    it(spec.id, async () => {
      const engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labelsOf(spec));
      try {
        const [, C, H, W] = engine.inputShape;
        const x = randn(C * H * W, rng(4), 1);
        const methods = attributionMethods.map((m) => m.id);
        const r = await engine.explain(x, { methods, topK: 2, attribution: cheap });
        expect(r.maps.map((m) => m.method)).toEqual(methods.flatMap((m) => [m, m]));
        for (const m of r.maps) {
          const a = m.attribution!;
          expect([a.channels, a.height, a.width, a.values.length], m.method).toEqual([C, H, W, C * H * W]);
          expect(a.values.every(Number.isFinite), m.method).toBe(true);
          expect([m.raw.width, m.raw.height, m.map.width, m.map.height]).toEqual([W, H, W, H]);
          const sum = new Float64Array(H * W);
          let smax = 0;
          for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) sum[p] += Math.abs(a.values[c * H * W + p]);
          for (const v of sum) smax = Math.max(smax, v);
          expect(closeness(m.raw.values, sum, 1e-6 * smax, 1e-5), m.method).toBeLessThanOrEqual(1);
          expect(m.map.values.every((v) => v >= 0 && v <= 1), m.method).toBe(true);
          expect(m.convergenceDelta !== undefined, m.method).toBe(m.method === 'integratedgradients');
        }
      } finally {
        await engine.release();
      }
    }, 120_000);
  }
});

const squeezenet = findModel(manifest, 'squeezenet1.0') as ModelSpec;
describe.skipIf(!existsSync(resolve(cache, squeezenet.file)))('identities between the pixel methods on SqueezeNet', () => {
  let engine: Explainer;
  let oneAtATime: Explainer;
  const x = randn(3 * 224 * 224, rng(8), 1);
  beforeAll(async () => {
    const bytes = readFileSync(resolve(cache, squeezenet.file));
    engine = await Explainer.create(ort, bytes, squeezenet, labelsOf(squeezenet), { batchSize: 5 });
    oneAtATime = await Explainer.create(ort, bytes, squeezenet, labelsOf(squeezenet), { batchSize: 1 });
  });
  afterAll(async () => {
    await engine.release();
    await oneAtATime.release();
  });
  const top = (values: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
    return m;
  };

  it('IG steps in batches of 5 (with a partial last batch) equal one step at a time, both rules', async () => {
    for (const integration of ['gausslegendre', 'riemann_trapezoid'] as const) {
      const o = { methods: ['integratedgradients'], classes: [3, 500], attribution: { steps: 12, integration } };
      const [a, b] = [await engine.explain(x, o), await oneAtATime.explain(x, o)];
      for (let k = 0; k < 2; k++) {
        const ref = b.maps[k].attribution!.values;
        expect(closeness(a.maps[k].attribution!.values, ref, 1e-5 * top(ref), 1e-4)).toBeLessThanOrEqual(1);
        expect(Math.abs(a.maps[k].convergenceDelta! - b.maps[k].convergenceDelta!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b.maps[k].convergenceDelta!)));
      }
    }
  }, 120_000);

  it('SmoothGrad with zero noise is Saliency; the seed decides the noise', async () => {
    const r = await engine.explain(x, { methods: ['saliency', 'smoothgrad'], topK: 1, attribution: { noise: 0, samples: 3 } });
    const ref = r.maps[0].attribution!.values;
    expect(closeness(r.maps[1].attribution!.values, ref, 1e-6 * top(ref), 1e-5)).toBeLessThanOrEqual(1);
    const sg = (seed: number) => engine.explain(x, { methods: ['smoothgrad'], topK: 1, attribution: { samples: 3, seed } });
    const [s1, s1b, s2] = [await sg(1), await sg(1), await sg(2)];
    expect(s1b.maps[0].attribution!.values).toEqual(s1.maps[0].attribution!.values);
    const d = closeness(s2.maps[0].attribution!.values, s1.maps[0].attribution!.values, 1e-3 * top(s1.maps[0].attribution!.values), 0);
    expect(d).toBeGreaterThan(1);
  }, 120_000);

  it('Guided Grad-CAM = Guided Backprop × the Grad-CAM raw map upsampled (nearest), per channel', async () => {
    const r = await engine.explain(x, { methods: ['guidedgradcam', 'guidedbackprop', 'gradcam'], topK: 2 });
    for (const k of r.predictions.slice(0, 2).map((p) => p.index)) {
      const get = (m: string) => r.maps.find((q) => q.method === m && q.classIndex === k)!;
      const cam = get('gradcam').raw;
      const up = upsampleNearest(cam.values, cam.width, cam.height, 224, 224);
      const gb = get('guidedbackprop').attribution!.values;
      const expected = gb.map((v, i) => v * up[i % (224 * 224)]);
      const got = get('guidedgradcam').attribution!.values;
      expect(top(expected)).toBeGreaterThan(0);
      expect(closeness(got, expected, 1e-6 * top(expected), 1e-5)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('guided backprop and deconvolution differ from the plain gradient (SqueezeNet has ReLUs)', async () => {
    const r = await engine.explain(x, { methods: ['saliency', 'guidedbackprop', 'deconvolution'], topK: 1 });
    const [s, g, d] = r.maps.map((m) => m.attribution!.values);
    // the variants pass different gradients back through every ReLU: neither equals |plain| nor the other
    expect(closeness(g.map(Math.abs), s, 1e-3 * top(s), 0)).toBeGreaterThan(1);
    expect(closeness(g, d, 1e-3 * top(d), 0)).toBeGreaterThan(1);
  }, 120_000);
});
