// Integrated Gradients' quadratures against independent values: numpy.polynomial.legendre.leggauss
// (printed with numpy 2, float64) and the exactness of an n-point Gauss rule for polynomials of
// degree 2n − 1; Captum's trapezoid weights and torch.linspace alphas.
import { describe, it, expect } from 'vitest';
import { gaussLegendre, quadrature } from '../../../packages/core/src/attribution/quadrature.js';

describe('Gauss-Legendre points and weights', () => {
  it('equal numpy leggauss for n = 1, 2, 3, 5, 50 (to 1e-14)', () => {
    const numpy: [number, number[], number[]][] = [
      [1, [0], [2]],
      [2, [-0.5773502691896257, 0.5773502691896257], [1, 1]],
      [3, [-0.7745966692414834, 0, 0.7745966692414834], [0.5555555555555557, 0.8888888888888888, 0.5555555555555557]],
      [5, [-0.906179845938664, -0.5384693101056831, 0], [0.23692688505618928, 0.4786286704993663, 0.5688888888888887]],
      [50, [-0.998866404420071, -0.9940319694320907, -0.9853540840480058], [0.0029086225531579266, 0.006759799195744566, 0.010590548383651496]],
    ];
    for (const [n, x, w] of numpy) {
      const g = gaussLegendre(n);
      expect(g.nodes).toHaveLength(n);
      x.forEach((v, i) => expect(Math.abs(g.nodes[i] - v), `n=${n} node ${i}`).toBeLessThanOrEqual(1e-14));
      w.forEach((v, i) => expect(Math.abs(g.weights[i] - v), `n=${n} weight ${i}`).toBeLessThanOrEqual(1e-14));
    }
  });

  it('integrate x^k exactly on [0, 1] for k ≤ 2n − 1 (alphas and step sizes as IG uses them)', () => {
    for (const n of [1, 4, 50]) {
      const { alphas, weights } = quadrature('gausslegendre', n);
      for (let k = 0; k <= 2 * n - 1; k += n > 4 ? 7 : 1) {
        const s = alphas.reduce((acc, a, i) => acc + weights[i] * a ** k, 0);
        expect(Math.abs(s - 1 / (k + 1)), `n=${n} k=${k}`).toBeLessThanOrEqual(1e-13);
      }
      // ascending alphas inside (0, 1)
      for (let i = 1; i < n; i++) expect(alphas[i]).toBeGreaterThan(alphas[i - 1]);
      expect(alphas[0]).toBeGreaterThan(0);
      expect(alphas[n - 1]).toBeLessThan(1);
    }
  });
});

describe("Captum's riemann_trapezoid", () => {
  it('step sizes 1/n with the ends halved (sum (n − 1)/n), alphas linspace(0, 1, n)', () => {
    const { alphas, weights } = quadrature('riemann_trapezoid', 5);
    expect(Array.from(weights)).toEqual([0.1, 0.2, 0.2, 0.2, 0.1]);
    expect(Array.from(alphas)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const q = quadrature('riemann_trapezoid', 50);
    expect(q.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(49 / 50, 14);
    expect(q.alphas[0]).toBe(0);
    expect(q.alphas[49]).toBe(1);
    // float32 linspace: within one float32 ulp of i/49
    q.alphas.forEach((a, i) => expect(Math.abs(a - i / 49)).toBeLessThanOrEqual(6e-8));
  });

  it('needs at least 2 steps', () => {
    expect(() => quadrature('riemann_trapezoid', 1)).toThrow(RangeError);
    expect(() => gaussLegendre(0)).toThrow(RangeError);
  });
});
