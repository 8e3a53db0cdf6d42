// Score-CAM (Wang et al. 2020), as pytorch-grad-cam computes it: each channel, upsampled to the
// input size (bilinear, align_corners=True) and min-max normalised (+1e-8), masks the input; the
// target's score on each masked input, softmax-ed over channels, weights the channels.
// The masked inputs do not depend on the target, so all K targets share one set of C passes,
// run batchSize at a time.
import { resizeAlignCorners } from '../resize.js';
import { softmax, targetScores } from '../targets.js';
import { dims, weightedCam } from '../combine.js';
import type { CamContext, CamMethod } from '../types.js';
import { channelForwardPasses } from '../passes.js';

const EPS = 1e-8;

/** Per-channel masks [C, H, W]: normalised upsampled activations. */
export function scoreCamMasks(ctx: CamContext): Float32Array {
  const { channels: C, height: h, width: w } = ctx.activations;
  const [, , H, W] = ctx.inputDims;
  const masks = resizeAlignCorners(ctx.activations.data, C, w, h, W, H);
  const n = H * W;
  for (let c = 0; c < C; c++) {
    const m = masks.subarray(c * n, (c + 1) * n);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of m) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const d = Math.fround(Math.fround(hi - lo) + EPS);
    for (let i = 0; i < n; i++) m[i] = Math.fround(m[i] - lo) / d;
  }
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
    const masks = scoreCamMasks(ctx);
    const logits = new Float32Array(C * ctx.numClasses);
    for (let start = 0; start < C; start += ctx.batchSize) {
      const b = Math.min(ctx.batchSize, C - start);
      const batch = new Float32Array(b * ch * n);
      for (let i = 0; i < b; i++) {
        const m = masks.subarray((start + i) * n, (start + i + 1) * n);
        for (let c = 0; c < ch; c++) {
          const src = c * n;
          const dst = (i * ch + c) * n;
          for (let p = 0; p < n; p++) batch[dst + p] = ctx.input[src + p] * m[p];
        }
      }
      logits.set(await ctx.forwardInputs(batch, b), start * ctx.numClasses);
    }
    return ctx.targets.map((t) => weightedCam(ctx, softmax(targetScores(logits, C, ctx.numClasses, t))));
  },
};
