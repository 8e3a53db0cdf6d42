// BubbleView geometry, human maps in a scoring frame, agreement, and heatmap-vs-human alignment
// (core/annotation, core/metrics/align.ts): hand-worked geometry, densities against independently
// built ones, and alignment of maps whose scores are known (a map equal to the density: CC 1, KL 0).
import { describe, it, expect } from 'vitest';
import { bubbleGeometry, BUBBLEVIEW } from '../../../packages/core/src/annotation/bubbles.js';
import { humanAgreement, humanMap } from '../../../packages/core/src/annotation/human-map.js';
import { alignToHuman, alignToPredicted, predictedDensity } from '../../../packages/core/src/metrics/align.js';
import { densityMap, fixationMap } from '../../../packages/core/src/fixations/density.js';
import { humanCeiling } from '../../../packages/core/src/metrics/human-ceiling.js';
import { scoreAll } from '../../../packages/core/src/metrics/registry.js';
import type { InputSpec } from '../../../packages/core/src/model/spec.js';
import type { Fixation } from '../../../packages/core/src/fixations/types.js';
import { testRandom } from '../fixations/helpers.js';

const stretch = (w: number, h: number): InputSpec => ({
  name: 'input', width: w, height: h, channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch',
}) as InputSpec;

describe('bubbleGeometry', () => {
  it('is BubbleView’s 32 px radius and 40 px blur at 600 px wide, scaled by the width', () => {
    expect(BUBBLEVIEW).toEqual({ radius: 32, blurSigma: 40, width: 600 });
    expect(bubbleGeometry(600, 400)).toEqual({ radius: 32, blurSigma: 40 });
    const g = bubbleGeometry(800, 600);
    expect(g.radius).toBeCloseTo(32 * 800 / 600, 12);
    expect(g.blurSigma).toBeCloseTo(40 * 800 / 600, 12);
    expect(bubbleGeometry(300, 1000).radius).toBeCloseTo(16, 12);
  });
  it('rejects sizes that are not positive', () => {
    expect(() => bubbleGeometry(0, 10)).toThrow(RangeError);
    expect(() => bubbleGeometry(10, Number.NaN)).toThrow(RangeError);
  });
});

