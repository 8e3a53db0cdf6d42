// Public API of @saliency-explainer/core.
export * from './model/spec.js';
export * from './model/manifest.js';
export * from './model/own-model.js';
export { parseLabels } from './model/labels.js';
export * from './explain-types.js';
export * from './cam/types.js';
export { analyseModel, DEFAULT_BATCH_SIZE, engineBatchSize, Explainer, ExplainError, type EngineOptions, type ExplainRequest } from './engine.js';
export {
  compileGraph, graphBytes, graphErrorFromWire, graphErrorToWire,
  type FusedGraph, type FusedGraphInfo, type GraphCompiler, type GraphErrorWire, type GraphKind, type GraphRequest, type GraphResult,
  type GraphResults, type LayerGraphs,
} from './engine-graphs.js';
export type { OrtRuntime } from './runtime.js';
export { ModelAnalysis, ModelAnalysisError } from './onnx/analysis.js';
export { buildForwardModel, buildHeadModels, buildInputGradientModel } from './autodiff/compile.js';
export { UnsupportedOpError } from './autodiff/types.js';
export { decodeModel, encodeModel } from './onnx/proto.js';
export { camMethods, getCamMethod, methodAliases, UnknownMethodError } from './cam/registry.js';
export { postprocess, minMaxScale } from './cam/pipeline.js';
export { resizeBilinear, resizeAlignCorners } from './cam/resize.js';
export { softmax, targetScores } from './cam/targets.js';
export { topPredictions } from './predictions.js';
export type { RgbImage } from './image/types.js';
export { preprocess, resizeForModel, toTensor } from './image/preprocess.js';
export { applyColormap, colormapLut, COLORMAPS, type ColormapName } from './image/colormap.js';
export { overlay, type OverlayOptions } from './image/overlay.js';
export { inputGeometry, mapToImage } from './image/map-to-image.js';
export {
  ittiKoch, ittiKochMaps, spectralResidual, spectralResidualSmall, centerBias, centerBiasSigmas, CLARKE_TATLER,
  type IttiKochOptions, type IttiKochMaps, type SpectralResidualOptions, type CenterBiasOptions,
} from './bottom-up/index.js';
export {
  densityMap, fixationMap, fixationPixel, sigmaFromVisualAngle, gaussianBlur, gaussianKernel, gaussianRadius, DEFAULT_TRUNCATE,
  resampleMap, parseOsie, OsieFormatError,
  type Fixation, type BorderMode, type OutOfBounds, type BlurOptions, type DensityOptions, type FixationPixelOptions,
  type ViewingGeometry, type OsieImage,
} from './fixations/index.js';
export {
  aucJudd, aucBorji, aucShuffled, nss, cc, sim, kl, mae, iou, topPThreshold, checkTopP, DEFAULT_TOP_P,
  JUDD_JITTER, AUC_SPLITS, AUC_STEP, KL_EPS, matlabColon, trapz, seededRandom,
  alignmentMetrics, getAlignmentMetric, scoreAll, UnknownMetricError, alignmentReference, humanCeiling,
  type AucJuddOptions, type SplitAucOptions, type Random, type AlignmentMetric, type AlignmentReference,
  type AlignmentScore, type MetricNeed, type ScoreOptions, type ReferenceOptions,
  type CeilingStat, type HumanCeiling, type HumanCeilingOptions,
} from './metrics/index.js';
export { bubbleGeometry, BUBBLEVIEW, type BubbleGeometry } from './annotation/bubbles.js';
export {
  humanMap, humanAgreement, HUMAN_MAP_SIGMA, HUMAN_MAP_MAX_SIDE, AGREEMENT_METRICS, AGREEMENT_LEAVE_ONE_OUT,
  type HumanMap, type HumanMapOptions, type AgreementOptions,
} from './annotation/human-map.js';
export {
  alignToHuman, alignToPredicted, predictedDensity, HUMAN_ALIGNMENT_METRICS, PREDICTED_ALIGNMENT_METRICS,
} from './metrics/align.js';
export * from './faithfulness/index.js';
export { Detector, DEFAULT_SCORE_THRESHOLD, DEFAULT_NMS_THRESHOLD } from './detect/detector.js';
export { DetectError, type Detection, type DetectOptions, type Box } from './detect/types.js';
export { letterbox, type Letterboxed } from './detect/letterbox.js';
export { validateDetectorSpec } from './detect/validate.js';
export { yoloxDetections, type AnchoredDetection } from './detect/detector.js';
export {
  DetectorExplainer, DetectExplainError, detectorLevels, aggregateLayerCams, letterboxToImage, boxTargetSeed, boxTargetValue, iouWithGradient,
  type DetectorExplainerOptions, type RunOptions as DetectorRunOptions, type DetectorLevel, type BoxTarget, type BoxExplainOptions, type DetectorMap, type DetectorRun,
} from './detect-explain/index.js';
export {
  captionFacts, captionMap, type CaptionSubject, type CaptionMap, type CaptionOptions, type CaptionRenderer,
} from './caption/caption.js';
export { describeCrop, transformersCaptioner, type Captioner, type TransformersCaptionerParts } from './caption/captioner.js';
export {
  CaptionError, type Caption, type CaptionFact, type CaptionFactKind, type PredictionFact, type WhereFact, type ObjectFact,
  type CropFact, type DeletionFact, type ControlFact, type ContrastFact, type HumanFact, type Position, type CaptionerPhrase,
} from './caption/facts.js';
export { renderEnglish, captionerSentence } from './caption/render-en.js';
export { type HumanReference } from './caption/human.js';
export { DELETION_FRACTION } from './caption/deletion.js';
export { layerCamMethods, type ExplainMethod } from './cam/registry.js';
export {
  attributionMethods, attributionMaps, channelAbsSum, maskedImage, quadrature, gaussLegendre, upsampleNearest, seededNormal,
  resolveAttributionOptions, attributionOptionsFor, METHOD_ATTRIBUTION_OPTIONS, AttributionOptionsError, ATTRIBUTION_DEFAULTS, INTEGRATION_RULES, MAX_ATTRIBUTION_PASSES,
  type AttributionMethod, type AttributionContext, type AttributionOptions, type AttributionMap, type Attribution,
  type IntegrationRule, type GradientRules, type Quadrature,
} from './attribution/index.js';
export { GRADIENT_RULES } from './autodiff/rules/variants.js';
export { type InputGradientOptions } from './autodiff/compile.js';
export { renderedAttribution, percentile, RENDER_PERCENTILE } from './attribution/display.js';
export * from './augment/index.js';
export { ORT_WEB_BUILDS, ORT_WEB_FILES, type OrtWebBuild, type OrtWebFlavor } from './ort-web-files.js';
