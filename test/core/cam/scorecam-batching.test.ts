// Score-CAM's batching: constant channels (mask of zeros) run once, the runtime's masking
// (forwardMaskedInputs) gives the maps of JS's masking, and the maps do not depend on the batch size.
import { describe, it, expect } from 'vitest';
import { getCamMethod } from '../../../packages/core/src/cam/registry.js';
import { resizeAlignCorners } from '../../../packages/core/src/cam/resize.js';
import { scoreCamMasks } from '../../../packages/core/src/cam/methods/scorecam.js';
import { expectClose, fakeContext } from './context.js';

// 3×3 activations, 5 channels: two varying, one dead (0), one constant 2, one varying; a 2-channel 5×5 input
const acts = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8],
  Array(9).fill(0),
  [3, 1, 4, 1, 5, 9, 2, 6, 5],
  Array(9).fill(2),
  [9, 8, 7, 6, 5, 4, 3, 2, 1],
];
const input = { channels: [Array.from({ length: 25 }, (_, i) => Math.sin(i) + 1.5), Array.from({ length: 25 }, (_, i) => Math.cos(i) - 0.2)], height: 5, width: 5 };
// class 0: weighted sum of the inputs; class 1: its centre pixels; class 2: a bias (what a zero input still scores)
const model = (x: Float32Array) => {
  let s = 0;
  x.forEach((v, i) => (s += v * ((i % 7) - 3)));
  return [s, x[12] + 2 * x[37], 0.5];
};
const init = (batchSize: number) => ({
  activations: acts, height: 3, width: 3, input, modelOnInput: model, numClasses: 3, batchSize,
  targets: [0, 1, 2].map((classIndex) => ({ classIndex, kind: 'logit' as const })),
});

describe('Score-CAM batching', () => {
  it('masks are resizeAlignCorners, min-max scaled, bit for bit', () => {
    const m = scoreCamMasks(fakeContext(init(16)));
    const up = resizeAlignCorners(Float32Array.from(acts.flat()), 5, 3, 3, 5, 5);
    for (let c = 0; c < 5; c++) {
      const u = up.subarray(c * 25, (c + 1) * 25);
      const lo = Math.min(...u);
      const d = Math.fround(Math.fround(Math.max(...u) - lo) + 1e-8);
      expect(Array.from(m.subarray(c * 25, (c + 1) * 25))).toEqual(Array.from(u, (v) => Math.fround(Math.fround(v - lo) / d)));
    }
  });

  it('runs the zero mask of constant channels once', async () => {
    const c = fakeContext(init(16));
    await getCamMethod('scorecam').compute(c);
    expect(c.calls).toEqual([4]); // 5 channels, the second constant one copies the first's logits
  });

  it('gives the same maps whatever the batch size, and with the runtime doing the masking', async () => {
    const reference = await getCamMethod('scorecam').compute(fakeContext(init(16)));
    for (const b of [1, 2, 3]) {
      const c = fakeContext(init(b));
      const maps = await getCamMethod('scorecam').compute(c);
      maps.forEach((m, k) => expect(Array.from(m)).toEqual(Array.from(reference[k])));
      expect(c.calls.reduce((a, n) => a + n, 0)).toBe(4);
      expect(Math.max(...c.calls)).toBeLessThanOrEqual(b);
    }
    // the runtime's masking: input [ch, H, W] times each mask [H, W]
    const c = fakeContext(init(2));
    const masked: number[] = [];
    c.forwardMaskedInputs = async (masks, n) => {
      masked.push(n);
      const x = c.input;
      const hw = 25;
      const batch = new Float32Array(n * x.length);
      for (let i = 0; i < n; i++) for (let ch = 0; ch < 2; ch++) for (let p = 0; p < hw; p++) batch[(i * 2 + ch) * hw + p] = x[ch * hw + p] * masks[i * hw + p];
      return c.forwardInputs(batch, n);
    };
    const viaRuntime = await getCamMethod('scorecam').compute(c);
    expect(masked).toEqual([2, 2]);
    viaRuntime.forEach((m, k) => expectClose(m, reference[k], 0));
  });
});