describe('humanMap', () => {
  const random = testRandom(11);
  const person = (n: number, w: number, h: number): Fixation[] => Array.from({ length: n }, () => ({ x: random() * (w - 1), y: random() * (h - 1) }));

  it('keeps an image no larger than maxSide as it is: the density of all points with sigma = fraction × longer side', () => {
    const people = [person(6, 120, 80), person(4, 120, 80)];
    const h = humanMap(people, 120, 80, { sigmaFraction: 0.05, maxSide: 400 });
    expect([h.width, h.height, h.scale, h.sigma, h.frameSigma]).toEqual([120, 80, 1, 6, 6]);
    const all = people.flat();
    const expected = densityMap(all, 120, 80, { sigma: 6 });
    let worst = 0;
    for (let i = 0; i < expected.values.length; i++) worst = Math.max(worst, Math.abs(expected.values[i] - h.density.values[i]));
    expect(worst).toBeLessThan(1e-9);
    expect(Array.from(h.fixationMap.values)).toEqual(Array.from(fixationMap(all, 120, 80).values));
  });

  it('scales a large image to maxSide with pixel-centre geometry, sigma scaled alike', () => {
    // 800×600 → 400×300: image pixel centre x maps to (x + 0.5)/2 − 0.5
    const h = humanMap([[{ x: 0, y: 0 }, { x: 799, y: 599 }, { x: 401, y: 300 }]], 800, 600, { maxSide: 400 });
    expect([h.width, h.height, h.scale]).toEqual([400, 300, 0.5]);
    expect(h.sigma).toBeCloseTo(24, 12);
    expect(h.frameSigma).toBeCloseTo(12, 12);
    expect(h.observers[0].map((p) => [p.x, p.y])).toEqual([[-0.25, -0.25], [399.25, 299.25], [200.25, 149.75]]);
    const sum = h.density.values.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);
    // corner points clamp into the corner pixels; the middle one rounds to (200, 150)
    expect(h.fixationMap.values[0]).toBe(1);
    expect(h.fixationMap.values[299 * 400 + 399]).toBe(1);
    expect(h.fixationMap.values[150 * 400 + 200]).toBe(1);
  });

  it('drops points outside the image and people left without points', () => {
    const h = humanMap([[{ x: -3, y: 5 }, { x: 10, y: 10 }], [{ x: 50, y: 5 }], []], 40, 30);
    expect(h.observers.length).toBe(1);
    expect(h.observers[0]).toHaveLength(1);
    expect(h.fixationMap.values.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('rejects bad sizes and options', () => {
    expect(() => humanMap([], 0, 10)).toThrow(RangeError);
    expect(() => humanMap([], 10, 10, { maxSide: 0 })).toThrow(RangeError);
    expect(() => humanMap([], 10, 10, { sigmaFraction: -1 })).toThrow(RangeError);
  });
});

describe('humanAgreement', () => {
  const random = testRandom(3);
  it('is null for fewer than 2 people and the human ceiling of the frame otherwise', () => {
    const one = humanMap([[{ x: 5, y: 5 }]], 50, 40);
    expect(humanAgreement(one)).toBeNull();
    const people = Array.from({ length: 5 }, () => Array.from({ length: 8 }, () => ({ x: 10 + random() * 20, y: 8 + random() * 15 })));
    const h = humanMap(people, 50, 40, { sigmaFraction: 0.06 });
    const a = humanAgreement(h, { repetitions: 4, seed: 2 });
    const b = humanCeiling(people, 50, 40, { sigma: 0.06 * 50, metrics: ['cc', 'nss', 'auc-judd', 'sim'], repetitions: 4, seed: 2, outOfBounds: 'clamp' });
    expect(a?.observers).toBe(5);
    for (const id of ['cc', 'nss', 'auc-judd', 'sim']) {
      expect(a?.splitHalf[id].mean).toBeCloseTo(b.splitHalf[id].mean, 9);
      expect(a?.leaveOneOut[id].mean).toBeCloseTo(b.leaveOneOut[id].mean, 9);
    }
    expect(a?.leaveOneOut.cc.mean).toBeGreaterThan(0.3);
  });
});

describe('alignToHuman', () => {
  const random = testRandom(21);
  const people = Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => ({ x: 20 + random() * 30, y: 10 + random() * 20 })));

  it('scores a map equal to the human density perfectly on the distribution metrics (same grid)', () => {
    const h = humanMap(people, 64, 48);
    const scores = Object.fromEntries(alignToHuman(h.density, stretch(64, 48), h).map((s) => [s.id, s.value]));
    expect(scores.cc).toBeCloseTo(1, 6);
    expect(scores.sim).toBeCloseTo(1, 5);
    expect(scores.kl).toBeLessThan(1e-5);
    expect(scores.mae).toBeLessThan(1e-6);
    expect(scores.iou).toBe(1);
    expect(scores['auc-judd']).toBeGreaterThan(0.9);
    expect(scores.sauc).toBeUndefined();
  });

  it('brings a model-grid map back onto a stretched image before scoring', () => {
    // the image is 128×48 (2:1 wider than the square model grid): a map with its peak at model column
    // 8 of 16 lands at image x = 64; people looking at x ≈ 64 agree, people looking at the left edge do not
    const grid = 16;
    const map = new Float32Array(grid * grid);
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) map[y * grid + x] = Math.exp(-((x - 7.5) ** 2 + (y - 7.5) ** 2) / 8);
    const centre = humanMap([[{ x: 64, y: 24 }, { x: 63, y: 23 }]], 128, 48);
    const left = humanMap([[{ x: 3, y: 24 }, { x: 4, y: 22 }]], 128, 48);
    const spec = stretch(grid, grid);
    const c = Object.fromEntries(alignToHuman({ width: grid, height: grid, values: map }, spec, centre).map((s) => [s.id, s.value as number]));
    const l = Object.fromEntries(alignToHuman({ width: grid, height: grid, values: map }, spec, left).map((s) => [s.id, s.value as number]));
    expect(c.nss).toBeGreaterThan(2);
    expect(l.nss).toBeLessThan(0);
    expect(c.cc).toBeGreaterThan(l.cc + 0.5);
  });
});

describe('alignToPredicted', () => {
  it('scores against the spectral residual of the view with the density metrics only', () => {
    const width = 32;
    const height = 24;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.fill(i % width > 20 && Math.floor(i / width) > 10 ? 250 : 30, i * 3, i * 3 + 3);
    const view = { width, height, channels: 3 as const, data };
    const density = predictedDensity(view);
    const scores = alignToPredicted(density, density);
    expect(scores.map((s) => s.id)).toEqual(['cc', 'sim', 'kl', 'mae', 'iou']);
    expect(scores[0].value).toBeCloseTo(1, 6);
    expect(alignToPredicted(density, density, { metrics: ['nss'] })[0].value).toBeNull();
    expect(scoreAll(density, { density }, { metrics: ['cc'] })[0].value).toBeCloseTo(1, 6);
  });
});
