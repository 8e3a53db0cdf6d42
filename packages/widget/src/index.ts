// Public entry of @saliency-explainer/widget: defines <saliency-explainer> and exports its types.
export { SaliencyExplainer, type Phase, type SaliencyReadyDetail, type ShownMap } from './saliency-explainer.js';
export { WidgetError, type SaliencyErrorDetail, type WidgetErrorCode } from './errors.js';
export type { Backend, EngineMap, Mode, ModelView } from './engines/types.js';
export type { Fallback } from './engines/select.js';
export type { ModelSpecAttribute } from './engines/model-source.js';
export { CACHE_NAME } from './net/cached-fetch.js';
export { ORT_FILES } from './engines/ort-loader.js';
export { ANNOTATOR_KEY, type AnnotationSession, type AnnotationTask, type Click } from './annotate/annotation-api.js';
export type { AnnotationPhase, AnnotationSubmittedDetail } from './annotate/annotation-controller.js';
export type { AnnotationTicket, CampaignStep } from './annotate/campaign-api.js';
export type { AlignmentDetail } from './alignment/alignment-controller.js';
export type { ReferenceKind } from './alignment/scores.js';
export type { CaptionDetail, FaithfulnessDetail } from './measures/measures-controller.js';
export type { CaptionNumber, CaptionPiece, CaptionSentence } from './caption/caption-text.js';
export { SaliencyDetector, type DetectorReadyDetail } from './detector/saliency-detector.js';
export type { DetectedBox } from './detector/detector-engines.js';
