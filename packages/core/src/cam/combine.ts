// Helpers the CAM methods share: per-target slices of the gradients, channel-weighted sums and
// pytorch-grad-cam's BaseCAM.get_cam_image (weights·activations summed over channels, or their
// first principal component with eigen_smooth).
import { project2d } from './projection.js';
import type { CamContext } from './types.js';

export interface Dims {
  C: number;
  hw: number;
  K: number;
}

export function dims(ctx: CamContext): Dims {
  const { channels, height, width } = ctx.activations;
  return { C: channels, hw: height * width, K: ctx.targets.length };
}

/** The gradients of target k: [C, h, w]. */
export function gradientsOf(ctx: CamContext, k: number): Float32Array {
  if (!ctx.gradients) throw new Error('this CAM method needs gradients, but none were computed');
  const n = ctx.activations.channels * ctx.activations.height * ctx.activations.width;
  return ctx.gradients.subarray(k * n, (k + 1) * n);
}

/** Σ_c weights[c]·A[c] — or, with eigenSmooth, the 2-D projection of weights[c]·A[c]. */
export function weightedCam(ctx: CamContext, weights: ArrayLike<number>): Float32Array {
  const A = ctx.activations.data;
  const { C, hw } = dims(ctx);
  if (ctx.eigenSmooth) {
    const weighted = new Float32Array(C * hw);
    for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) weighted[c * hw + p] = weights[c] * A[c * hw + p];
    return project2d(weighted, C, hw);
  }
  const cam = new Float64Array(hw);
  for (let c = 0; c < C; c++) {
    const w = weights[c];
    if (w === 0) continue;
    for (let p = 0; p < hw; p++) cam[p] += w * A[c * hw + p];
  }
  return Float32Array.from(cam);
}

/** Σ_c T[c] over channels of a [C, h, w] tensor — or, with eigenSmooth, its 2-D projection. */
export function channelSum(ctx: CamContext, tensor: Float32Array): Float32Array {
  const { C, hw } = dims(ctx);
  if (ctx.eigenSmooth) return project2d(tensor, C, hw);
  const cam = new Float64Array(hw);
  for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) cam[p] += tensor[c * hw + p];
  return Float32Array.from(cam);
}

/** Σ over positions of each channel of a [C, h, w] tensor. */
export function spatialSums(tensor: ArrayLike<number>, C: number, hw: number): Float64Array {
  const s = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let acc = 0;
    for (let p = 0; p < hw; p++) acc += tensor[c * hw + p];
    s[c] = acc;
  }
  return s;
}

/** Run `fn` once per target, collecting one map each. */
export function perTarget(ctx: CamContext, fn: (k: number) => Float32Array): Float32Array[] {
  return ctx.targets.map((_, k) => fn(k));
}

/** Σ_c f(g, a) over channels for target k's gradients g and the activations a (projected with eigenSmooth). */
export function elementwiseCam(ctx: CamContext, k: number, f: (g: number, a: number) => number): Float32Array {
  const A = ctx.activations.data;
  const G = gradientsOf(ctx, k);
  const t = new Float32Array(A.length);
  for (let i = 0; i < A.length; i++) t[i] = f(G[i], A[i]);
  return channelSum(ctx, t);
}

/** Per-channel weights Σ_ij f(g, a, c) over the positions of target k's gradients and the activations. */
export function channelWeights(ctx: CamContext, k: number, f: (g: number, a: number, c: number) => number): Float64Array {
  const A = ctx.activations.data;
  const G = gradientsOf(ctx, k);
  const { C, hw } = dims(ctx);
  const w = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let p = c * hw; p < (c + 1) * hw; p++) s += f(G[p], A[p], c);
    w[c] = s;
  }
  return w;
}
