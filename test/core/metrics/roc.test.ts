// MATLAB's colon operator and the fixed-step ROC of AUC_Borji.m / AUC_shuffled.m, worked by hand.
import { describe, it, expect } from 'vitest';
import { matlabColon, stepRocArea, trapz } from '../../../packages/core/src/metrics/roc.js';

describe('matlabColon', () => {
  it('reproduces MATLAB\'s 0:0.1:0.3 and 0:0.1:0.4 to the last bit', () => {
    // MATLAB: x = 0:0.1:0.3; y = 0:0.1:0.4; x - y(1:end-1) → [0 0 -0.2776e-16 -0.5551e-16]
    const x = matlabColon(0, 0.1, 0.3);
    const y = matlabColon(0, 0.1, 0.4);
    expect(Array.from(x)).toEqual([0, 0.1, 0.19999999999999998, 0.3]);
    expect(Array.from(y)).toEqual([0, 0.1, 0.2, 0.30000000000000004, 0.4]);
    expect(x[2] - y[2]).toBeCloseTo(-0.2776e-16, 20);
    expect(x[3] - y[3]).toBeCloseTo(-0.5551e-16, 20);
  });
  it('builds 0:0.1:1 symmetrically: a(4) ~= 0.3 but a(7) == 0.6 exactly', () => {
    const a = matlabColon(0, 0.1, 1);
    expect(a.length).toBe(11);
    expect(a[3]).not.toBe(0.3); // 3·0.1 = 0.30000000000000004, MATLAB's famous FAQ
    expect(a[6]).toBe(0.6); // 1 − 4·0.1, where 6·0.1 = 0.6000000000000001
    expect(a[5]).toBe(0.5);
    expect(a[10]).toBe(1);
  });
  it('stops below b and handles single and empty ranges', () => {
    expect(Array.from(matlabColon(0, 0.1, 0.95))).toHaveLength(10); // …, 0.9
    expect(matlabColon(0, 0.1, 0.95)[9]).toBeCloseTo(0.9, 15);
    expect(Array.from(matlabColon(0, 0.1, 0))).toEqual([0]);
    expect(matlabColon(1, 0.1, 0)).toHaveLength(0);
    expect(() => matlabColon(0, 0, 1)).toThrow(RangeError);
  });
});

describe('trapz', () => {
  it('integrates piecewise-linear curves', () => {
    expect(trapz([0, 0, 4 / 7, 1], [0, 0.5, 1, 1])).toBeCloseTo(6 / 7, 15);
    expect(trapz([0, 1], [0, 1])).toBe(0.5);
  });
});

describe('stepRocArea (one split of AUC-Borji)', () => {
  it('sweeps thresholds 1.0, 0.9, …, 0 from MATLAB\'s colon: worked example', () => {
    // positives [1.0, 0.3], negatives [0.2, 0.6], thresholds fliplr(0:0.1:1):
    //   t = 1.0 … 0.7: tp ½ (1.0), fp 0
    //   t = 0.6 (exactly 0.6): fp ½ (0.6 ≥ 0.6), tp ½       ← 6·0.1 would miss 0.6
    //   t = 0.5, 0.4, and 0.30000000000000004 (> 0.3): tp ½, fp ½
    //   t = 0.2, 0.1, 0: tp 1, fp 1
    // curve (0,0) (0,½)… (½,½)… (1,1)…: area ½·½ + ½·(½ + 1)/2 = 0.25 + 0.375 = 0.625
    expect(stepRocArea(Float64Array.of(1, 0.3), Float64Array.of(0.2, 0.6), 0.1)).toBeCloseTo(0.625, 15);
    // the grid stops at the largest value: positives [0.5], negatives [0.25] → thresholds 0.5 … 0:
    // t 0.5, 0.4, 0.3: (0, 1); t 0.2 … 0: (1, 1): area 1
    expect(stepRocArea(Float64Array.of(0.5), Float64Array.of(0.25), 0.1)).toBe(1);
    // all values 0: one threshold 0 → (1, 1): area ½
    expect(stepRocArea(Float64Array.of(0, 0), Float64Array.of(0, 0), 0.1)).toBe(0.5);
  });
});
