// ROAD's noisy linear imputation (Rong et al. 2022; pytorch-grad-cam 1.5.5's NoisyLinearImputer,
// taken from the authors' road_evaluation): every removed pixel becomes the weighted mean of its
// in-image 8 neighbours (weight 1/6 for the 4 edge neighbours, 1/12 for the 4 diagonal ones; a pixel
// on the border averages over the neighbours it has), solved jointly for all removed pixels and
// channels, then `noise · N(0, 1)` is added to each imputed value. With s_i the summed weight of
// pixel i's in-image neighbours the system is, for removed i,
//   s_i x_i − Σ_{removed j ~ i} w_ij x_j = Σ_{kept j ~ i} w_ij v_j,
// pytorch-grad-cam's A x = b multiplied by −1: symmetric, diagonally dominant, positive definite
// (every connected removed region that is not the whole image touches a kept pixel), solved
// directly by a sparse Cholesky factorisation in nested-dissection order (scipy's spsolve is direct too).
// The noise is seeded (mulberry32 + Box–Muller), drawn channel by channel in row-major pixel order as
// torch.randn_like(res.t()) is laid out; torch's generator cannot be reproduced, so noisy values
// match pytorch-grad-cam in distribution only. noise = 0 gives the deterministic solution.
import { seededRandom, type Random } from '../metrics/random.js';
import { nestedDissection } from './nested-dissection.js';
import { cholesky, choleskySolve, type SymmetricSparse } from './sparse-cholesky.js';
import type { ChwShape } from './perturb.js';

/** [row offset, column offset, weight] of the 8 neighbours. */
export const NEIGHBOUR_WEIGHTS: readonly (readonly [number, number, number])[] = [
  [1, 1, 1 / 12], [0, 1, 1 / 6], [-1, 1, 1 / 12], [1, -1, 1 / 12],
  [0, -1, 1 / 6], [-1, -1, 1 / 12], [1, 0, 1 / 6], [-1, 0, 1 / 6],
];

export const ROAD_NOISE = 0.01;

/** Standard normal draws from a uniform generator (Box–Muller, both values of each pair used). */
export function normalSampler(random: Random): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - random(); // (0, 1]
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface ImputeOptions {
  /** Standard deviation of the noise added to imputed values (default 0.01). */
  noise?: number;
  /** Seed of the noise (default 0), or a normal sampler to draw from. */
  seed?: number;
  normal?: () => number;
}

/** The system's matrix and right-hand sides (interleaved by channel) for the removed pixels. */
export function imputationSystem(input: Float32Array, shape: ChwShape, keep: Uint8Array): { system: SymmetricSparse; rhs: Float64Array; removed: Int32Array } {
  const { channels: k, height: h, width: w } = shape;
  const plane = h * w;
  const removed = Int32Array.from({ length: plane }, (_, p) => p).filter((p) => !keep[p]);
  const index = new Int32Array(plane).fill(-1);
  removed.forEach((p, i) => (index[p] = i));
  const n = removed.length;
  const diag = new Float64Array(n);
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const rhs = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(removed[i] / w);
    const x = removed[i] % w;
    for (const [dy, dx, weight] of NEIGHBOUR_WEIGHTS) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
      diag[i] += weight;
      const q = yy * w + xx;
      if (keep[q]) {
        for (let c = 0; c < k; c++) rhs[i * k + c] += weight * input[c * plane + q];
      } else {
        cols.push(index[q]);
        vals.push(-weight);
      }
    }
    rowPtr[i + 1] = cols.length;
  }
  return { system: { n, diag, rowPtr, cols: Int32Array.from(cols), vals: Float64Array.from(vals) }, rhs, removed };
}

/** The input with every pixel where keep[p] = 0 imputed (all channels); a new tensor. */
export function noisyLinearImpute(input: Float32Array, shape: ChwShape, keep: Uint8Array, options: ImputeOptions = {}): Float32Array {
  const plane = shape.height * shape.width;
  if (input.length !== plane * shape.channels) throw new RangeError(`input has ${input.length} values, not ${shape.channels}×${shape.height}×${shape.width}`);
  if (keep.length !== plane) throw new RangeError(`mask has ${keep.length} pixels, not ${shape.height}×${shape.width}`);
  const noise = options.noise ?? ROAD_NOISE;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`noise must be a finite number ≥ 0, not ${noise}`);
  const out = Float32Array.from(input);
  const { system, rhs, removed } = imputationSystem(input, shape, keep);
  if (removed.length === 0) return out;
  const k = shape.channels;
  const ys = removed.map((p) => Math.floor(p / shape.width));
  const xs = removed.map((p) => p % shape.width);
  // Every pixel removed (a map whose percentile threshold is its minimum, e.g. mostly zeros): the
  // system is singular (constants solve it) and consistent (b = 0); scipy's spsolve returns NaN
  // there. We take its minimum-norm solution, 0 — the deletion substrate — then add the noise.
  const solution = removed.length === plane ? new Float64Array(plane * k) : choleskySolve(cholesky(system, nestedDissection(ys, xs)), rhs, k);
  const normal = options.normal ?? normalSampler(seededRandom(options.seed ?? 0));
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < removed.length; i++) {
      // the solution is rounded to float32 first (torch.tensor(..., dtype=torch.float)), then the noise added
      out[c * plane + removed[i]] = Math.fround(solution[i * k + c]) + (noise ? noise * normal() : 0);
    }
  }
  return out;
}
