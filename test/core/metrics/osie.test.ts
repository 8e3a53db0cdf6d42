// The metrics on real eye-tracking data: OSIE images, density maps from all 15 observers (σ = 24 px,
// about 1°, as the data set does), a centre-bias map, and shuffled AUC against other images.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOsie } from '../../../packages/core/src/fixations/osie.js';
import { densityMap, fixationMap } from '../../../packages/core/src/fixations/density.js';
import { aucShuffled } from '../../../packages/core/src/metrics/auc-shuffled.js';
import { scoreAll, type AlignmentScore } from '../../../packages/core/src/metrics/registry.js';
import { alignmentReference } from '../../../packages/core/src/metrics/reference.js';
import { centreGaussian } from '../fixations/helpers.js';

const file = resolve(__dirname, '../../../../shared/data/osie/fixations.json');
const get = (s: AlignmentScore[], id: string): number => {
  const v = s.find((x) => x.id === id)?.value;
  if (typeof v !== 'number') throw new Error(`${id}: no value`);
  return v;
};

describe.skipIf(!existsSync(file))('alignment metrics on OSIE', () => {
  const images = parseOsie(JSON.parse(readFileSync(file, 'utf8')));
  const centre = centreGaussian(800, 600, 160, 120);

  for (const index of [0, 250, 613]) {
    it(`image ${images[index].file}: the human density map scores best, the centre bias in between`, () => {
      const img = images[index];
      const fixations = img.observers.flat();
      // other images' fixations: the next 10 images (as Borji's M = 10)
      const others = images.slice(index + 1, index + 11).flatMap((o) => o.observers.flat());
      const ref = alignmentReference(fixations, img.width, img.height, { sigma: 24, otherFixations: others });
      const human = scoreAll(ref.density, ref);
      expect(get(human, 'cc')).toBeCloseTo(1, 6);
      expect(get(human, 'sim')).toBeCloseTo(1, 5);
      expect(Math.abs(get(human, 'kl'))).toBeLessThan(1e-6);
      expect(get(human, 'iou')).toBe(1);
      expect(get(human, 'auc-judd')).toBeGreaterThan(0.88);
      expect(get(human, 'auc-borji')).toBeGreaterThan(0.85);
      expect(get(human, 'sauc')).toBeGreaterThan(0.75);
      expect(get(human, 'nss')).toBeGreaterThan(2);

      const cb = scoreAll(centre, ref);
      // a centre bias predicts fixations better than chance, but shuffled AUC discounts exactly that
      // (≈ 0.5 on average over images, see below; one image's value can be far from it)
      expect(get(cb, 'auc-judd')).toBeGreaterThan(0.6);
      expect(get(cb, 'auc-judd')).toBeLessThan(get(human, 'auc-judd') - 0.05);
      expect(get(cb, 'sauc')).toBeLessThan(get(human, 'sauc') - 0.1);
      expect(get(cb, 'nss')).toBeLessThan(get(human, 'nss') - 0.5);
      for (const id of ['cc', 'sim', 'iou']) expect(get(cb, id), id).toBeLessThan(get(human, id) - 0.2);
      expect(get(cb, 'kl')).toBeGreaterThan(0.2);
      expect(get(cb, 'mae')).toBeGreaterThan(0.05);

      // blurring more or less than the reference's σ loses on the map-to-map metrics
      for (const sigma of [12, 48]) {
        const other = scoreAll(densityMap(fixations, 800, 600, { sigma }), ref, { metrics: ['cc', 'sim', 'kl'] });
        expect(get(other, 'cc'), `σ ${sigma}`).toBeLessThan(0.99);
        expect(get(other, 'sim'), `σ ${sigma}`).toBeLessThan(0.95);
        expect(get(other, 'kl'), `σ ${sigma}`).toBeGreaterThan(0.01);
      }
    });
  }

  it('shuffled AUC of the centre bias averages 0.5 ± 0.04 over 100 images', () => {
    // every 7th image; negatives: the fixations of the 10 following images. Per image the value
    // spreads widely (sd ≈ 0.13: some images draw the eyes off-centre), so the mean of 100 has a
    // standard error of ≈ 0.013; 0.04 is three of those.
    const sauc: number[] = [];
    for (let i = 0; i < images.length; i += 7) {
      const own = fixationMap(images[i].observers.flat(), 800, 600);
      const others = fixationMap(Array.from({ length: 10 }, (_, k) => images[(i + 1 + k) % images.length]).flatMap((o) => o.observers.flat()), 800, 600);
      sauc.push(aucShuffled(centre, own, others));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(sauc).toHaveLength(100);
    expect(Math.abs(mean(sauc) - 0.5)).toBeLessThan(0.04);
  });
});
