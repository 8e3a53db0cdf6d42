// Score-CAM and Ablation-CAM with small JS "models", worked by hand.
import { describe, it, expect } from 'vitest';
import { getCamMethod } from '../../../packages/core/src/cam/registry.js';
import { scoreCamMasks } from '../../../packages/core/src/cam/methods/scorecam.js';
import { expectClose, fakeContext } from './context.js';

const sum = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0);

describe('Score-CAM', () => {
  // A0 = [1 2; 3 4], A1 = [1 1; 1 -1], a 1-channel 3×3 input of ones.
  // align_corners upsampling to 3×3: A0 → [1 1.5 2; 2 2.5 3; 3 3.5 4], A1 → [1 1 1; 1 .5 0; 1 0 -1];
  // min-max: M0 = (A0↑ − 1)/3 → sum 4.5, centre .5; M1 = (A1↑ + 1)/2 → sum 6.75, centre .75.
  const init = (batchSize: number) => ({
    activations: [[1, 2, 3, 4], [1, 1, 1, -1]], height: 2, width: 2,
    input: { channels: [Array(9).fill(1)], height: 3, width: 3 },
    // class 0: sum of the input; class 1: its centre pixel
    modelOnInput: (x: Float32Array) => [sum(x), x[4]],
    targets: [{ classIndex: 0, kind: 'logit' as const }, { classIndex: 1, kind: 'logit' as const }],
    batchSize,
  });

  it('masks are the upsampled, min-max scaled channels', () => {
    const m = scoreCamMasks(fakeContext(init(16)));
    expectClose(m.subarray(0, 9), [0, 1, 2, 2, 3, 4, 4, 5, 6].map((v) => v / 6), 1e-6);
    expectClose(m.subarray(9), [1, 1, 1, 1, 0.75, 0.5, 1, 0.5, 0], 1e-6);
  });

  it('weights the channels by the softmax of the masked scores, for every target', async () => {
    const c = fakeContext(init(16));
    const [cam0, cam1] = await getCamMethod('scorecam').compute(c);
    const w0 = 1 / (1 + Math.exp(6.75 - 4.5)); // softmax([4.5, 6.75])[0]
    expectClose(cam0, [1, 2, 3, 4].map((a, i) => w0 * a + (1 - w0) * [1, 1, 1, -1][i]), 1e-5);
    const v0 = 1 / (1 + Math.exp(0.75 - 0.5)); // softmax([.5, .75])[0]
    expectClose(cam1, [1, 2, 3, 4].map((a, i) => v0 * a + (1 - v0) * [1, 1, 1, -1][i]), 1e-5);
    expect(c.calls).toEqual([2]); // both targets from one batch of C masked inputs
  });

  it('gives the same maps whatever the batch size', async () => {
    const c = fakeContext(init(1));
    const a = await getCamMethod('scorecam').compute(c);
    const b = await getCamMethod('scorecam').compute(fakeContext(init(16)));
    expect(c.calls).toEqual([1, 1]);
    expectClose(a[0], b[0], 1e-7);
    expectClose(a[1], b[1], 1e-7);
  });

  it('scores probabilities for a probability target', async () => {
    const c = fakeContext({ ...init(16), targets: [{ classIndex: 1, kind: 'probability' as const }] });
    const [cam] = await getCamMethod('scorecam').compute(c);
    // p1 = σ(centre − sum): M0 → σ(.5 − 4.5), M1 → σ(.75 − 6.75)
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const s = [sig(0.5 - 4.5), sig(0.75 - 6.75)];
    const w0 = Math.exp(s[0]) / (Math.exp(s[0]) + Math.exp(s[1]));
    expectClose(cam, [1, 2, 3, 4].map((a, i) => w0 * a + (1 - w0) * [1, 1, 1, -1][i]), 1e-5);
  });
});

describe('Ablation-CAM', () => {
  it('zeroes each channel when the layer minimum is 0 and weights by the relative drop', async () => {
    // class 0 = Σ A; class 1 = A0[0] + 2·A1[3]. A0 = [1 2 3 4], A1 = [0 1 1 2].
    const c = fakeContext({
      activations: [[1, 2, 3, 4], [0, 1, 1, 2]], height: 2, width: 2,
      modelOnActivations: (a) => [sum(a), a[0] + 2 * a[7]],
      targets: [{ classIndex: 0, kind: 'logit' }, { classIndex: 1, kind: 'logit' }], batchSize: 1,
    });
    const [cam0, cam1] = await getCamMethod('ablationcam').compute(c);
    // class 0: score 14; without A0 → 4, without A1 → 10: w = [10/14, 4/14]
    expectClose(cam0, [1, 2, 3, 4].map((a, i) => (10 / 14) * a + (4 / 14) * [0, 1, 1, 2][i]), 1e-6);
    // class 1: score 1 + 4 = 5; without A0 → 4, without A1 → 1: w = [1/5, 4/5]
    expectClose(cam1, [1, 2, 3, 4].map((a, i) => 0.2 * a + 0.8 * [0, 1, 1, 2][i]), 1e-6);
    expect(c.calls).toEqual([1, 1]);
  });

  it('sets the channel to min − 1e7 when the layer has negative values', async () => {
    const c = fakeContext({
      activations: [[1, 2, 3, 4], [1, 1, 1, -1]], height: 2, width: 2,
      modelOnActivations: (a) => [sum(a), 0],
      targets: [{ classIndex: 0, kind: 'logit' }],
    });
    const [cam] = await getCamMethod('ablationcam').compute(c);
    const v = -1 - 1e7;
    const w = [(12 - (4 * v + 2)) / 12, (12 - (10 + 4 * v)) / 12];
    expectClose(cam, [1, 2, 3, 4].map((a, i) => w[0] * a + w[1] * [1, 1, 1, -1][i]), 1e-5);
  });
});
