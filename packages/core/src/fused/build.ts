// The fused explain graph: one ONNX model that takes the classifier's own input tensor [1, C, H, W]
// and returns the explained classes, their softmax scores and the final CAMs:
//   forward → softmax → top-k (or the `classes` input) → head gradients for all K classes at once →
//   each method's cam → relu → scale → resize (half-pixel bilinear) → relu → scale.
// Outputs: classes int64 [K], scores float32 [K], maps float32 [K, H, W] in [0, 1] (one method) or
// maps/<method> per method, optionally raw [K, h, w] (relu(cam) at the layer) and the logits.
// Runs in any ONNX Runtime with no code of ours. What does not fuse: Score-CAM and Ablation-CAM (one
// forward pass per channel), the pixel attributions (their own input-gradient graphs, IG/SmoothGrad
// batches of noisy or scaled inputs), and target layers the compiler cannot differentiate through.
import { type ModelProto, type ValueInfoProto, DataType, makeValueInfo, onnx, toNum } from '../onnx/proto.js';
import type { ModelAnalysis } from '../onnx/analysis.js';
import type { TargetKind } from '../cam/types.js';
import { FusedEmitter } from './ops.js';
import { fusedHeadGradients } from './head-gradients.js';
import { FUSED_METHODS, isFusedMethod, methodCam, needsGradients, type FusedMethodId } from './methods.js';
import { postprocessCams } from './postprocess.js';

export const FUSED_CLASSES = 'classes';
export const FUSED_SCORES = 'scores';
export const FUSED_MAPS = 'maps';
export const FUSED_RAW = 'raw';

export class FusedGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FusedGraphError';
  }
}

export interface FusedOptions {
  /** Method ids of cam/registry.ts (canonical ids; FUSED_METHODS only). */
  methods: string[];
  /** Target layer (4-D tensor); the analysis' default when omitted. */
  layer?: string;
  /** Explain the K most probable classes (default 1) … */
  topK?: number;
  /** … or K classes given at run time as the int64 [K] input `classes`. */
  givenClasses?: number;
  /** Class logit (default) or softmax probability. */
  target?: TargetKind;
  eigenSmooth?: boolean;
  /** Also output raw [K, h, w]. */
  raw?: boolean;
  /** Also output the flattened logits [1, classes] (the engine's predictions and probabilities). */
  logits?: boolean;
}

export interface FusedModel {
  model: ModelProto;
  layer: string;
  K: number;
  /** Output names per method, in the order asked. */
  outputs: { method: FusedMethodId; maps: string; raw?: string }[];
  /** The logits output when asked for. */
  logits?: string;
  /** Whether the head gradients gather the classes' weight rows (autodiff/gathered-head.ts). */
  gathered: boolean;
}

