// Human fixations: points, fixation and density maps, resampling, the OSIE data set.
export type { Fixation, BorderMode, OutOfBounds } from './types.js';
export { gaussianBlur, gaussianKernel, gaussianRadius, DEFAULT_TRUNCATE, type BlurOptions } from './gaussian.js';
export {
  densityMap, fixationMap, fixationPixel, sigmaFromVisualAngle,
  type DensityOptions, type FixationPixelOptions, type ViewingGeometry,
} from './density.js';
export { resampleMap } from './resample.js';
export { parseOsie, OsieFormatError, type OsieImage } from './osie.js';
