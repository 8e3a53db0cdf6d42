// The pure parts of detector explanations: the box target (score, IoU term and their derivatives
// against central differences in float64), pytorch-grad-cam's multi-layer aggregation and the way
// back through the letterbox.
import { describe, it, expect } from 'vitest';
import { boxTargetSeed, boxTargetValue, iouWithGradient, outputLayout } from '../../../packages/core/src/detect-explain/target.js';
import { aggregateLayerCams, letterboxToImage } from '../../../packages/core/src/detect-explain/maps.js';
import { postprocess } from '../../../packages/core/src/cam/pipeline.js';
import { resizeBilinear } from '../../../packages/core/src/cam/resize.js';
import type { Box } from '../../../packages/core/src/detect/types.js';
import { randn, rng } from '../../helpers/ort.js';

describe('IoU and its gradient (torchvision box_iou under autograd)', () => {
  const fd = (a: Box, b: Box, k: number, h = 1e-6) => {
    const up = [...a] as Box;
    const down = [...a] as Box;
    up[k] += h;
    down[k] -= h;
    return (iouWithGradient(up, b).iou - iouWithGradient(down, b).iou) / (2 * h);
  };
  it('matches central differences for overlapping, nested and crossing boxes', () => {
    const cases: [Box, Box][] = [
      [[10, 20, 50, 70], [15, 25, 60, 65]],
      [[0, 0, 100, 80], [20, 10, 60, 50]], // b inside a
      [[30, 30, 40, 45], [10, 20, 70, 90]], // a inside b
      [[10, 10, 30, 90], [0, 40, 80, 60]], // a cross
    ];
    for (const [a, b] of cases) {
      const { iou, grad } = iouWithGradient(a, b);
      expect(iou).toBeGreaterThan(0);
      for (let k = 0; k < 4; k++) expect(Math.abs(grad[k] - fd(a, b, k))).toBeLessThan(1e-7);
    }
  });
  it('is 0 with no gradient for disjoint boxes, and its gradient vanishes against the box itself (ties split evenly)', () => {
    expect(iouWithGradient([0, 0, 10, 10], [20, 20, 30, 30])).toEqual({ iou: 0, grad: [0, 0, 0, 0] });
    const same = iouWithGradient([5, 6, 40, 50], [5, 6, 40, 50]);
    expect(same.iou).toBe(1);
    for (const g of same.grad) expect(Math.abs(g)).toBeLessThan(1e-15);
  });
});

describe('box target on a raw YOLOX output', () => {
  // 2 strides on a 32×32 input: 4×4 + 2×2 = 20 rows of (x, y, w, h, obj, 3 classes)
  const L = outputLayout(20, 8, 32, 32, [8, 16]);
  const out = Float32Array.from(randn(160, rng(5), 0.5), (v, i) => (i % 8 >= 4 ? 0.2 + 0.6 * Math.abs(Math.tanh(v)) : v));
  it('score = objectness × class probability; its seed row is (class, objectness) at the anchor', () => {
    const t = { anchor: 17, classIndex: 2 };
    expect(boxTargetValue(out, L, t)).toBeCloseTo(out[17 * 8 + 4] * out[17 * 8 + 7], 7);
    const seed = boxTargetSeed(out, L, t);
    const nonzero = Array.from(seed.keys()).filter((i) => seed[i] !== 0);
    expect(nonzero).toEqual([17 * 8 + 4, 17 * 8 + 7]);
    expect(seed[17 * 8 + 4]).toBe(out[17 * 8 + 7]);
  });
  it('score + IoU: the seed row is the derivative of the value (central differences in float64)', () => {
    // the anchor's decoded box moved by a few pixels is the reference
    const r = 5;
    const s = 8, gx = r % 4, gy = Math.floor(r / 4);
    const cx = (out[r * 8] + gx) * s, cy = (out[r * 8 + 1] + gy) * s, w = Math.exp(out[r * 8 + 2]) * s, h = Math.exp(out[r * 8 + 3]) * s;
    const t = { anchor: r, classIndex: 1, iouBox: [cx - w / 2 + 1.5, cy - h / 2 - 1, cx + w / 2 + 0.5, cy + h / 2 + 2] as Box };
    const value = boxTargetValue(Float64Array.from(out), L, t);
    expect(value).toBeGreaterThan(out[r * 8 + 4] * out[r * 8 + 6] + 0.5);
    const seed = boxTargetSeed(Float64Array.from(out), L, t);
    const x = Float64Array.from(out);
    for (let j = 0; j < 8; j++) {
      const i = r * 8 + j;
      const up = Float64Array.from(x); up[i] += 1e-6;
      const down = Float64Array.from(x); down[i] -= 1e-6;
      const d = (boxTargetValue(up, L, t) - boxTargetValue(down, L, t)) / 2e-6;
      expect(Math.abs(seed[i] - d), `entry ${j}`).toBeLessThan(1e-6 * (1 + Math.abs(d)));
    }
    // below the IoU threshold the target (and its seed) is 0, as FasterRCNNBoxScoreTarget's
    const far = { ...t, iouBox: [100, 100, 120, 120] as Box };
    expect(boxTargetValue(out, L, far)).toBe(0);
    expect(boxTargetSeed(out, L, far).every((v) => v === 0)).toBe(true);
  });
});

describe('maps', () => {
  it('one layer: the classifier pipeline\'s final map', () => {
    const cam = Float32Array.from(randn(7 * 5, rng(2), 1));
    const agg = aggregateLayerCams([{ width: 7, height: 5, values: cam }], 40, 30);
    const ref = postprocess(cam, 5, 7, 30, 40).map.values;
    for (let i = 0; i < ref.length; i++) expect(Math.abs(agg.values[i] - ref[i])).toBeLessThan(1e-6);
  });
  it('several layers: relu, scale, resize each; relu, mean, scale (pytorch-grad-cam aggregate_multi_layers)', () => {
    const a = { width: 2, height: 2, values: Float32Array.from([-1, 1, 3, 0]) };
    const b = { width: 2, height: 2, values: Float32Array.from([2, 0, 0, 0]) };
    // at the same size the resize is the identity: scaled a = [0, 1/3, 1, 0], scaled b = [1, 0, 0, 0]
    const agg = aggregateLayerCams([a, b], 2, 2);
    const mean = [0.5, 1 / 6, 0.5, 0];
    const max = 0.5;
    mean.forEach((m, i) => expect(agg.values[i]).toBeCloseTo(m / (max + 1e-7), 6));
  });
  it('the letterbox: the fitted top-left area, resized to the image', () => {
    const W = 16, H = 16;
    const values = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) values[y * W + x] = x < 12 && y < 8 ? x + 100 * y : -1;
    const back = letterboxToImage({ width: W, height: H, values }, { width: 12, height: 8 }, 24, 16);
    const crop = new Float32Array(12 * 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) crop[y * 12 + x] = x + 100 * y;
    expect(Array.from(back.values)).toEqual(Array.from(resizeBilinear(crop, 12, 8, 24, 16)));
    expect(Math.min(...back.values)).toBeGreaterThanOrEqual(0); // nothing of the padding
  });
});
