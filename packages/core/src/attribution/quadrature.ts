// Integrated Gradients' path points and weights, as Captum's approximation_methods.py defines them:
//  - gausslegendre: numpy's leggauss(n) nodes x and weights w on [-1, 1] → alphas 0.5·(1 + x),
//    step sizes 0.5·w (ascending alphas). Computed here by Newton's method on the Legendre
//    polynomial in float64 (numpy: companion-matrix eigenvalues polished by one Newton step); both
//    agree to ~1e-15.
//  - riemann_trapezoid: alphas torch.linspace(0, 1, n) (float32), step sizes 1/n with the first and
//    last halved. Captum's trapezoid weights sum to (n − 1)/n, not 1, so its IG of a linear model is
//    (n − 1)/n of the exact value; we keep that, to give what Captum gives.
import type { IntegrationRule } from './types.js';

export interface Quadrature {
  alphas: Float64Array;
  weights: Float64Array;
}

/** P_n(x) and P_n'(x) by the three-term recurrence. */
function legendre(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  const p = n === 0 ? 1 : p1;
  const dp = n === 0 ? 0 : (n * (x * p - p0)) / (x * x - 1);
  return [p, dp];
}

/** Gauss-Legendre nodes (ascending) and weights on [-1, 1]. */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Gauss-Legendre needs n ≥ 1 points, not ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  if (n === 1) {
    weights[0] = 2;
    return { nodes, weights };
  }
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // i-th largest root; Tricomi's initial guess
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const [p, dp] = legendre(n, x);
      const dx = p / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const [, dp] = legendre(n, x);
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[n - 1 - i] = x;
    nodes[i] = -x;
    weights[n - 1 - i] = w;
    weights[i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

/** torch.linspace(0, 1, n) in float32: the first half counts up from 0, the second half down from 1. */
function linspace01(n: number): Float64Array {
  const f = Math.fround;
  const step = f(1 / (n - 1));
  const out = new Float64Array(n);
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) out[i] = i < half ? f(i * step) : f(1 - f(step * (n - 1 - i)));
  return out;
}

/** Alphas (points on the path, in [0, 1]) and step sizes of `rule` with n points. */
export function quadrature(rule: IntegrationRule, n: number): Quadrature {
  if (rule === 'gausslegendre') {
    const { nodes, weights } = gaussLegendre(n);
    return { alphas: nodes.map((x) => 0.5 * (1 + x)), weights: weights.map((w) => 0.5 * w) };
  }
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`riemann_trapezoid needs n ≥ 2 steps, not ${n}`);
  const weights = new Float64Array(n).fill(1 / n);
  weights[0] /= 2;
  weights[n - 1] /= 2;
  return { alphas: linspace01(n), weights };
}
