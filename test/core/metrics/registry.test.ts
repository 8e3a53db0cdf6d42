// The metric table and scoreAll: ids, skipping, resampling, and "the density map scores best".
import { describe, it, expect } from 'vitest';
import { alignmentMetrics, scoreAll, UnknownMetricError } from '../../../packages/core/src/metrics/registry.js';
import { alignmentReference } from '../../../packages/core/src/metrics/reference.js';
import { densityMap } from '../../../packages/core/src/fixations/density.js';
import { resampleMap } from '../../../packages/core/src/fixations/resample.js';
import { centreGaussian, floatMap, normal, testRandom } from '../fixations/helpers.js';

const W = 120;
const H = 90;
const random = testRandom(31);
// two clusters of fixations, off-centre
const fixations = Array.from({ length: 80 }, (_, i) => ({
  x: Math.min(W - 1, Math.max(0, (i % 2 ? 30 : 85) + 6 * normal(random))),
  y: Math.min(H - 1, Math.max(0, (i % 2 ? 25 : 60) + 6 * normal(random))),
}));
const others = Array.from({ length: 300 }, () => ({ x: random() * (W - 1), y: random() * (H - 1) }));
const ref = alignmentReference(fixations, W, H, { sigma: 5, otherFixations: others });
const value = (scores: ReturnType<typeof scoreAll>, id: string) => {
  const v = scores.find((s) => s.id === id)?.value;
  if (v === undefined || v === null) throw new Error(`no value for ${id}`);
  return v;
};

describe('alignmentMetrics', () => {
  it('lists the nine metrics with their direction and needs', () => {
    expect(alignmentMetrics.map((m) => [m.id, m.higherIsBetter, m.needs, m.needsOtherFixations])).toEqual([
      ['auc-judd', true, 'fixations', false], ['auc-borji', true, 'fixations', false], ['sauc', true, 'fixations', true],
      ['nss', true, 'fixations', false], ['cc', true, 'density', false], ['sim', true, 'density', false],
      ['kl', false, 'density', false], ['mae', false, 'density', false], ['iou', true, 'density', false],
    ]);
  });
});

describe('scoreAll', () => {
  it('scores the density map itself perfectly on the map-to-map metrics', () => {
    const s = scoreAll(ref.density, ref);
    expect(s.map((x) => x.id)).toEqual(alignmentMetrics.map((m) => m.id));
    expect(value(s, 'cc')).toBeCloseTo(1, 6);
    expect(value(s, 'sim')).toBeCloseTo(1, 6);
    expect(Math.abs(value(s, 'kl'))).toBeLessThan(1e-6);
    expect(value(s, 'mae')).toBeLessThan(1e-7);
    expect(value(s, 'iou')).toBe(1);
    expect(value(s, 'auc-judd')).toBeGreaterThan(0.9);
    expect(value(s, 'nss')).toBeGreaterThan(2);
  });
  it('ranks the density map above other maps on CC, SIM and KL', () => {
    const best = scoreAll(ref.density, ref, { metrics: ['cc', 'sim', 'kl'] });
    const candidates = {
      centre: centreGaussian(W, H, 30, 22),
      wider: densityMap(fixations, W, H, { sigma: 10 }),
      narrower: densityMap(fixations, W, H, { sigma: 2.5 }),
      shifted: densityMap(fixations.map((f) => ({ x: Math.min(W - 1, f.x + 6), y: f.y })), W, H, { sigma: 5 }),
      noise: floatMap(W, H, Array.from({ length: W * H }, () => random())),
    };
    for (const [name, map] of Object.entries(candidates)) {
      const s = scoreAll(map, ref, { metrics: ['cc', 'sim', 'kl'] });
      expect(value(s, 'cc'), name).toBeLessThan(value(best, 'cc') - 0.01);
      expect(value(s, 'sim'), name).toBeLessThan(value(best, 'sim') - 0.01);
      expect(value(s, 'kl'), name).toBeGreaterThan(value(best, 'kl') + 0.01);
    }
  });
  it('skips metrics without their data, with a reason', () => {
    const s = scoreAll(ref.density, { density: ref.density });
    for (const id of ['auc-judd', 'auc-borji', 'sauc', 'nss']) {
      expect(s.find((x) => x.id === id)).toMatchObject({ value: null, reason: 'needs fixation points' });
    }
    expect(value(s, 'cc')).toBeCloseTo(1, 6);
    const noOthers = scoreAll(ref.density, { fixationMap: ref.fixationMap, density: ref.density }, { metrics: ['sauc', 'nss'] });
    expect(noOthers[0]).toMatchObject({ id: 'sauc', value: null, reason: 'needs fixations of other images' });
    expect(noOthers[1].value).toBeGreaterThan(2);
    const fixOnly = scoreAll(ref.density, { fixationMap: ref.fixationMap }, { metrics: ['cc'] });
    expect(fixOnly[0]).toMatchObject({ value: null, reason: 'needs a density map' });
  });
  it('reports undefined scores as null (a constant density map, no fixated pixel)', () => {
    const flat = floatMap(W, H, new Array(W * H).fill(1));
    const empty = floatMap(W, H, new Array(W * H).fill(0));
    const s = scoreAll(ref.density, { fixationMap: empty, density: flat }, { metrics: ['cc', 'nss', 'sim'] });
    expect(s[0].value).toBeNull();
    expect(s[0].reason).toMatch(/undefined/);
    expect(s[1].value).toBeNull();
    expect(s[2].value).not.toBeNull();
  });
  it('resamples a saliency map of another size once, to the reference\'s size', () => {
    const small = centreGaussian(40, 30, 10, 8);
    const opts = { metrics: alignmentMetrics.map((m) => m.id) };
    expect(scoreAll(small, ref, opts)).toEqual(scoreAll(resampleMap(small, W, H), ref, opts));
  });
  it('passes options to the metrics (top-p, seeds, jitter)', () => {
    const centre = centreGaussian(W, H, 30, 22);
    expect(value(scoreAll(centre, ref, { metrics: ['iou'], topP: 5 }), 'iou')).not.toBe(value(scoreAll(centre, ref, { metrics: ['iou'] }), 'iou'));
    expect(value(scoreAll(centre, ref, { metrics: ['auc-borji'], seed: 3 }), 'auc-borji')).not.toBe(value(scoreAll(centre, ref, { metrics: ['auc-borji'] }), 'auc-borji'));
  });
  it('refuses unknown metrics, bad top-p, mismatched references', () => {
    expect(() => scoreAll(ref.density, ref, { metrics: ['auc'] })).toThrow(UnknownMetricError);
    expect(() => scoreAll(ref.density, ref, { topP: 0 })).toThrow(RangeError);
    expect(() => scoreAll(ref.density, { fixationMap: ref.fixationMap, density: resampleMap(ref.density, 60, 45) })).toThrow(/120×90 but density map is 60×45/);
    expect(() => scoreAll(ref.density, {})).toThrow(/neither/);
  });
});
