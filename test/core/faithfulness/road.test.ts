// ROAD against closed forms: the sparse Cholesky solver against a dense solve, the imputer on
// systems small enough to solve by hand, numpy's percentile rule, and a linear model whose MoRF and
// LeRF changes follow from the imputation exactly (a constant background is reproduced, so only the
// planted bump and corner pixels change the logit).
import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, SolverError } from '../../../packages/core/src/faithfulness/sparse-cholesky.js';
import { nestedDissection } from '../../../packages/core/src/faithfulness/nested-dissection.js';
import { imputationSystem, noisyLinearImpute } from '../../../packages/core/src/faithfulness/noisy-linear-imputer.js';
import { percentile, road, roadKeepMask } from '../../../packages/core/src/faithfulness/road.js';
import { chwShape } from '../../../packages/core/src/faithfulness/perturb.js';
import { linearModel, sigmoid, uniform } from './linear-model.js';

describe('sparse Cholesky', () => {
  it('solves a 3×3 SPD system for two right-hand sides, in any elimination order', () => {
    // A = [[4, −1, 0], [−1, 4, −1], [0, −1, 4]]; x1 = [1, 2, 3] → b1 = [2, 4, 10]; x2 = [−1, 0, 1] → b2 = [−4, 0, 4]
    const a = {
      n: 3, diag: Float64Array.of(4, 4, 4), rowPtr: Int32Array.of(0, 1, 3, 4),
      cols: Int32Array.of(1, 0, 2, 1), vals: Float64Array.of(-1, -1, -1, -1),
    };
    for (const perm of [undefined, Int32Array.of(2, 0, 1), Int32Array.of(1, 2, 0)]) {
      const x = choleskySolve(cholesky(a, perm), Float64Array.of(2, -4, 4, 0, 10, 4), 2);
      [1, -1, 2, 0, 3, 1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
    }
    expect(() => cholesky({ ...a, diag: Float64Array.of(4, 0.1, 4) })).toThrow(SolverError);
  });

  it('agrees with dense Gaussian elimination on an imputation system of a 12×12 image', () => {
    const r = uniform(9);
    const keep = Uint8Array.from({ length: 144 }, () => (r() < 0.3 ? 1 : 0));
    const x = Float32Array.from({ length: 144 }, r);
    const { system, rhs, removed } = imputationSystem(x, chwShape([1, 12, 12]), keep);
    const n = system.n;
    // dense [A | b] and elimination with partial pivoting
    const m = Array.from({ length: n }, (_, i) => {
      const row = new Array(n + 1).fill(0);
      row[i] = system.diag[i];
      for (let e = system.rowPtr[i]; e < system.rowPtr[i + 1]; e++) row[system.cols[e]] = system.vals[e];
      row[n] = rhs[i];
      return row;
    });
    for (let c = 0; c < n; c++) {
      let piv = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[piv][c])) piv = i;
      [m[c], m[piv]] = [m[piv], m[c]];
      for (let i = c + 1; i < n; i++) {
        const f = m[i][c] / m[c][c];
        for (let j = c; j <= n; j++) m[i][j] -= f * m[c][j];
      }
    }
    const dense = new Array(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = m[i][n];
      for (let j = i + 1; j < n; j++) s -= m[i][j] * dense[j];
      dense[i] = s / m[i][i];
    }
    const ys = removed.map((p) => Math.floor(p / 12));
    const xs = removed.map((p) => p % 12);
    const order = nestedDissection(ys, xs);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    const sparse = choleskySolve(cholesky(system, order), rhs, 1);
    dense.forEach((v, i) => expect(sparse[i]).toBeCloseTo(v, 10));
  });
});

