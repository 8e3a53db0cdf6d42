// The shared post-processing and the two bilinear conventions, against hand-worked values.
import { describe, it, expect } from 'vitest';
import { postprocess, minMaxScale } from '../../../packages/core/src/cam/pipeline.js';
import { resizeBilinear, resizeAlignCorners } from '../../../packages/core/src/cam/resize.js';
import { getCamMethod, camMethods, UnknownMethodError } from '../../../packages/core/src/cam/registry.js';
import { softmax, targetScores } from '../../../packages/core/src/cam/targets.js';
import { expectClose } from './context.js';

describe('resizeBilinear (cv2.INTER_LINEAR)', () => {
  it('upsamples 2 → 4 with half-pixel centres and clamped edges', () => {
    // src x = (d + .5)/2 − .5 = −.25, .25, .75, 1.25 → clamp, ¼, ¾, clamp
    expectClose(resizeBilinear([0, 8], 2, 1, 4, 1), [0, 2, 6, 8], 1e-7);
    expectClose(resizeBilinear([0, 8], 1, 2, 1, 4), [0, 2, 6, 8], 1e-7);
  });
  it('downsamples 4 → 2 by the half-pixel rule (no antialiasing)', () => {
    // src x = (d + .5)·2 − .5 = .5, 2.5
    expectClose(resizeBilinear([0, 2, 4, 10], 4, 1, 2, 1), [1, 7], 1e-7);
  });
  it('works in 2-D separably: 2×2 → 3×3', () => {
    // scale 2/3: src = (d + .5)·2/3 − .5 = −1/6 → 0, .5, 7/6 → 1
    expectClose(resizeBilinear([0, 6, 12, 18], 2, 2, 3, 3), [0, 3, 6, 6, 9, 12, 12, 15, 18], 1e-6);
  });
  it('is the identity at the same size', () => {
    expectClose(resizeBilinear([1, 2, 3, 4, 5, 6], 3, 2, 3, 2), [1, 2, 3, 4, 5, 6], 0);
  });
  it('rejects impossible sizes', () => {
    expect(() => resizeBilinear([1, 2], 2, 2, 4, 4)).toThrow(RangeError);
  });
});

describe('resizeAlignCorners (UpsamplingBilinear2d)', () => {
  it('maps corners to corners', () => {
    expectClose(resizeAlignCorners([0, 6], 1, 2, 1, 4, 1), [0, 2, 4, 6], 1e-6);
    expectClose(resizeAlignCorners([1, 2, 3, 4, 10, 20, 30, 40], 2, 2, 2, 3, 3),
      [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4, 10, 15, 20, 20, 25, 30, 30, 35, 40], 1e-6);
  });
});

describe('postprocess', () => {
  it('raw = relu(cam); map = scale(resize(scale(raw)))', () => {
    const { raw, map } = postprocess(Float32Array.from([-1, 2, 4, 0]), 2, 2, 4, 4);
    expectClose(raw.values, [0, 2, 4, 0], 0);
    expect([raw.width, raw.height, map.width, map.height]).toEqual([2, 2, 4, 4]);
    // scaled raw = [0 .5; 1 0] (÷ 4 + 1e-7); rows: [0 0 ⅛·… ] worked per axis with taps (0,¼,¾,1)
    const s = 4 / (4 + 1e-7);
    const row = (a: number, b: number) => [a, 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b, b];
    const r0 = row(0, 0.5 * s);
    const r1 = row(1 * s, 0);
    const rows = [r0, r0.map((v, i) => 0.75 * v + 0.25 * r1[i]), r0.map((v, i) => 0.25 * v + 0.75 * r1[i]), r1];
    const flat = rows.flat();
    const mx = Math.max(...flat);
    expectClose(map.values, flat.map((v) => v / (1e-7 + mx)), 1e-6);
  });
  it('maps a constant cam to zeros, not NaN', () => {
    const { map } = postprocess(Float32Array.from([3, 3, 3, 3]), 2, 2, 3, 3);
    expect(Array.from(map.values)).toEqual(Array(9).fill(0));
  });
  it('minMaxScale divides by 1e-7 + max after subtracting the min', () => {
    expectClose(minMaxScale(Float32Array.from([2, 4, 6])), [0, 2 / (4 + 1e-7), 4 / (4 + 1e-7)], 1e-7);
  });
});

describe('targets', () => {
  it('softmax is stable for large logits', () => {
    expectClose(softmax([1000, 1000 + Math.log(3)]), [0.25, 0.75], 1e-6);
  });
  it('reads logits or probabilities row by row', () => {
    const logits = Float32Array.from([0, Math.log(3), 5, 1]);
    expectClose(targetScores(logits, 2, 2, { classIndex: 1, kind: 'logit' }), [Math.log(3), 1], 1e-6);
    expectClose(targetScores(logits, 2, 2, { classIndex: 1, kind: 'probability' }), [0.75, 1 / (1 + Math.exp(4))], 1e-6);
  });
});

describe('registry', () => {
  it('has the ten methods of pytorch-grad-cam, then the seven pixel attributions, with unique ids', () => {
    expect(camMethods.map((m) => m.id)).toEqual(['gradcam', 'hirescam', 'gradcam-elementwise', 'gradcam++', 'xgradcam',
      'layercam', 'eigencam', 'eigengradcam', 'scorecam', 'ablationcam',
      'saliency', 'inputxgradient', 'integratedgradients', 'smoothgrad', 'guidedbackprop', 'deconvolution', 'guidedgradcam']);
    expect(new Set(camMethods.map((m) => m.id)).size).toBe(camMethods.length);
    expect(camMethods.map((m) => m.kind)).toEqual([...new Array(10).fill('cam'), ...new Array(7).fill('attribution')]);
  });
  it('accepts common spellings and names the known ids otherwise', () => {
    expect(getCamMethod('GradCAMPlusPlus').id).toBe('gradcam++');
    expect(getCamMethod(' Score-CAM ').id).toBe('scorecam');
    expect(getCamMethod('IntegratedGradients').id).toBe('integratedgradients');
    expect(getCamMethod('GuidedGradCam').id).toBe('guidedgradcam');
    expect(() => getCamMethod('occlusion')).toThrow(UnknownMethodError);
    expect(() => getCamMethod('occlusion')).toThrow(/known: gradcam, hirescam.*smoothgrad/);
  });
});
