// Pixel attributions (gradients with respect to the input): the methods in the order we offer them,
// and what the engine and the shells need from this folder.
import { saliency } from './methods/saliency.js';
import { inputXGradient } from './methods/inputxgradient.js';
import { integratedGradients } from './methods/integratedgradients.js';
import { smoothGrad } from './methods/smoothgrad.js';
import { guidedBackprop } from './methods/guidedbackprop.js';
import { deconvolution } from './methods/deconvolution.js';
import { guidedGradCam } from './methods/guidedgradcam.js';
import type { AttributionMethod } from './types.js';

export const attributionMethods: readonly AttributionMethod[] = [
  saliency, inputXGradient, integratedGradients, smoothGrad, guidedBackprop, deconvolution, guidedGradCam,
];

export * from './types.js';
export { attributionMaps, channelAbsSum, maskedImage, percentile, renderedAttribution, RENDER_PERCENTILE } from './display.js';
export { quadrature, gaussLegendre, type Quadrature } from './quadrature.js';
export { upsampleNearest } from './upsample.js';
export { seededNormal } from './noise.js';
