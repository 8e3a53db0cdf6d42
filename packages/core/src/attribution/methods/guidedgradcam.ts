// Guided Grad-CAM (Selvaraju et al. 2017), Captum's GuidedGradCam: the guided-backpropagation
// attribution times the target layer's Grad-CAM (relu, unscaled) upsampled to the input with
// nearest-neighbour interpolation (Captum's default interpolate_mode), the same map for every channel.
import type { AttributionMethod } from '../types.js';
import { guidedGradCamPasses } from '../passes.js';
import { gradientsAtInput } from '../batches.js';
import { upsampleNearest } from '../upsample.js';
import { relu } from '../../cam/pipeline.js';

export const guidedGradCam: AttributionMethod = {
  id: 'guidedgradcam',
  kind: 'attribution',
  name: 'Guided Grad-CAM',
  needsGradients: true,
  cost: 'gradient-input',
  passes: guidedGradCamPasses,
  async compute(ctx) {
    const [, C, H, W] = ctx.inputDims;
    const { cams, height, width } = await ctx.layerGradCam();
    const guided = await gradientsAtInput(ctx, 'guided');
    const hw = H * W;
    return guided.map((g, k) => {
      const cam = upsampleNearest(relu(cams[k]), width, height, W, H);
      for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) g[c * hw + p] *= cam[p];
      return { values: g };
    });
  },
};
