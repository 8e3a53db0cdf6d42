// EigenCAM, EigenGradCAM and eigen_smooth: the first principal component, worked by hand.
import { describe, it, expect } from 'vitest';
import { getCamMethod } from '../../../packages/core/src/cam/registry.js';
import { project2d } from '../../../packages/core/src/cam/projection.js';
import { expectClose, fakeContext } from './context.js';

// A0 = [1 2 3 4], A1 = [1 1 1 -1]. Centred columns: x0 = [-1.5 -.5 .5 1.5], x1 = [.5 .5 .5 -1.5].
// XᵀX = [[5, -3], [-3, 3]]: λ₁ = 4 + √10, v₁ ∝ [3, 5 − λ₁]; projection X·v₁.
function expectedProjection(): number[] {
  const l1 = 4 + Math.sqrt(10);
  const v = [3, 5 - l1];
  const nv = Math.hypot(v[0], v[1]);
  const x0 = [-1.5, -0.5, 0.5, 1.5];
  const x1 = [0.5, 0.5, 0.5, -1.5];
  const p = x0.map((a, i) => (a * v[0] + x1[i] * v[1]) / nv);
  // oriented to agree with the channel sum [2 3 4 3]
  const agree = p.reduce((s, q, i) => s + q * [2, 3, 4, 3][i], 0);
  return agree < 0 ? p.map((q) => -q) : p;
}

describe('2-D projection (get_2d_projection)', () => {
  it('is the first principal component, σ₁·u₁', () => {
    const got = project2d(Float32Array.from([1, 2, 3, 4, 1, 1, 1, -1]), 2, 4);
    const exp = expectedProjection();
    expectClose(got, exp, 1e-5);
    // its squared norm is the top eigenvalue of XᵀX
    expect(got.reduce((s, q) => s + q * q, 0)).toBeCloseTo(4 + Math.sqrt(10), 4);
  });

  it('agrees with the channel sum in sign, whichever sign the SVD returns', () => {
    const negated = project2d(Float32Array.from([-1, -2, -3, -4, -1, -1, -1, 1]), 2, 4);
    const sum = [-2, -3, -4, -3];
    expect(negated.reduce((s, q, i) => s + q * sum[i], 0)).toBeGreaterThan(0);
  });

  it('works with more positions than channels and the other way round', () => {
    // rank-1 tensor: every channel is a multiple of one pattern → the projection is that pattern (centred) times a norm
    const pattern = [0, 1, 4, 2, 3, 0];
    const scales = [1, -2, 0.5];
    const t = Float32Array.from(scales.flatMap((s) => pattern.map((q) => s * q)));
    const got = project2d(t, 3, 6);
    const mean = pattern.reduce((a, b) => a + b) / 6;
    const norm = Math.hypot(...scales);
    const centred = pattern.map((q) => q - mean);
    const sign = Math.sign(got[2]) * Math.sign(centred[2]);
    expectClose(got, centred.map((q) => sign * norm * q), 1e-5);
    const wide = project2d(Float32Array.from([1, 2, 3, 5, 1, 0, 2, 2, 7, 1, 2, 3]), 6, 2);
    expect(wide).toHaveLength(2);
    expect(wide[0]).toBeCloseTo(-wide[1], 5); // two positions: centred values are ± each other
  });

  it('treats NaN as 0 and a single position as an empty component', () => {
    expectClose(project2d(Float32Array.from([NaN, 2, 0, 2]), 2, 2), project2d(Float32Array.from([0, 2, 0, 2]), 2, 2), 1e-7);
    expectClose(project2d(Float32Array.from([3, 4]), 2, 1), [0], 0);
  });
});

describe('eigen methods', () => {
  const activations = [[1, 2, 3, 4], [1, 1, 1, -1]];
  const targets = [{ classIndex: 0, kind: 'logit' as const }, { classIndex: 1, kind: 'logit' as const }];

  it('EigenCAM: the projection of the activations, the same for every target', async () => {
    const maps = await getCamMethod('eigencam').compute(fakeContext({ activations, height: 2, width: 2, targets }));
    expect(maps).toHaveLength(2);
    expectClose(maps[0], expectedProjection(), 1e-5);
    expectClose(maps[1], maps[0], 0);
  });

  it('EigenGradCAM: the projection of gradients ⊙ activations', async () => {
    // G = 1 on channel 0 and 1 on channel 1 → G⊙A = A
    const ones = [[1, 1, 1, 1], [1, 1, 1, 1]];
    const twice = [[2, 2, 2, 2], [2, 2, 2, 2]];
    const maps = await getCamMethod('eigengradcam').compute(fakeContext({ activations, gradients: [ones, twice], height: 2, width: 2, targets }));
    expectClose(maps[0], expectedProjection(), 1e-5);
    expectClose(maps[1], expectedProjection().map((q) => 2 * q), 1e-5);
  });

  it('eigen_smooth projects the weighted activations instead of summing them', async () => {
    const gradients = [[[1, 1, 1, 1], [1, 1, 1, 1]]]; // Grad-CAM weights [1, 1] → weighted = A
    const c = fakeContext({ activations, gradients, height: 2, width: 2, targets: [targets[0]], eigenSmooth: true });
    for (const id of ['gradcam', 'hirescam', 'layercam', 'gradcam-elementwise']) {
      // all of these reduce to the projection of A here (relu(G⊙A) = A ⊙ [A ≥ 0])
      const [cam] = await getCamMethod(id).compute(c);
      if (id === 'gradcam-elementwise') {
        expectClose(cam, project2d(Float32Array.from([1, 2, 3, 4, 1, 1, 1, 0]), 2, 4), 1e-6);
      } else {
        expectClose(cam, expectedProjection(), 1e-5);
      }
    }
  });
});
