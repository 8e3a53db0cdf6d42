// CamMult change, Average Drop and Increase in Confidence against values worked by hand on a
// two-pixel linear model (logit = x0 + 2·x1 against a constant 0 logit).
import { describe, expect, it } from 'vitest';
import { confidenceMeasures, multiplyByMap } from '../../../packages/core/src/faithfulness/confidence.js';
import { chwShape } from '../../../packages/core/src/faithfulness/perturb.js';
import { linearModel, sigmoid } from './linear-model.js';

const map = (values: number[]) => ({ width: 2, height: 1, values: Float32Array.from(values) });

describe('confidence measures', () => {
  const shape = chwShape([2, 1, 2]);
  // two channels: logit = (x00 + 2·x01) + (x10 + 2·x11) with input [1, 2 | 0.5, 0.25]: 5 + 1 = 6
  const m = linearModel([1, 2, 1, 2]);
  const x = Float32Array.from([1, 2, 0.5, 0.25]);

  it('multiplies every channel by the map', () => {
    expect([...multiplyByMap(x, shape, map([0.5, 1]))]).toEqual([0.5, 2, 0.25, 0.25]);
  });

  it('a map that keeps the decisive pixel drops confidence a little', async () => {
    // input × [0.5, 1] = [0.5, 2 | 0.25, 0.25]: logit 4.5 + 0.75 = 5.25
    const r = await confidenceMeasures(m.score, x, shape, map([0.5, 1]), 0);
    expect(r.camMult.logit).toBeCloseTo(5.25 - 6, 6);
    expect(r.camMult.softmax).toBeCloseTo(sigmoid(5.25) - sigmoid(6), 6);
    expect(r.averageDrop).toBeCloseTo((sigmoid(6) - sigmoid(5.25)) / sigmoid(6), 6);
    expect(r.increase).toBe(0);
  });

  it('a map that hides a pixel pulling the class down increases confidence', async () => {
    const neg = linearModel([1, -2, 1, -2]); // logit 1 − 4 + 0.5 − 0.5 = −3
    const r = await confidenceMeasures(neg.score, x, shape, map([1, 0]), 0); // logit 1.5
    expect(r.camMult.logit).toBeCloseTo(4.5, 6);
    expect(r.camMult.softmax).toBeCloseTo(sigmoid(1.5) - sigmoid(-3), 6);
    expect(r.averageDrop).toBe(0);
    expect(r.increase).toBe(1);
    expect(neg.calls).toEqual([2]);
  });
});
