// Top-k selection against a full sort (many ties: lower class index first).
import { describe, it, expect } from 'vitest';
import { topPredictions } from '../../../packages/core/src/predictions.js';
import { rng } from '../../helpers/ort.js';

describe('topPredictions', () => {
  it('equals sorting all classes, for any k', () => {
    const labels = Array.from({ length: 300 }, (_, i) => `class ${i}`);
    const r = rng(2);
    for (let t = 0; t < 100; t++) {
      const p = Float32Array.from({ length: 300 }, () => Math.floor(r() * 40) / 40);
      const k = 1 + Math.floor(r() * 300);
      const expected = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b).slice(0, k);
      const got = topPredictions(p, k, labels);
      expect(got.map((g) => g.index)).toEqual(expected);
      expect(got[0].label).toBe(`class ${expected[0]}`);
      expect(got.map((g) => g.score)).toEqual(expected.map((i) => p[i]));
    }
  });
});
