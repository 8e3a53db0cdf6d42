// Explanations of object detectors (YOLOX-style): EigenCAM per image, gradient CAMs per box.
export { DetectorExplainer, type DetectorExplainerOptions, type RunOptions } from './explainer.js';
export { detectorLevels, type DetectorLevel } from './layers.js';
export { aggregateLayerCams, letterboxToImage } from './maps.js';
export { boxTargetSeed, boxTargetValue, iouWithGradient, outputLayout, type BoxTarget, type OutputLayout } from './target.js';
export { DetectExplainError, type AnchoredDetection, type BoxExplainOptions, type DetectorMap, type DetectorRun } from './types.js';
