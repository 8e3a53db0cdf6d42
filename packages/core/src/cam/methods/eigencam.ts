// EigenCAM (Muhammad & Yeasin 2020): the first principal component of the activations. It does
// not depend on the class, so every target gets the same map.
import { project2d } from '../projection.js';
import { dims } from '../combine.js';
import type { CamMethod } from '../types.js';
import { noPasses } from '../passes.js';

export const eigenCam: CamMethod = {
  id: 'eigencam',
  kind: 'cam',
  name: 'EigenCAM',
  needsGradients: false,
  cost: 'activation',
  passes: noPasses,
  async compute(ctx) {
    const { C, hw } = dims(ctx);
    const cam = project2d(ctx.activations.data, C, hw);
    return ctx.targets.map(() => cam.slice());
  },
};
