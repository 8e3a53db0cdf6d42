// Class-gathered head gradients: when the logits are a channel-wise function (ReLU, global
// pooling, flatten, ...) of one last channel-mixing layer (a 1×1/any Conv or a Gemm with constant
// weights), the gradients of K class logits need only those K rows of its weights. The head is
// rebuilt with the rows gathered (`classes` input, int64 [K]), so the backward pass costs
// K/classes of the full one: SqueezeNet's conv10 backward is 1000 → K channels.
// Only for logit targets (one-hot seeds); probability targets use the full head gradient.
import { type NodeProto, type TensorProto, DataType, attrInt, makeValueInfo } from '../onnx/proto.js';
import type { ModelAnalysis } from '../onnx/analysis.js';
import { GraphEmitter } from './emitter.js';
import { assemble, differentiate, extractSubgraph, GRADIENTS } from './compile.js';
import type { ModelProto } from '../onnx/proto.js';

export const CLASSES = 'classes';

/** Ops that act on each channel (dim 1) independently and keep it at dim 1. */
const CHANNELWISE = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Identity', 'Dropout', 'GlobalAveragePool', 'GlobalMaxPool', 'HardSigmoid', 'HardSwish']);

interface HeadChain {
  mixer: NodeProto;
  /** Tensors from the mixer's output to the logits, whose dim 1 becomes K. */
  gathered: Set<string>;
}

/** Find the last channel-mixing node, or null when the head has another shape. */
export function findHeadChain(analysis: ModelAnalysis, layer: string): HeadChain | null {
  const g = analysis.graph;
  const gathered = new Set<string>();
  let t = analysis.logits;
  for (;;) {
    gathered.add(t);
    const n = g.producer.get(t);
    if (!n || t === layer) return null;
    const op = n.opType ?? '';
    const data = n.input?.[0] ?? '';
    const inShape = analysis.shapes.get(data);
    const outShape = analysis.shapes.get(t);
    if (!inShape || !outShape) return null;
    if (op === 'Conv' && attrInt(n, 'group', 1) === 1 && g.isConstant(n.input![1]) && (!n.input![2] || g.isConstant(n.input![2]))) {
      return data === layer || g.downstreamOf([layer]).has(data) ? { mixer: n, gathered } : null;
    }
    if (op === 'Gemm' && attrInt(n, 'transA', 0) === 0 && g.isConstant(n.input![1]) && (!n.input![2] || g.isConstant(n.input![2]))) {
      const c = n.input![2] ? analysis.shapes.get(n.input![2])! : [];
      if (c.length === 2 && c[0] !== 1) return null;
      return { mixer: n, gathered };
    }
    const onlyChannels = (s: number[]) => s.slice(2).every((d) => d === 1);
    const reshapeLike = (op === 'Flatten' || op === 'Reshape' || op === 'Squeeze' || op === 'Unsqueeze')
      && inShape[1] === outShape[1] && onlyChannels(inShape) && onlyChannels(outShape);
    const channelwise = CHANNELWISE.has(op) && (n.input ?? []).slice(1).every((i) => !i || g.isConstant(i));
    if (!reshapeLike && !channelwise) return null;
    t = data;
  }
}

/**
 * Head-gradient model for exactly K logit targets: inputs (layer, side tensors, classes int64 [K]),
 * output gradients [K, C, h, w] where row k is d logit[classes[k]] / d layer.
 */
export function buildGatheredHeadGradient(analysis: ModelAnalysis, layer: string, K: number): ModelProto | null {
  const chain = findHeadChain(analysis, layer);
  if (!chain) return null;
  const sub = extractSubgraph(analysis, layer);
  const emitter = new GraphEmitter('gathered');
  const m = chain.mixer;
  const isGemm = m.opType === 'Gemm';
  const wAxis = isGemm && attrInt(m, 'transB', 0) === 0 ? 1 : 0;
  const w = emitter.op1('Gather', [m.input![1], CLASSES], { axis: wAxis });
  let b = m.input![2] ?? '';
  if (b && analysis.shapeOf(b).length > 0) {
    const bs = analysis.shapeOf(b);
    b = emitter.op1('Gather', [b, CLASSES], { axis: bs.length === 2 ? 1 : 0 });
  }
  const gatherNodes = [...emitter.nodes];
  emitter.nodes.length = 0;
  const nodes: NodeProto[] = sub.nodes.map((n) => (n === m ? { ...n, input: [n.input![0], w, ...(b ? [b] : [])] } : n));
  const mixerIndex = nodes.findIndex((n) => n.output?.[0] === m.output?.[0]);
  nodes.splice(mixerIndex, 0, ...gatherNodes);
  const gatheredConsts = new Map<string, number[]>();
  const withK = (src: string, axis: number) => analysis.shapeOf(src).map((d, i) => (i === axis ? K : d));
  gatheredConsts.set(w, withK(m.input![1], wAxis));
  if (b && b !== m.input![2]) gatheredConsts.set(b, withK(m.input![2]!, analysis.shapeOf(m.input![2]!).length === 2 ? 1 : 0));
  const shapeOf = (t: string) => {
    const gc = gatheredConsts.get(t);
    if (gc) return gc;
    const s = analysis.shapeOf(t);
    return chain.gathered.has(t) ? [s[0], K, ...s.slice(2)] : s;
  };
  // seeds = identity: row k selects gathered logit k
  const eye = new Float32Array(K * K);
  for (let k = 0; k < K; k++) eye[k * K + k] = 1;
  const ls = shapeOf(analysis.logits);
  const seedGrad = emitter.op1('Reshape', [emitter.constFloat(eye, [K, K]), emitter.constInt64([-1, ...ls.slice(1)])]);
  const subG = { ...sub, nodes };
  const grad = differentiate(analysis, subG, layer, seedGrad, emitter, shapeOf);
  const layerShape = analysis.shapeOf(layer);
  const inits: TensorProto[] = [...sub.constants, ...emitter.initializers];
  return assemble(analysis, 'gathered_head_gradient',
    [...nodes, ...emitter.nodes, { opType: 'Identity', input: [grad], output: [GRADIENTS], name: 'gradients_out' }], inits,
    [makeValueInfo(layer, DataType.FLOAT, layerShape), ...sub.sideInputs.map((t) => makeValueInfo(t, DataType.FLOAT, [1, ...analysis.shapeOf(t).slice(1)])),
      makeValueInfo(CLASSES, DataType.INT64, [K])],
    [makeValueInfo(GRADIENTS, DataType.FLOAT, [K, ...layerShape.slice(1)])]);
}
