// Pixel attributions of a linear model, score_c = W_c · x + b_c, against their closed forms: saliency
// |W_c|, input × gradient x ⊙ W_c, IG (zero baseline) x ⊙ W_c exactly with convergence delta 0
// (Gauss-Legendre is exact for a constant integrand), Captum's trapezoid (n − 1)/n of that,
// SmoothGrad |W_c| whatever the noise, guided backprop and deconvolution W_c (no ReLU to modify).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Explainer } from '../../../packages/core/src/engine.js';
import type { ClassMap } from '../../../packages/core/src/explain-types.js';
import { camMethods } from '../../../packages/core/src/cam/registry.js';
import { randn, rng } from '../../helpers/ort.js';
import { expectClose } from '../cam/context.js';
import { tinyEngine } from './tiny-engine.js';

const H = 2;
const Wd = 2;
const n = 3 * H * Wd;
const classes = 3;
const r = rng(5);
const weights = Array.from({ length: classes }, () => Array.from(randn(n, r, 1)));
const bias = [0.3, -0.2, 0.1];
const x = randn(n, rng(6), 1);
const score = (c: number, v: ArrayLike<number>) => bias[c] + weights[c].reduce((s, w, i) => s + w * v[i], 0);
const byClass = (maps: ClassMap[], method: string, c: number) => maps.find((m) => m.method === method && m.classIndex === c)!;

