// A sparse symmetric positive-definite solver: Jacobi-preconditioned conjugate gradients, several
// right-hand sides at once (one matrix pass serves all of them), float64 throughout.
//
// Why not a library: the JS sparse solvers on npm are mathjs's `slu`/`lusolve` (CSparse's LU ported,
// maintained and browser-safe, but every scalar operation goes through typed-function dispatch: one
// 40,000-unknown ROAD system took 12 s to factorise, ×8 systems per map) and unmaintained wasm ports
// (eigen 0.2). ROAD's systems are graph Laplacians with Dirichlet boundaries (diagonally dominant,
// SPD), the textbook case for CG, which converges in a few hundred iterations on a 224² image.
// scipy's spsolve (what pytorch-grad-cam calls) is a direct solve; at the default tolerance
// (relative residual 1e-10) the two agree far below float32 resolution.

/** A symmetric sparse matrix: its diagonal, and its off-diagonal entries row by row (CSR). */
export interface SymmetricSparse {
  n: number;
  diag: Float64Array;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export interface CgOptions {
  /** Stop when ‖b − Ax‖ ≤ tolerance · ‖b‖ for every right-hand side (default 1e-10). */
  tolerance?: number;
  /** Default 10 n + 100. */
  maxIterations?: number;
}

export class SolverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolverError';
  }
}

/** out = A v for `k` vectors stored interleaved (v[i·k + j] is entry i of vector j). */
function multiply(a: SymmetricSparse, v: Float64Array, out: Float64Array, k: number): void {
  for (let i = 0; i < a.n; i++) {
    for (let j = 0; j < k; j++) out[i * k + j] = a.diag[i] * v[i * k + j];
    for (let e = a.rowPtr[i]; e < a.rowPtr[i + 1]; e++) {
      const c = a.cols[e] * k;
      const w = a.vals[e];
      for (let j = 0; j < k; j++) out[i * k + j] += w * v[c + j];
    }
  }
}

/**
 * Solve A X = B for an SPD matrix A and k right-hand sides B (interleaved: B[i·k + j]); returns X
 * interleaved the same way. Throws SolverError when it does not converge.
 */
export function solveSpd(a: SymmetricSparse, b: Float64Array, k: number, options: CgOptions = {}): Float64Array {
  const { n } = a;
  if (b.length !== n * k) throw new RangeError(`right-hand sides have ${b.length} values, not ${n}×${k}`);
  const tol = options.tolerance ?? 1e-10;
  const maxIt = options.maxIterations ?? 10 * n + 100;
  for (let i = 0; i < n; i++) if (!(a.diag[i] > 0)) throw new SolverError(`diagonal entry ${i} is ${a.diag[i]}, not positive`);
  const x = new Float64Array(n * k);
  const r = Float64Array.from(b);
  const z = new Float64Array(n * k);
  const p = new Float64Array(n * k);
  const ap = new Float64Array(n * k);
  const rz = new Float64Array(k);
  const bNorm = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const q = i * k + j;
      z[q] = r[q] / a.diag[i];
      p[q] = z[q];
      rz[j] += r[q] * z[q];
      bNorm[j] += b[q] * b[q];
    }
  }
  const done = Array.from(bNorm, (s) => s === 0);
  const pap = new Float64Array(k);
  const rr = new Float64Array(k);
  for (let it = 0; it < maxIt; it++) {
    if (done.every(Boolean)) return x;
    multiply(a, p, ap, k);
    pap.fill(0);
    for (let q = 0; q < n * k; q++) pap[q % k] += p[q] * ap[q];
    rr.fill(0);
    for (let q = 0; q < n * k; q++) {
      const j = q % k;
      if (done[j]) continue;
      const alpha = rz[j] / pap[j];
      x[q] += alpha * p[q];
      r[q] -= alpha * ap[q];
      rr[j] += r[q] * r[q];
    }
    for (let j = 0; j < k; j++) if (rr[j] <= tol * tol * bNorm[j]) done[j] = true;
    const rzNew = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const q = i * k + j;
        z[q] = r[q] / a.diag[i];
        rzNew[j] += r[q] * z[q];
      }
    }
    for (let q = 0; q < n * k; q++) {
      const j = q % k;
      if (!done[j]) p[q] = z[q] + (rzNew[j] / rz[j]) * p[q];
    }
    rz.set(rzNew);
  }
  if (done.every(Boolean)) return x;
  throw new SolverError(`conjugate gradients did not reach relative residual ${tol} in ${maxIt} iterations`);
}
