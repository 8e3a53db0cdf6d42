// Alignment of saliency maps with human attention: the MIT/Tübingen benchmark metrics (one file
// each), the registry and scoreAll, and the human ceiling.
export { aucJudd, JUDD_JITTER, type AucJuddOptions } from './auc-judd.js';
export { aucBorji, AUC_SPLITS, AUC_STEP, type SplitAucOptions } from './auc-borji.js';
export { aucShuffled } from './auc-shuffled.js';
export { nss } from './nss.js';
export { cc } from './cc.js';
export { sim } from './sim.js';
export { kl, KL_EPS } from './kl.js';
export { mae } from './mae.js';
export { iou, topPThreshold, checkTopP, DEFAULT_TOP_P } from './iou.js';
export { matlabColon, trapz } from './roc.js';
export { seededRandom, type Random } from './random.js';
export {
  alignmentMetrics, getAlignmentMetric, scoreAll, UnknownMetricError,
  type AlignmentMetric, type AlignmentReference, type AlignmentScore, type MetricNeed, type ScoreOptions,
} from './registry.js';
export { alignmentReference, type ReferenceOptions } from './reference.js';
export { humanCeiling, type CeilingStat, type HumanCeiling, type HumanCeilingOptions } from './human-ceiling.js';
