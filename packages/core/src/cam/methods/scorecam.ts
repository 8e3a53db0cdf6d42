// Score-CAM (Wang et al. 2020), as pytorch-grad-cam computes it: each channel, upsampled to the
// input size (bilinear, align_corners=True) and min-max normalised (+1e-8), masks the input; the
// target's score on each masked input, softmax-ed over channels, weights the channels.
// The masked inputs do not depend on the target, so all K targets share one set of C passes,
// run batchSize at a time. Masks are made a batch at a time (one pass per channel: upsample, min,
// max, then scale), and the runtime multiplies them into the input (ctx.forwardMaskedInputs) when it
// can. A channel that is constant (a dead ReLU channel, often 10–30 % of a layer) has a mask of
// zeros, so all such channels mask the input to the same zero image: it runs once and its logits
// are copied to the others.
import { alignCornersTaps } from '../resize.js';
import { softmax, targetScores } from '../targets.js';
import { dims, weightedCam } from '../combine.js';
import type { CamContext, CamMethod } from '../types.js';
import { channelForwardPasses } from '../passes.js';

const EPS = 1e-8;

/**
 * Writes channel c's mask [H·W] at out[offset…] and says whether the channel was constant (its mask
 * is then all zeros). Bit for bit the values of upsampling with resizeAlignCorners, then
 * (m − min) / (max − min + 1e-8) in float32.
 */
export type MaskWriter = (c: number, out: Float32Array, offset: number) => boolean;

export function scoreCamMaskWriter(ctx: CamContext): MaskWriter {
  const { data: A, height: h, width: w } = ctx.activations;
  const [, , H, W] = ctx.inputDims;
  const tx = alignCornersTaps(w, W);
  const ty = alignCornersTaps(h, H);
  const rows = new Float64Array(h * W);
  const n = H * W;
  return (c, out, offset) => {
    // horizontal pass into rows of the output width, then vertical (resizeAlignCorners' order)
    const r0 = c * h * w;
    const { i0: xi0, i1: xi1, f: xf } = tx;
    for (let y = 0; y < h; y++) {
      const r = r0 + y * w;
      const ro = y * W;
      for (let x = 0; x < W; x++) {
        const f = xf[x];
        rows[ro + x] = A[r + xi0[x]] * (1 - f) + A[r + xi1[x]] * f;
      }
    }
    let lo = Infinity;
    let hi = -Infinity;
    const { i0: yi0, i1: yi1, f: yf } = ty;
    for (let y = 0; y < H; y++) {
      const f = yf[y];
      const a = yi0[y] * W;
      const b = yi1[y] * W;
      const q = offset + y * W;
      for (let x = 0; x < W; x++) {
        const v = Math.fround(rows[a + x] * (1 - f) + rows[b + x] * f);
        out[q + x] = v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const d = Math.fround(Math.fround(hi - lo) + EPS);
    for (let i = offset; i < offset + n; i++) out[i] = Math.fround(out[i] - lo) / d;
    return hi === lo;
  };
}

/** Per-channel masks [C, H, W]: normalised upsampled activations. */
export function scoreCamMasks(ctx: CamContext): Float32Array {
  const { channels: C } = ctx.activations;
  const [, , H, W] = ctx.inputDims;
  const n = H * W;
  const masks = new Float32Array(C * n);
  const write = scoreCamMaskWriter(ctx);
  for (let c = 0; c < C; c++) write(c, masks, c * n);
  return masks;
}

export const scoreCam: CamMethod = {
  id: 'scorecam',
  kind: 'cam',
  name: 'Score-CAM',
  needsGradients: false,
  cost: 'perturbation',
  passes: channelForwardPasses,
  async compute(ctx) {
    const { C } = dims(ctx);
    const [, ch, H, W] = ctx.inputDims;
    const n = H * W;
    const K = ctx.numClasses;
    const write = scoreCamMaskWriter(ctx);
    const logits = new Float32Array(C * K);
    // the first constant channel runs; the others copy its logits
    let zeroChannel = -1;
    const copies: number[] = [];
    let c = 0;
    while (c < C) {
      // a new buffer per run: a runtime may keep or transfer the one it was given
      const masks = new Float32Array(Math.min(ctx.batchSize, C - c) * n);
      const channels: number[] = [];
      while (c < C && channels.length < ctx.batchSize) {
        if (write(c, masks, channels.length * n)) {
          if (zeroChannel >= 0) {
            copies.push(c++);
            continue;
          }
          zeroChannel = c;
        }
        channels.push(c++);
      }
      const b = channels.length;
      if (!b) break;
      let out: Float32Array;
      if (ctx.forwardMaskedInputs) {
        out = await ctx.forwardMaskedInputs(b === masks.length / n ? masks : masks.subarray(0, b * n), b);
      } else {
        const batch = new Float32Array(b * ch * n);
        for (let i = 0; i < b; i++) {
          for (let k = 0; k < ch; k++) {
            const src = k * n;
            const dst = (i * ch + k) * n;
            const mo = i * n;
            for (let p = 0; p < n; p++) batch[dst + p] = ctx.input[src + p] * masks[mo + p];
          }
        }
        out = await ctx.forwardInputs(batch, b);
      }
      channels.forEach((ci, i) => logits.set(out.subarray(i * K, (i + 1) * K), ci * K));
    }
    const zero = logits.subarray(zeroChannel * K, (zeroChannel + 1) * K);
    for (const ci of copies) logits.set(zero, ci * K);
    return ctx.targets.map((t) => weightedCam(ctx, softmax(targetScores(logits, C, K, t))));
  },
};
