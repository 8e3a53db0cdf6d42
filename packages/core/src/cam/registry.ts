// Every explain method by id, in the order we offer them: the layer CAMs (kind 'cam'), then the pixel
// attributions (kind 'attribution', core/attribution), so every shell that lists or validates methods
// through this registry offers both.
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
import { attributionMethods } from '../attribution/index.js';
import type { AttributionMethod } from '../attribution/types.js';

/** A method the engine can run: a layer CAM or a pixel attribution (told apart by `kind`). */
export type ExplainMethod = CamMethod | AttributionMethod;

/** The layer-resolution CAMs only. */
export const layerCamMethods: readonly CamMethod[] = [
  gradCam, hiResCam, gradCamElementWise, gradCamPlusPlus, xGradCam, layerCam,
  eigenCam, eigenGradCam, scoreCam, ablationCam,
];

/** Every method: the CAMs, then the pixel attributions. */
export const camMethods: readonly ExplainMethod[] = [...layerCamMethods, ...attributionMethods];

/** Spellings users type for the same method (pytorch-grad-cam's class names among them). */
const ALIASES: Record<string, string> = {
  gradcampp: 'gradcam++', gradcamplusplus: 'gradcam++', 'grad-cam++': 'gradcam++',
  'grad-cam': 'gradcam', gradcamelementwise: 'gradcam-elementwise', 'score-cam': 'scorecam',
  'ablation-cam': 'ablationcam', 'xgrad-cam': 'xgradcam', 'eigen-cam': 'eigencam',
  // Captum's class names and common spellings of the pixel methods
  'vanilla-gradient': 'saliency', gradient: 'saliency', 'input-x-gradient': 'inputxgradient',
  'integrated-gradients': 'integratedgradients', ig: 'integratedgradients', 'smooth-grad': 'smoothgrad',
  noisetunnel: 'smoothgrad', 'guided-backprop': 'guidedbackprop', guidedbackpropagation: 'guidedbackprop',
  deconvnet: 'deconvolution', 'guided-gradcam': 'guidedgradcam', 'guided-grad-cam': 'guidedgradcam',
};

/** The other accepted spellings of a method id. */
export function methodAliases(id: string): string[] {
  return Object.entries(ALIASES).filter(([, v]) => v === id).map(([k]) => k);
}

export class UnknownMethodError extends Error {
  constructor(readonly method: string) {
    super(`unknown method '${method}' (known: ${camMethods.map((m) => m.id).join(', ')})`);
    this.name = 'UnknownMethodError';
  }
}

export function getCamMethod(id: string): ExplainMethod {
  const key = id.trim().toLowerCase();
  const m = camMethods.find((c) => c.id === (ALIASES[key] ?? key));
  if (!m) throw new UnknownMethodError(id);
  return m;
}
