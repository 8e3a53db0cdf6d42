// The gradient-based CAM methods on a hand-worked 2-channel 2×2 case (values worked out on paper
// from the formulas of pytorch-grad-cam 1.5.5).
import { describe, it, expect } from 'vitest';
import { getCamMethod } from '../../../packages/core/src/cam/registry.js';
import { expectClose, fakeContext } from './context.js';

// A0 = [1 2; 3 4], A1 = [1 1; 1 -1]; dScore/dA: G0 = [.5 -.5; 1 0], G1 = [2 0; 0 -2]
const activations = [[1, 2, 3, 4], [1, 1, 1, -1]];
const gradients = [[[0.5, -0.5, 1, 0], [2, 0, 0, -2]]];
const ctx = () => fakeContext({ activations, gradients, height: 2, width: 2, targets: [{ classIndex: 0, kind: 'logit' }] });

const cases: Record<string, number[]> = {
  // w = mean(G) = [0.25, 0] → 0.25·A0
  gradcam: [0.25, 0.5, 0.75, 1],
  // Σ_c G⊙A = [.5 -1 3 0] + [2 0 0 2]
  hirescam: [2.5, -1, 3, 2],
  // Σ_c relu(G⊙A) = [.5 0 3 0] + [2 0 0 2]
  'gradcam-elementwise': [2.5, 0, 3, 2],
  // Σ_c relu(G)⊙A = [.5 0 3 0] + [2 0 0 0]
  layercam: [2.5, 0, 3, 0],
  // w_c = Σ G·A / Σ A = [2.5/10, 4/2] → 0.25·A0 + 2·A1
  xgradcam: [2.25, 2.5, 2.75, -1],
  // α = g²/(2g² + ΣA·g³): channel 0: g=.5 → .25/1.75, g=1 → 1/12, w0 = Σ α·g = 1/14 + 1/12 = 13/84;
  // channel 1: g=2 → 4/(8+2·8) = 1/6, w1 = 2/6 = 1/3 (negative g count 0)
  'gradcam++': [41 / 84, 54 / 84, 67 / 84, 24 / 84],
};

describe('gradient CAM methods, hand-worked', () => {
  for (const [id, expected] of Object.entries(cases)) {
    it(id, async () => {
      const [cam] = await getCamMethod(id).compute(ctx());
      expectClose(cam, expected, 1e-5);
    });
  }

  it('give one map per target, each from its own gradients', async () => {
    const c = fakeContext({
      activations, height: 2, width: 2,
      gradients: [gradients[0], [[0, 0, 0, 0], [1, 1, 1, 1]]],
      targets: [{ classIndex: 0, kind: 'logit' }, { classIndex: 1, kind: 'logit' }],
    });
    const maps = await getCamMethod('gradcam').compute(c);
    expect(maps).toHaveLength(2);
    expectClose(maps[0], [0.25, 0.5, 0.75, 1], 1e-6);
    expectClose(maps[1], activations[1], 1e-6); // w = [0, 1]
  });

  it('fail clearly when the gradients are missing', async () => {
    const c = fakeContext({ activations, height: 2, width: 2, targets: [{ classIndex: 0, kind: 'logit' }] });
    await expect(getCamMethod('gradcam').compute(c)).rejects.toThrow(/needs gradients/);
  });
});
