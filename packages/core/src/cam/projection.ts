// pytorch-grad-cam's get_2d_projection: the first principal component of a [C, h, w] tensor
// seen as h·w samples of C channels (channels centred over positions, then SVD).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Projection of each position onto the first right singular vector of the centred [h·w, C]
 * matrix X, i.e. X·v₁ = σ₁·u₁. Only that one component is needed, so instead of a full SVD we
 * take the top eigenvector of the smaller Gram matrix (X·Xᵀ or Xᵀ·X, at most 196×196 for
 * usual layers). The sign of a singular vector is arbitrary (numpy returns whatever LAPACK
 * gives); we orient it to agree with the plain channel sum of the tensor, so that
 * eigen-smoothing keeps the direction of the map it smooths and EigenCAM highlights where the
 * activations are large.
 */
export function project2d(tensor: ArrayLike<number>, channels: number, positions: number): Float32Array {
  const P = positions;
  const C = channels;
  const X = new Float64Array(C * P); // channel-major: X[c·P + p]
  const channelSum = new Float64Array(P);
  for (let c = 0; c < C; c++) {
    let mean = 0;
    for (let p = 0; p < P; p++) {
      const v = tensor[c * P + p];
      mean += Number.isNaN(v) ? 0 : v;
    }
    mean /= P;
    for (let p = 0; p < P; p++) {
      const raw = tensor[c * P + p];
      const v = Number.isNaN(raw) ? 0 : raw;
      X[c * P + p] = v - mean;
      channelSum[p] += v;
    }
  }
  const out = new Float32Array(P);
  if (P < 2 || C < 1) return out;
  const projection = new Float64Array(P);
  if (P <= C) {
    // X·Xᵀ = U Σ² Uᵀ: projection = σ₁ u₁ (rows of X made contiguous first)
    const rows = new Float64Array(P * C);
    for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) rows[p * C + c] = X[c * P + p];
    const { vector, value } = top(gram(rows, P, C), P);
    const sigma = Math.sqrt(Math.max(value, 0));
    for (let p = 0; p < P; p++) projection[p] = sigma * vector[p];
  } else {
    // Xᵀ·X = V Σ² Vᵀ: projection = X v₁
    const { vector } = top(gram(X, C, P), C);
    for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) projection[p] += X[c * P + p] * vector[c];
  }
  let agreement = 0;
  for (let p = 0; p < P; p++) agreement += projection[p] * channelSum[p];
  const sign = agreement < 0 ? -1 : 1;
  for (let p = 0; p < P; p++) out[p] = sign * projection[p];
  return out;
}

/** Gram matrix of n contiguous rows of length m: G[a, b] = rowₐ · row_b. */
function gram(rows: Float64Array, n: number, m: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let i = 0, ia = a * m, ib = b * m; i < m; i++) s += rows[ia + i] * rows[ib + i];
      g[a * n + b] = s;
      g[b * n + a] = s;
    }
  }
  return g;
}

/**
 * Largest eigenvalue of a symmetric positive semi-definite matrix and its unit eigenvector, by
 * Lanczos iteration with full re-orthogonalisation: m ≤ 48 matrix-vector products build a small
 * tridiagonal matrix whose top eigenpair (ml-matrix) gives the Ritz pair; restarted from the Ritz
 * vector until the residual ‖G·y − θ·y‖ is below 1e-9·θ. A full eigen-decomposition of G would
 * cost O(n³) for the one vector we need.
 */
function top(g: Float64Array, n: number): { value: number; vector: Float64Array } {
  const matvec = (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0, r = i * n; j < n; j++) s += g[r + j] * x[j];
      y[i] = s;
    }
  };
  const m = Math.min(n, 48);
  // deterministic start with no special structure
  let start = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(1 + 7.31 * i));
  let best = { value: 0, vector: new Float64Array(n) };
  for (let restart = 0; restart < 20; restart++) {
    const Q: Float64Array[] = [];
    const alpha: number[] = [];
    const beta: number[] = [];
    let q = normalise(start);
    const w = new Float64Array(n);
    for (let k = 0; k < m; k++) {
      Q.push(q);
      matvec(q, w);
      alpha.push(dot(w, q));
      // full re-orthogonalisation (twice is enough) keeps the basis orthogonal in floating point
      for (let pass = 0; pass < 2; pass++) for (const v of Q) axpy(-dot(w, v), v, w);
      const b = Math.sqrt(dot(w, w));
      if (k === m - 1 || b <= 1e-13 * Math.abs(alpha[0] || 1)) break;
      beta.push(b);
      q = w.map((v) => v / b);
    }
    const T = new Matrix(Q.length, Q.length);
    for (let i = 0; i < Q.length; i++) {
      T.set(i, i, alpha[i]);
      if (i + 1 < Q.length) {
        T.set(i, i + 1, beta[i]);
        T.set(i + 1, i, beta[i]);
      }
    }
    const evd = new EigenvalueDecomposition(T, { assumeSymmetric: true });
    let k = 0;
    evd.realEigenvalues.forEach((v, i) => { if (v > evd.realEigenvalues[k]) k = i; });
    const s = evd.eigenvectorMatrix.getColumn(k);
    const y = new Float64Array(n);
    Q.forEach((v, i) => axpy(s[i], v, y));
    const ny = normalise(y);
    const gy = new Float64Array(n);
    matvec(ny, gy);
    const theta = dot(gy, ny);
    axpy(-theta, ny, gy);
    best = { value: theta, vector: ny };
    if (Math.sqrt(dot(gy, gy)) <= 1e-9 * Math.max(Math.abs(theta), 1e-300) || Q.length === n) break;
    start = ny;
  }
  return best;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function normalise(x: Float64Array): Float64Array<ArrayBuffer> {
  const norm = Math.sqrt(dot(x, x)) || 1;
  return x.map((v) => v / norm);
}
