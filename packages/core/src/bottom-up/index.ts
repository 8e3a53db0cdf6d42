// Bottom-up (image-driven) fixation predictors for images without human data.
export { ittiKoch, ittiKochMaps, opponentPlanes, type IttiKochOptions, type IttiKochMaps } from './itti-koch.js';
export { spectralResidual, spectralResidualSmall, spectralResidualRaw, spectralResidualSize, type SpectralResidualOptions } from './spectral-residual.js';
export { centerBias, centerBiasSigmas, CLARKE_TATLER, type CenterBiasOptions } from './center-bias.js';
export { normalizeMap, localMaxima } from './normalization.js';
export { gaussianPyramid, pyramidSizes, reduce as pyramidReduce } from './pyramid.js';
export { gaborKernel, gaborEnergy, DEFAULT_GABOR, type GaborParams } from './gabor.js';
export { Dft, dft2d } from './fft.js';