describe('noisy linear imputation', () => {
  it('fills a removed centre pixel with 1/6 of its edge and 1/12 of its diagonal neighbours', () => {
    const x = Float32Array.from([1, 2, 3, 4, 0, 6, 7, 8, 9]);
    const keep = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const out = noisyLinearImpute(x, chwShape([1, 3, 3]), keep, { noise: 0 });
    expect(out[4]).toBeCloseTo((2 + 4 + 6 + 8) / 6 + (1 + 3 + 7 + 9) / 12, 6); // 5
    expect([...out].filter((_, i) => i !== 4)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it('averages a border pixel over the neighbours it has, and solves coupled pixels jointly', () => {
    // a 1×3 row, pixels 0 and 1 removed: x0 = x1 (only neighbour), x1 = (x0 + x2)/2 → both = x2 = 9
    const out = noisyLinearImpute(Float32Array.from([0, 0, 9]), chwShape([1, 1, 3]), Uint8Array.from([0, 0, 1]), { noise: 0 });
    expect(out[0]).toBeCloseTo(9, 6);
    expect(out[1]).toBeCloseTo(9, 6);
    // a 2×2 image with one kept corner: the system is −A of pytorch-grad-cam's setup_sparse_system
    const { system, rhs } = imputationSystem(Float32Array.from([5, 0, 0, 0]), chwShape([1, 2, 2]), Uint8Array.from([1, 0, 0, 0]));
    system.diag.forEach((d) => expect(d).toBeCloseTo(1 / 6 + 1 / 6 + 1 / 12, 15));
    [5 / 6, 5 / 6, 5 / 12].forEach((v, i) => expect(rhs[i]).toBeCloseTo(v, 15));
    // unknowns (0,1), (1,0), (1,1): diagonal neighbours 1/12, edge neighbours 1/6
    const dense = [[0, -1 / 12, -1 / 6], [-1 / 12, 0, -1 / 6], [-1 / 6, -1 / 6, 0]];
    const got = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < 3; i++) for (let e = system.rowPtr[i]; e < system.rowPtr[i + 1]; e++) got[i][system.cols[e]] = system.vals[e];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(dense[i][j], 15)));
  });

  it('imputes 0 (the singular system\'s minimum-norm solution) when every pixel is removed', () => {
    const out = noisyLinearImpute(Float32Array.from([1, 2, 3, 4]), chwShape([1, 2, 2]), new Uint8Array(4), { noise: 0 });
    expect([...out]).toEqual([0, 0, 0, 0]);
    // a map that is 0 on more than 80 % of its pixels: MoRF(20)'s threshold is 0, so nothing is kept
    const map = { width: 2, height: 2, values: Float32Array.from([0, 0, 0, 0]) };
    expect([...roadKeepMask(map, 20, 'morf')]).toEqual([0, 0, 0, 0]);
  });

  it('adds seeded noise of the given standard deviation to imputed pixels only', () => {
    const shape = chwShape([2, 20, 20]);
    const x = new Float32Array(800).fill(0.5);
    const keep = Uint8Array.from({ length: 400 }, (_, p) => (p % 20 < 10 ? 1 : 0));
    const a = noisyLinearImpute(x, shape, keep, { noise: 0.01, seed: 3 });
    const b = noisyLinearImpute(x, shape, keep, { noise: 0.01, seed: 3 });
    expect(a).toEqual(b);
    const d: number[] = [];
    a.forEach((v, i) => (keep[i % 400] ? expect(v).toBe(0.5) : d.push(v - 0.5)));
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.0015); // 400 draws: 3 standard errors
    expect(sd).toBeGreaterThan(0.009);
    expect(sd).toBeLessThan(0.011);
  });
});

describe('percentile masks', () => {
  it('interpolates as numpy.percentile and keeps values below the threshold', () => {
    expect(percentile([1, 2, 3, 4], 40)).toBeCloseTo(2.2, 12);
    const map = { width: 5, height: 1, values: Float32Array.from([0.1, 0.5, 0.3, 0.9, 0.7]) };
    // t = 0.3 + 0.6·(0.5 − 0.3) = 0.42: MoRF(40) imputes the 3 most relevant pixels
    expect([...roadKeepMask(map, 40, 'morf')]).toEqual([1, 0, 1, 0, 0]);
    // 1 − map = [0.9, 0.5, 0.7, 0.1, 0.3]; t = 0.42: LeRF(40) imputes the 3 least relevant
    expect([...roadKeepMask(map, 40, 'lerf')]).toEqual([0, 0, 0, 1, 1]);
  });
});

describe('ROAD on a linear model', () => {
  // 12×12, one channel; background 0.2, a bump of +1 on the 4 central pixels, −0.8 on the 4 corners;
  // the map falls with the distance to the centre, so MoRF removes discs around the bump and LeRF
  // rings that hold the corners, and the imputation restores the background 0.2 in both.
  const n = 12;
  const shape = chwShape([1, n, n]);
  const r = uniform(11);
  const w = Float32Array.from({ length: n * n }, () => r() * 0.4 - 0.1);
  const x = new Float32Array(n * n).fill(0.2);
  const dist = (p: number) => Math.hypot(Math.floor(p / n) - 5.5, (p % n) - 5.5);
  const bump = [5 * n + 5, 5 * n + 6, 6 * n + 5, 6 * n + 6];
  const corners = [0, n - 1, n * (n - 1), n * n - 1];
  for (const p of bump) x[p] += 1;
  for (const p of corners) x[p] = -0.6;
  const map = { width: n, height: n, values: Float32Array.from({ length: n * n }, (_, p) => 1 - dist(p) / 8) };
  const m = linearModel(w);
  const z = m.logit(x);
  const morf = sigmoid(z - bump.reduce((s, p) => s + w[p], 0)) - sigmoid(z);
  const lerf = sigmoid(z + corners.reduce((s, p) => s + 0.8 * w[p], 0)) - sigmoid(z);

  it('gives the closed-form MoRF and LeRF changes without noise, and combined = (LeRF − MoRF)/2', async () => {
    const res = await road(m.score, x, shape, map, 0, { noise: 0 });
    expect(Object.keys(res.morf)).toEqual(['20', '40', '60', '80']);
    for (const p of ['20', '40', '60', '80']) {
      expect(res.morf[p]).toBeCloseTo(morf, 5);
      expect(res.lerf[p]).toBeCloseTo(lerf, 5);
    }
    expect(res.combined).toBeCloseTo((lerf - morf) / 2, 5);
    expect(m.calls).toEqual([9]);
  });

  it('moves by no more than the noise allows with noise 0.01', async () => {
    const res = await road(m.score, x, shape, map, 0, { seed: 5 });
    // the logit moves by Σ w·noise over the imputed pixels: sd ≤ 0.01·‖w‖ ≈ 0.02 here, so 0.05 is > 2 sd in probability
    for (const p of ['20', '40', '60', '80']) {
      expect(Math.abs(res.morf[p] - morf)).toBeLessThan(0.05);
      expect(Math.abs(res.lerf[p] - lerf)).toBeLessThan(0.05);
    }
  });
});