describe('pixel attributions of a linear model (closed forms)', () => {
  let engine: Explainer;
  beforeAll(async () => {
    engine = await tinyEngine({ height: H, width: Wd, body: 'Identity', weights, bias });
  });
  afterAll(() => engine.release());

  it('saliency is |W_c|, input × gradient x ⊙ W_c, guided backprop and deconvolution W_c, for every class', async () => {
    const r2 = await engine.explain(x, { methods: ['saliency', 'inputxgradient', 'guidedbackprop', 'deconvolution'], classes: [0, 1, 2] });
    for (let c = 0; c < classes; c++) {
      const Wc = weights[c];
      expectClose(byClass(r2.maps, 'saliency', c).attribution!.values, Wc.map(Math.abs), 1e-7);
      expectClose(byClass(r2.maps, 'inputxgradient', c).attribution!.values, Wc.map((w, i) => w * x[i]), 1e-6);
      expectClose(byClass(r2.maps, 'guidedbackprop', c).attribution!.values, Wc, 1e-7);
      expectClose(byClass(r2.maps, 'deconvolution', c).attribution!.values, Wc, 1e-7);
    }
  });

  it('the attribution is [C, H, W] in the input frame; raw = Σ_c |attribution|, map = its min-max', async () => {
    const [m] = (await engine.explain(x, { methods: ['inputxgradient'], classes: [1] })).maps;
    expect([m.attribution!.channels, m.attribution!.height, m.attribution!.width]).toEqual([3, H, Wd]);
    const hw = H * Wd;
    const raw = Array.from({ length: hw }, (_, p) => [0, 1, 2].reduce((s, c) => s + Math.abs(weights[1][c * hw + p] * x[c * hw + p]), 0));
    expect([m.raw.width, m.raw.height, m.map.width, m.map.height]).toEqual([Wd, H, Wd, H]);
    expectClose(m.raw.values, raw, 1e-6);
    const lo = Math.min(...raw);
    const hi = Math.max(...raw);
    expectClose(m.map.values, raw.map((v) => (v - lo) / (hi - lo)), 1e-5);
    expect(m.convergenceDelta).toBeUndefined();
  });

  for (const steps of [1, 7, 50]) {
    it(`Integrated Gradients (Gauss-Legendre, ${steps} steps) is x ⊙ W_c exactly, convergence delta 0`, async () => {
      const res = await engine.explain(x, { methods: ['integratedgradients'], classes: [0, 2], attribution: { steps } });
      for (const c of [0, 2]) {
        const m = byClass(res.maps, 'integratedgradients', c);
        const exact = weights[c].map((w, i) => w * x[i]);
        expectClose(m.attribution!.values, exact, 2e-6);
        // Σ attribution = score(x) − score(0)
        expect(Math.abs(m.convergenceDelta!)).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(score(c, x) - score(c, new Float32Array(n)))).toBeGreaterThan(0.1);
      }
    });
  }

  it("Integrated Gradients with Captum's riemann_trapezoid is (n − 1)/n of x ⊙ W_c, delta −(score(x) − score(0))/n", async () => {
    const steps = 50;
    const res = await engine.explain(x, { methods: ['integratedgradients'], classes: [1], attribution: { steps, integration: 'riemann_trapezoid' } });
    const m = res.maps[0];
    expectClose(m.attribution!.values, weights[1].map((w, i) => ((steps - 1) / steps) * w * x[i]), 2e-6);
    const diff = score(1, x) - score(1, new Float32Array(n));
    expect(m.convergenceDelta!).toBeCloseTo(-diff / steps, 5);
  });

  it('SmoothGrad is |W_c| whatever the noise and the seed; the same with any batch size', async () => {
    for (const attribution of [{}, { noise: 1, seed: 3, samples: 5 }, { noise: 0, samples: 2 }]) {
      const [m] = (await engine.explain(x, { methods: ['smoothgrad'], classes: [2], attribution })).maps;
      expectClose(m.attribution!.values, weights[2].map(Math.abs), 1e-6);
    }
  });

  it('Guided Grad-CAM at a layer equal to the input: W_c[c, p] · relu(Σ_c mean(W_c[c]) · x[c, p])', async () => {
    const res = await engine.explain(x, { methods: ['guidedgradcam'], classes: [0, 1, 2] });
    const hw = H * Wd;
    let positive = 0;
    for (let k = 0; k < classes; k++) {
      const Wk = weights[k];
      const mean = [0, 1, 2].map((c) => Wk.slice(c * hw, (c + 1) * hw).reduce((a, b) => a + b, 0) / hw);
      const cam = Array.from({ length: hw }, (_, p) => Math.max(0, [0, 1, 2].reduce((s, c) => s + mean[c] * x[c * hw + p], 0)));
      positive += cam.filter((v) => v > 0).length;
      expectClose(byClass(res.maps, 'guidedgradcam', k).attribution!.values, Wk.map((w, i) => w * cam[i % hw]), 1e-6);
    }
    // the relu both cut and kept something
    expect(positive).toBeGreaterThan(0);
    expect(positive).toBeLessThan(classes * hw);
  });

  it('a probability target differentiates p_c: saliency |p_c (W_c − Σ_j p_j W_j)|; IG sums to p_c(x) − p_c(0)', async () => {
    const logits = [0, 1, 2].map((c) => score(c, x));
    const e = logits.map((l) => Math.exp(l - Math.max(...logits)));
    const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
    const res = await engine.explain(x, { methods: ['saliency', 'integratedgradients'], classes: [1], target: 'probability' });
    const expected = weights[1].map((w, i) => Math.abs(p[1] * (w - [0, 1, 2].reduce((s, j) => s + p[j] * weights[j][i], 0))));
    expectClose(byClass(res.maps, 'saliency', 1).attribution!.values, expected, 1e-6);
    const ig = byClass(res.maps, 'integratedgradients', 1);
    const l0 = bias;
    const e0 = l0.map((l) => Math.exp(l - Math.max(...l0)));
    const p0 = e0[1] / e0.reduce((a, b) => a + b, 0);
    const sum = ig.attribution!.values.reduce((a, b) => a + b, 0);
    // a smooth path integrand: 50 Gauss-Legendre points leave only float32 rounding
    expect(Math.abs(sum - (p[1] - p0))).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(ig.convergenceDelta!)).toBeLessThanOrEqual(1e-5);
  });

  it('bad attribution options are typed errors before anything runs', async () => {
    await expect(engine.explain(x, { methods: ['integratedgradients'], attribution: { steps: 0 } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.explain(x, { methods: ['smoothgrad'], attribution: { samples: 1.5 } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.explain(x, { methods: ['smoothgrad'], attribution: { noise: -1 } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.explain(x, { methods: ['integratedgradients'], attribution: { steps: 1, integration: 'riemann_trapezoid' } }))
      .rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('every method states its passes: one gradient row per target, IG and SmoothGrad one per step or sample', () => {
    const get = (id: string) => camMethods.find((m) => m.id === id)!;
    const o = { targets: 2, layerChannels: 512 };
    expect(get('saliency').passes(o)).toEqual({ forward: 0, headForward: 0, headBackward: 0, inputBackward: 2 });
    expect(get('integratedgradients').passes(o)).toEqual({ forward: 1, headForward: 0, headBackward: 0, inputBackward: 100 });
    expect(get('integratedgradients').passes({ ...o, attribution: { steps: 8 } }).inputBackward).toBe(16);
    expect(get('smoothgrad').passes({ ...o, attribution: { samples: 10 } }).inputBackward).toBe(20);
    expect(get('guidedgradcam').passes(o)).toEqual({ forward: 0, headForward: 0, headBackward: 2, inputBackward: 2 });
    expect(get('gradcam').passes(o)).toEqual({ forward: 0, headForward: 0, headBackward: 2, inputBackward: 0 });
    expect(get('scorecam').passes(o)).toEqual({ forward: 512, headForward: 0, headBackward: 0, inputBackward: 0 });
    expect(get('ablationcam').passes(o)).toEqual({ forward: 0, headForward: 512, headBackward: 0, inputBackward: 0 });
    expect(get('eigencam').passes(o)).toEqual({ forward: 0, headForward: 0, headBackward: 0, inputBackward: 0 });
    for (const m of camMethods) expect(m.cost === 'gradient-input').toBe(m.kind === 'attribution');
  });
});
