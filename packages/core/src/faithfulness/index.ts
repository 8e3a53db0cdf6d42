// Public surface of core/faithfulness: the perturbation primitives, each measure, the registry.
export * from './perturb.js';
export { FaithfulnessError, scoreInputs, scoreList, DEFAULT_BATCH_SIZE, type ScoreFn, type ClassScores } from './score.js';
export { causalCurve, normalisedAuc, SUBSTRATES, type CausalCurve, type CausalMode, type CausalOptions, type Substrate } from './deletion-insertion.js';
export { riseBlurChw, riseKernel, RISE_KERNEL_SIZE, RISE_SIGMA } from './rise-blur.js';
export { confidenceMeasures, multiplyByMap, type CamMultChange, type ConfidenceMeasures } from './confidence.js';
export { road, roadKeepMask, percentile, ROAD_PERCENTILES, type RoadResult, type RoadOptions, type RoadOrder } from './road.js';
export { noisyLinearImpute, NEIGHBOUR_WEIGHTS, ROAD_NOISE, type ImputeOptions } from './noisy-linear-imputer.js';
export { cholesky, choleskySolve, SolverError, type SymmetricSparse, type CholeskyFactor } from './sparse-cholesky.js';
export { nestedDissection } from './nested-dissection.js';
export {
  faithfulnessMeasures, getFaithfulnessMeasure, measureFaithfulness,
  type FaithfulnessReport, type FaithfulnessOptions, type FaithfulnessMeasure,
} from './registry.js';
export { spearman, averageRanks, pearson } from './spearman.js';
export { ssim, minMax01, type SsimOptions } from './ssim.js';
export {
  cascadingRandomisation, parametrisedLayers, randomLike, randomiseTop, PASS_THRESHOLD, RANDOMISED_OPS,
  type SanityOptions, type SanityResult, type SanityCurve,
} from './sanity.js';
