// The CAM methods by id, in the order we offer them.
import { ablationCam } from './methods/ablationcam.js';
import { eigenCam } from './methods/eigencam.js';
import { eigenGradCam } from './methods/eigengradcam.js';
import { gradCamElementWise } from './methods/gradcam-elementwise.js';
import { gradCamPlusPlus } from './methods/gradcam-plusplus.js';
import { gradCam } from './methods/gradcam.js';
import { hiResCam } from './methods/hirescam.js';
import { layerCam } from './methods/layercam.js';
import { scoreCam } from './methods/scorecam.js';
import { xGradCam } from './methods/xgradcam.js';
import type { CamMethod } from './types.js';

export const camMethods: readonly CamMethod[] = [
  gradCam, hiResCam, gradCamElementWise, gradCamPlusPlus, xGradCam, layerCam,
  eigenCam, eigenGradCam, scoreCam, ablationCam,
];

/** Spellings users type for the same method (pytorch-grad-cam's class names among them). */
const ALIASES: Record<string, string> = {
  gradcampp: 'gradcam++', gradcamplusplus: 'gradcam++', 'grad-cam++': 'gradcam++',
  'grad-cam': 'gradcam', gradcamelementwise: 'gradcam-elementwise', 'score-cam': 'scorecam',
  'ablation-cam': 'ablationcam', 'xgrad-cam': 'xgradcam', 'eigen-cam': 'eigencam',
};

/** The other accepted spellings of a method id. */
export function methodAliases(id: string): string[] {
  return Object.entries(ALIASES).filter(([, v]) => v === id).map(([k]) => k);
}

export class UnknownMethodError extends Error {
  constructor(readonly method: string) {
    super(`unknown CAM method '${method}' (known: ${camMethods.map((m) => m.id).join(', ')})`);
    this.name = 'UnknownMethodError';
  }
}

export function getCamMethod(id: string): CamMethod {
  const key = id.trim().toLowerCase();
  const m = camMethods.find((c) => c.id === (ALIASES[key] ?? key));
  if (!m) throw new UnknownMethodError(id);
  return m;
}
