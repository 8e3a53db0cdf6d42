// A sparse Cholesky solver for symmetric positive-definite systems: C = P A Pᵀ = L Lᵀ by the
// up-looking algorithm of Davis's CSparse (cs_etree / cs_ereach / cs_chol: the elimination tree,
// then row k of L from the reach of column k in that tree), under a fill-reducing permutation P
// given by the caller (nested-dissection.ts for pixel grids); then L y = P b, Lᵀ z = y, x = Pᵀ z
// for each right-hand side. Float64 throughout.
//
// Why not a library: the JS sparse solvers on npm are mathjs's `slu`/`lusolve` (CSparse's LU
// ported, maintained and browser-safe, but every scalar operation goes through typed-function
// dispatch: one 40,000-unknown ROAD system took 12 s to factorise, and a map needs 8) and
// unmaintained wasm ports (eigen 0.2). pytorch-grad-cam calls scipy's spsolve, a direct solver too.

/** A symmetric sparse matrix: its diagonal, and its off-diagonal entries row by row (CSR). */
export interface SymmetricSparse {
  n: number;
  diag: Float64Array;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export class SolverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolverError';
  }
}

export interface CholeskyFactor {
  n: number;
  /** perm[k] = the row of A that is row k of C. */
  perm: Int32Array;
  /** L by columns, the diagonal first in each column. */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  values: Float64Array;
}

/** Entries C(i, k), i < k, of column k of C = P A Pᵀ, handed to `visit`; plus C(k, k). */
function upperColumn(a: SymmetricSparse, perm: Int32Array, inv: Int32Array, k: number, visit: (i: number, v: number) => void): void {
  const r = perm[k];
  for (let e = a.rowPtr[r]; e < a.rowPtr[r + 1]; e++) {
    const i = inv[a.cols[e]];
    if (i < k) visit(i, a.vals[e]);
  }
}

/** Factorise A under the permutation `perm` (identity when omitted). Throws SolverError unless A is SPD. */
export function cholesky(a: SymmetricSparse, perm: Int32Array = Int32Array.from({ length: a.n }, (_, i) => i)): CholeskyFactor {
  const { n } = a;
  if (perm.length !== n) throw new RangeError(`permutation of ${perm.length} for a ${n}×${n} matrix`);
  const inv = new Int32Array(n).fill(-1);
  perm.forEach((r, k) => (inv[r] = k));
  if (inv.some((k) => k < 0)) throw new RangeError('perm is not a permutation');

  // elimination tree (cs_etree), with path compression through `ancestor`
  const parent = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    upperColumn(a, perm, inv, k, (i0) => {
      for (let i = i0; i !== -1 && i < k;) {
        const next = ancestor[i];
        ancestor[i] = k;
        if (next === -1) parent[i] = k;
        i = next;
      }
    });
  }

  // row k of L has the nodes on the tree paths from each i of column k up to k (cs_ereach)
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const reach = (k: number): number => {
    let top = n;
    mark[k] = k;
    upperColumn(a, perm, inv, k, (i0) => {
      let len = 0;
      for (let i = i0; mark[i] !== k; i = parent[i]) {
        stack[len++] = i;
        mark[i] = k;
      }
      while (len > 0) pattern[--top] = stack[--len];
    });
    return top;
  };
  const pattern = new Int32Array(n);

  // column counts from the row patterns, then the numeric factorisation (cs_chol)
  const counts = new Int32Array(n).fill(1);
  for (let k = 0; k < n; k++) for (let p = reach(k); p < n; p++) counts[pattern[p]]++;
  mark.fill(-1);
  const colPtr = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) colPtr[k + 1] = colPtr[k] + counts[k];
  const next = colPtr.slice(0, n);
  const rowIdx = new Int32Array(colPtr[n]);
  const values = new Float64Array(colPtr[n]);
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const top = reach(k);
    upperColumn(a, perm, inv, k, (i, v) => (x[i] = v));
    let d = a.diag[perm[k]];
    for (let p = top; p < n; p++) {
      const i = pattern[p];
      const lki = x[i] / values[colPtr[i]];
      x[i] = 0;
      for (let q = colPtr[i] + 1; q < next[i]; q++) x[rowIdx[q]] -= values[q] * lki;
      d -= lki * lki;
      rowIdx[next[i]] = k;
      values[next[i]++] = lki;
    }
    if (!(d > 0)) throw new SolverError(`the matrix is not positive definite (pivot ${k} is ${d})`);
    rowIdx[next[k]] = k;
    values[next[k]++] = Math.sqrt(d);
  }
  return { n, perm, colPtr, rowIdx, values };
}

/** Solve A x = b for k right-hand sides stored interleaved (b[i·k + j]); x interleaved the same way. */
export function choleskySolve(f: CholeskyFactor, b: Float64Array, k: number): Float64Array {
  const { n, perm, colPtr, rowIdx, values } = f;
  if (b.length !== n * k) throw new RangeError(`right-hand sides have ${b.length} values, not ${n}×${k}`);
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) y[i * k + j] = b[perm[i] * k + j];
  for (let c = 0; c < n; c++) { // L y = P b
    const d = values[colPtr[c]];
    for (let j = 0; j < k; j++) y[c * k + j] /= d;
    for (let q = colPtr[c] + 1; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q] * k;
      for (let j = 0; j < k; j++) y[r + j] -= values[q] * y[c * k + j];
    }
  }
  for (let c = n - 1; c >= 0; c--) { // Lᵀ z = y
    for (let q = colPtr[c] + 1; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q] * k;
      for (let j = 0; j < k; j++) y[c * k + j] -= values[q] * y[r + j];
    }
    const d = values[colPtr[c]];
    for (let j = 0; j < k; j++) y[c * k + j] /= d;
  }
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[perm[i] * k + j] = y[i * k + j];
  return out;
}
