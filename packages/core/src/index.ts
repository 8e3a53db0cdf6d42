// Public API of @saliency-explainer/core.
export * from './model/spec.js';
export * from './model/manifest.js';
export { parseLabels } from './model/labels.js';
export * from './explain-types.js';
export * from './cam/types.js';
export { Explainer, ExplainError, type EngineOptions } from './engine.js';
export type { OrtRuntime } from './runtime.js';
export { ModelAnalysis, ModelAnalysisError } from './onnx/analysis.js';
export { buildForwardModel, buildHeadModels, buildInputGradientModel } from './autodiff/compile.js';
export { UnsupportedOpError } from './autodiff/types.js';
export { decodeModel, encodeModel } from './onnx/proto.js';
export { camMethods, getCamMethod } from './cam/registry.js';
export { postprocess } from './cam/pipeline.js';
export { preprocess } from './image/preprocess.js';
export { applyColormap, type ColormapName } from './image/colormap.js';
export { overlay } from './image/overlay.js';