/** Build the fused graph of `analysis` for `options`. Throws FusedGraphError for what does not fuse. */
export function buildFusedModel(analysis: ModelAnalysis, options: FusedOptions): FusedModel {
  const methods = options.methods;
  if (methods.length === 0) throw new FusedGraphError('no method given');
  for (const m of methods) {
    if (!isFusedMethod(m)) throw new FusedGraphError(`method '${m}' does not fuse into one graph (fused methods: ${FUSED_METHODS.join(', ')})`);
  }
  if (new Set(methods).size !== methods.length) throw new FusedGraphError('a method is given twice');
  const ids = methods as FusedMethodId[];
  const layer = options.layer ?? analysis.defaultLayer();
  const [, C, h, w] = analysis.checkLayer(layer);
  const [, , H, W] = analysis.inputShape;
  const given = options.givenClasses !== undefined;
  const K = given ? options.givenClasses! : options.topK ?? 1;
  if (!Number.isInteger(K) || K < 1 || K > analysis.numClasses) throw new FusedGraphError(`K must be in 1..${analysis.numClasses}, not ${K}`);
  const kind = options.target ?? 'logit';

  const publicNames = [FUSED_CLASSES, FUSED_SCORES, ...(ids.length === 1 ? [FUSED_MAPS, FUSED_RAW] : ids.flatMap((id) => [`${FUSED_MAPS}/${id}`, `${FUSED_RAW}/${id}`]))];
  const g = analysis.graph;
  const clash = publicNames.find((n) => g.producer.has(n) || g.initializers.has(n) || (n !== FUSED_CLASSES && n === analysis.input) || (given && n === FUSED_CLASSES && g.inputs.includes(n)));
  if (clash) throw new FusedGraphError(`the model already has a tensor named '${clash}'`);

  const opsetEntry = (analysis.model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const e = new FusedEmitter(opsetEntry ? toNum(opsetEntry.version as never) : 17);
  const forward = g.ancestorsOf([analysis.logits]);
  const logitsFlat = `${analysis.logits}__flat`;
  e.nodes.push({ opType: 'Flatten', input: [analysis.logits], output: [logitsFlat], name: 'fused/logits_flat', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });
  const probs = e.op1('Softmax', [logitsFlat], { axis: -1 }); // [1, classes]

  let classes: string;
  let scores: string;
  if (given) {
    classes = FUSED_CLASSES;
    scores = e.op1('Reshape', [e.op1('Gather', [probs, classes], { axis: 1 }), e.constInt64([K])]);
  } else {
    // ranked by the logits, not by the float32 softmax: the same order (softmax is monotonic) without
    // the softmax's rounding, which reorders near-equal probabilities differently from one
    // implementation to another (the engine ranks its float64 softmax, rounded to float32); equal
    // logits: the lower index first (ONNX TopK), as topPredictions
    const [, indices] = e.op('TopK', [logitsFlat, e.constInt64([K])], { axis: -1, largest: 1, sorted: 1 }, 2);
    classes = e.op1('Reshape', [indices, e.constInt64([K])]);
    scores = e.op1('Reshape', [e.op1('Gather', [probs, classes], { axis: 1 }), e.constInt64([K])]);
  }

  let gradients: string | undefined;
  let gathered = false;
  if (ids.some(needsGradients)) {
    const r = fusedHeadGradients(analysis, e, { layer, classes, K, kind, probs });
    gradients = r.gradients;
    gathered = r.gathered;
  }

  const outInfos: ValueInfoProto[] = [];
  // outputs take over the names of the tensors they expose (no Identity copy of K·H·W maps)
  const exposed = new Map<string, string>();
  const expose = (from: string, name: string, type: number, dims: number[]) => {
    exposed.set(from, name);
    outInfos.push(makeValueInfo(name, type, dims));
  };
  if (!given) expose(classes, FUSED_CLASSES, DataType.INT64, [K]);
  expose(scores, FUSED_SCORES, DataType.FLOAT, [K]);
  const outputs: FusedModel['outputs'] = [];
  for (const id of ids) {
    const cam = methodCam(e, id, layer, gradients, { K, C, h, w }, options.eigenSmooth ?? false);
    const { raw, map } = postprocessCams(e, cam, K, H, W);
    const names = ids.length === 1 ? { maps: FUSED_MAPS, raw: FUSED_RAW } : { maps: `${FUSED_MAPS}/${id}`, raw: `${FUSED_RAW}/${id}` };
    expose(map, names.maps, DataType.FLOAT, [K, H, W]);
    if (options.raw) expose(raw, names.raw, DataType.FLOAT, [K, h, w]);
    outputs.push({ method: id, maps: names.maps, ...(options.raw ? { raw: names.raw } : {}) });
  }
  if (options.logits) outInfos.push(makeValueInfo(logitsFlat, DataType.FLOAT, [1, analysis.numClasses]));

  const rename = (t: string) => exposed.get(t) ?? t;
  const nodes = [...forward, ...e.nodes.map((n) => ({ ...n, input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename) }))];
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  const initializers = [...(analysis.model.graph!.initializer ?? []).filter((t) => used.has(t.name ?? '')), ...e.initializers];
  const inputs = [makeValueInfo(analysis.input, DataType.FLOAT, analysis.inputShape)];
  if (given) inputs.push(makeValueInfo(FUSED_CLASSES, DataType.INT64, [K]));
  const model = onnx.ModelProto.create({
    irVersion: analysis.model.irVersion,
    opsetImport: analysis.model.opsetImport,
    producerName: 'saliency-explainer',
    docString: `fused ${ids.join(', ')} of layer ${layer}, ${given ? `${K} given classes` : `top-${K} classes`}, ${kind} targets`,
    metadataProps: [
      { key: 'saliency-explainer.methods', value: ids.join(',') },
      { key: 'saliency-explainer.layer', value: layer },
      { key: 'saliency-explainer.k', value: String(K) },
      { key: 'saliency-explainer.classes', value: given ? 'input' : 'top-k' },
      { key: 'saliency-explainer.target', value: kind },
      { key: 'saliency-explainer.eigen-smooth', value: String(options.eigenSmooth ?? false) },
    ],
    graph: { name: 'fused_explain', node: nodes, initializer: initializers, input: inputs, output: outInfos },
  });
  return { model, layer, K, outputs, ...(options.logits ? { logits: logitsFlat } : {}), gathered };
}
