// The ONNX graphs the engine compiles, as serialisable requests and results: what Explainer asks for
// (a target layer's forward and head models, the logits-only and masked forwards, input gradients,
// a gathered head gradient, a fused explain graph) and the encoded bytes it gets back. compileGraph
// builds them from a ModelAnalysis in place; EngineOptions.compiler can build them elsewhere — the
// widget compiles them in a Web Worker so that the page thread stays free — from its own analysis
// of the same model. Requests and results survive structuredClone; errors cross as GraphErrorWire.
import type { ModelAnalysis } from './onnx/analysis.js';
import { encodeModel } from './onnx/proto.js';
import { buildForwardModel, buildHeadModels, buildInputGradientModel, buildMaskedForwardModel } from './autodiff/compile.js';
import { buildGatheredHeadGradient } from './autodiff/gathered-head.js';
import type { GradientRules } from './autodiff/rules/variants.js';
import type { TargetKind } from './cam/types.js';
import { buildFusedModel, FusedGraphError, type FusedModel, type FusedOptions } from './fused/build.js';
import { ExplainError } from './explain-error.js';

export type GraphRequest =
  /** A target layer's models: the forward with the layer (and the head's side inputs) as outputs, the head gradient and head forward. */
  | { kind: 'layer'; layer: string }
  /** The forward with the logits only (batched). */
  | { kind: 'logits' }
  /** Score-CAM's: the input times a batch of masks → logits. */
  | { kind: 'masked' }
  /** d score / d input for one ReLU rule and score kind. */
  | { kind: 'input-gradient'; rules: GradientRules; score: TargetKind }
  /** The head gradient that gathers K classes' weight rows (null: the head does not allow it). */
  | { kind: 'gathered'; layer: string; K: number }
  /** The fused explain graph (null: the plan does not fuse). */
  | { kind: 'fused'; options: FusedOptions };

export type GraphKind = GraphRequest['kind'];

export interface LayerGraphs {
  /** The layer's shape [1, C, h, w]. */
  shape: number[];
  forward: Uint8Array;
  headGradient: Uint8Array;
  headForward: Uint8Array;
  /** Tensors the head reads besides the layer (the forward outputs them too). */
  sideInputs: string[];
}

/** A FusedModel's metadata: everything but its ModelProto, which comes encoded. */
export type FusedGraphInfo = Omit<FusedModel, 'model'>;

export interface FusedGraph {
  bytes: Uint8Array;
  fused: FusedGraphInfo;
}

/** What each kind of request compiles to. */
export interface GraphResults {
  layer: LayerGraphs;
  logits: Uint8Array;
  masked: Uint8Array;
  'input-gradient': Uint8Array;
  gathered: Uint8Array | null;
  fused: FusedGraph | null;
}

export type GraphResult<R extends GraphRequest = GraphRequest> = GraphResults[R['kind']];

/** Compiles the engine's graphs: compileGraph in place, or the same elsewhere (a worker). */
export type GraphCompiler = <R extends GraphRequest>(request: R) => Promise<GraphResult<R>>;

/**
 * The graph `request` asks for, built from `analysis` and encoded. A layer the model does not have is
 * a BAD_LAYER ExplainError; a fused plan that does not fuse (FusedGraphError) is null. An analysis
 * made without its weights (`weights: false`) is refused.
 */
export function compileGraph<R extends GraphRequest>(analysis: ModelAnalysis, request: R): GraphResult<R>;
export function compileGraph(analysis: ModelAnalysis, request: GraphRequest): GraphResult {
  if (!analysis.weights) throw new Error('compileGraph needs an analysis with its weights (this one was made with weights: false)');
  switch (request.kind) {
    case 'layer': {
      const { layer } = request;
      let shape: number[];
      try {
        shape = analysis.checkLayer(layer);
      } catch (e) {
        throw new ExplainError('BAD_LAYER', (e as Error).message);
      }
      const head = buildHeadModels(analysis, layer);
      return {
        shape,
        forward: encodeModel(buildForwardModel(analysis, [layer, ...head.sideInputs])),
        headGradient: encodeModel(head.gradient),
        headForward: encodeModel(head.forward),
        sideInputs: head.sideInputs,
      };
    }
    case 'logits':
      return encodeModel(buildForwardModel(analysis, []));
    case 'masked':
      return encodeModel(buildMaskedForwardModel(analysis));
    case 'input-gradient':
      return encodeModel(buildInputGradientModel(analysis, { rules: request.rules, score: request.score }));
    case 'gathered': {
      const model = buildGatheredHeadGradient(analysis, request.layer, request.K);
      return model ? encodeModel(model) : null;
    }
    case 'fused': {
      let built: FusedModel;
      try {
        built = buildFusedModel(analysis, request.options);
      } catch (e) {
        if (e instanceof FusedGraphError) return null;
        throw e;
      }
      const { model, ...fused } = built;
      return { bytes: encodeModel(model), fused };
    }
  }
}

/** The byte arrays of a result (a worker transfers their buffers rather than copying them). */
export function graphBytes(result: GraphResult): Uint8Array[] {
  if (result === null) return [];
  if (result instanceof Uint8Array) return [result];
  if ('bytes' in result) return [result.bytes];
  return [result.forward, result.headGradient, result.headForward];
}

/** An error as it crosses a thread: its class name, its code (ExplainError's and the like), its message. */
export interface GraphErrorWire {
  name: string;
  code?: string;
  message: string;
}

export function graphErrorToWire(e: unknown): GraphErrorWire {
  const code = (e as { code?: unknown } | null)?.code;
  return {
    name: e instanceof Error ? e.name : 'Error',
    ...(typeof code === 'string' ? { code } : {}),
    message: e instanceof Error ? e.message : String(e),
  };
}

/** The error back as thrown where it came from: an ExplainError as one, any other with its name and code. */
export function graphErrorFromWire(w: GraphErrorWire): Error {
  if (w.name === 'ExplainError' && w.code) return new ExplainError(w.code as ExplainError['code'], w.message);
  const e = new Error(w.message);
  e.name = w.name;
  if (w.code !== undefined) Object.assign(e, { code: w.code });
  return e;
}
