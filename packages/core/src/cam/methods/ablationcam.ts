// Ablation-CAM (Desai & Ramaswamy 2020), as pytorch-grad-cam computes it: zero one channel of the
// target layer at a time (or, when the layer's minimum is not 0, set it to min − 1e7), run the
// rest of the network, and weight the channel by the relative drop of the target's score,
// (score − ablated) / score. Channels are ablated batchSize at a time; all K targets share the
// passes. (pytorch-grad-cam lowers the ablation value by a further 1e7 for each later image in a
// batch when the minimum is not 0, which makes its result depend on the batch size; we use
// min − 1e7 for every channel.)
import { targetScores } from '../targets.js';
import { dims, weightedCam } from '../combine.js';
import type { CamMethod } from '../types.js';
import { channelHeadPasses } from '../passes.js';

const ABLATION_OFFSET = 1e7;

export const ablationCam: CamMethod = {
  id: 'ablationcam',
  kind: 'cam',
  name: 'Ablation-CAM',
  needsGradients: false,
  cost: 'perturbation',
  passes: channelHeadPasses,
  async compute(ctx) {
    const A = ctx.activations.data;
    const { C, hw } = dims(ctx);
    let min = Infinity;
    for (const v of A) if (v < min) min = v;
    const value = min === 0 ? 0 : min - ABLATION_OFFSET;
    const logits = new Float32Array(C * ctx.numClasses);
    for (let start = 0; start < C; start += ctx.batchSize) {
      const b = Math.min(ctx.batchSize, C - start);
      const batch = new Float32Array(b * A.length);
      for (let i = 0; i < b; i++) {
        batch.set(A, i * A.length);
        batch.fill(value, i * A.length + (start + i) * hw, i * A.length + (start + i + 1) * hw);
      }
      logits.set(await ctx.forwardActivations(batch, b), start * ctx.numClasses);
    }
    return ctx.targets.map((t) => {
      const original = targetScores(ctx.logits, 1, ctx.numClasses, t)[0];
      const ablated = targetScores(logits, C, ctx.numClasses, t);
      return weightedCam(ctx, ablated.map((s) => (original - s) / original));
    });
  },
};
