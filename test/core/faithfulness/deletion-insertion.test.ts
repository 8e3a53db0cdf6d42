// Deletion and insertion against hand-worked curves of a two-pixel linear model, and the property
// the RISE paper relies on: for a linear model the true attribution (gradient × (input − substrate))
// gives the lowest deletion and the highest insertion AUC, better than random maps.
import { describe, expect, it } from 'vitest';
import { causalCurve, normalisedAuc } from '../../../packages/core/src/faithfulness/deletion-insertion.js';
import { blurChw, blurKernel, chwShape } from '../../../packages/core/src/faithfulness/perturb.js';
import { linearModel, sigmoid, uniform } from './linear-model.js';

const map = (width: number, height: number, values: ArrayLike<number>) => ({ width, height, values: Float32Array.from(values) });

describe('deletion/insertion on a two-pixel model', () => {
  // logit = 1·x0 + 2·x1, input [1, 2]: logit 5; the map ranks pixel 1 first
  const m = linearModel([1, 2]);
  const x = Float32Array.from([1, 2]);
  const shape = chwShape([1, 1, 2]);

  it('deletes pixel 1 then pixel 0 (step 1): logits 5, 1, 0', async () => {
    const d = await causalCurve(m.score, x, shape, map(2, 1, [0.2, 0.9]), 0, 'deletion', { step: 1 });
    expect(d.logits).toEqual([5, 1, 0]);
    const p = [0.9933071490757153, 0.7310585786300049, 0.5];
    d.scores.forEach((s, i) => expect(s).toBeCloseTo(p[i], 6));
    expect(d.auc).toBeCloseTo((p[0] / 2 + p[1] + p[2] / 2) / 2, 6); // 0.738856…
    expect(d.auc).toBeCloseTo(0.7388560765825, 6);
  });

  it('the default step (width × 8) removes both pixels at once', async () => {
    const d = await causalCurve(m.score, x, shape, map(2, 1, [0.2, 0.9]), 0, 'deletion');
    expect(d.logits).toEqual([5, 0]);
    expect(d.auc).toBeCloseTo((sigmoid(5) + 0.5) / 2, 6);
  });

  it('inserts into the reflect-101 blur: on a 1×2 row even taps read the pixel itself, odd taps the other', async () => {
    const k = blurKernel();
    const even = k[5] + 2 * (k[7] + k[9]);
    const odd = 2 * (k[6] + k[8] + k[10]);
    const b0 = even * 1 + odd * 2;
    const b1 = even * 2 + odd * 1;
    const ins = await causalCurve(m.score, x, shape, map(2, 1, [0.2, 0.9]), 0, 'insertion', { step: 1 });
    const want = [b0 + 2 * b1, b0 + 2 * 2, 5];
    ins.logits.forEach((l, i) => expect(l).toBeCloseTo(want[i], 5));
    expect(ins.auc).toBeCloseTo(normalisedAuc(want.map(sigmoid)), 6);
  });
});

describe('deletion/insertion on a linear model over a 16×16 image', () => {
  const shape = chwShape([1, 3, 16, 16]);
  const r = uniform(7);
  const n = 3 * 256;
  const w = Float32Array.from({ length: n }, () => (r() - 0.5) * 0.2);
  const x = Float32Array.from({ length: n }, () => r() * 2 - 1);
  const m = linearModel(w);
  /** Σ_c w_c (x_c − baseline_c) per pixel: the exact per-pixel effect on the logit. */
  const attribution = (baseline: Float32Array | null) => map(16, 16, Array.from({ length: 256 }, (_, p) => {
    let s = 0;
    for (let c = 0; c < 3; c++) s += w[c * 256 + p] * (x[c * 256 + p] - (baseline ? baseline[c * 256 + p] : 0));
    return s;
  }));
  const randomMaps = Array.from({ length: 5 }, (_, k) => {
    const rr = uniform(100 + k);
    return map(16, 16, Array.from({ length: 256 }, rr));
  });

  it('the true attribution has the lowest deletion AUC and the highest insertion AUC', async () => {
    const opts = { step: 8 };
    const del = await causalCurve(m.score, x, shape, attribution(null), 0, 'deletion', opts);
    const ins = await causalCurve(m.score, x, shape, attribution(blurChw(x, shape)), 0, 'insertion', opts);
    expect(del.scores).toHaveLength(33);
    for (const rm of randomMaps) {
      const d = await causalCurve(m.score, x, shape, rm, 0, 'deletion', opts);
      const i = await causalCurve(m.score, x, shape, rm, 0, 'insertion', opts);
      expect(del.auc).toBeLessThan(d.auc - 0.02);
      expect(ins.auc).toBeGreaterThan(i.auc + 0.02);
      // all curves share their end points: the input and the substrate
      expect(d.scores[0]).toBeCloseTo(del.scores[0], 6);
      expect(d.scores[32]).toBeCloseTo(del.scores[32], 6);
    }
  });

  it('gives the same curve whatever the batch size, in ⌈(n + 1)/batch⌉ model calls', async () => {
    const a = linearModel(w);
    const b = linearModel(w);
    const ca = await causalCurve(a.score, x, shape, randomMaps[0], 0, 'deletion', { step: 8, batchSize: 5 });
    const cb = await causalCurve(b.score, x, shape, randomMaps[0], 0, 'deletion', { step: 8, batchSize: 33 });
    expect(ca).toEqual(cb);
    expect(a.calls).toEqual([5, 5, 5, 5, 5, 5, 3]);
    expect(b.calls).toEqual([33]);
  });

  it('rejects a map of another size and a class the model does not have', async () => {
    await expect(causalCurve(m.score, x, shape, map(8, 8, new Float32Array(64)), 0, 'deletion')).rejects.toThrow(/8×8/);
    await expect(causalCurve(m.score, x, shape, randomMaps[0], 5, 'deletion')).rejects.toThrow(/class 5/);
  });
});
