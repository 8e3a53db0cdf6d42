// Compile the models the CAM pipeline runs from one analysed classifier:
//  - forward:       x [N,...] → logits, target layer activations, side tensors (dynamic batch)
//  - head gradient: activations [1,C,h,w] + seeds [K, classes] → d(seeds·logits)/dA [K,C,h,w] and logits
//  - head forward:  activations [N,C,h,w] → logits [N, classes] (for ablation)
//  - input gradient: x [N,...] + seeds [K, classes] → d(seedsₖ·scoreₖ)/dx [K,...] (N = 1 or K; standard,
//                    guided or deconvolution ReLU rules; score = logits or softmax) and the logits
// Backward graphs are built node by node from the rules in ./rules.
import {
  type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto, DataType, cloneModel, makeInt64Tensor, makeValueInfo,
  onnx, tensorValues,
} from '../onnx/proto.js';
import { GraphIndex } from '../onnx/graph.js';
import type { ModelAnalysis } from '../onnx/analysis.js';
import { GraphEmitter } from './emitter.js';
import { backwardRules } from './rules/index.js';
import { ruleTable, type GradientRules } from './rules/variants.js';
import { UnsupportedOpError, type BackwardContext, type BackwardRule } from './types.js';

const f32 = DataType.FLOAT;

/** Make dim 0 symbolic: the graph input, outputs, and Reshape targets that hard-code the batch. */
function makeBatchDynamic(model: ModelProto, analysis: ModelAnalysis, inputs: string[]): void {
  const g = model.graph!;
  for (const vi of g.input ?? []) {
    if (inputs.includes(vi.name ?? '')) {
      const d = vi.type?.tensorType?.shape?.dim;
      if (d?.length) d[0] = { dimParam: 'N' };
    }
  }
  for (const vi of g.output ?? []) {
    const d = vi.type?.tensorType?.shape?.dim;
    if (d?.length) d[0] = { dimParam: 'N' };
  }
  const index = new GraphIndex(g);
  const extra: TensorProto[] = [];
  g.node = (g.node ?? []).map((n) => {
    if (n.opType !== 'Reshape') return n;
    const target = index.constantValue(n.input![1]);
    const inShape = analysis.shapes.get(n.input![0]);
    if (!target || !inShape || target.values[0] !== 1 || inShape[0] !== 1) return n;
    const vals = Array.from(target.values);
    vals[0] = 0; // 0 = copy the input's batch
    const name = `${n.input![1]}__dynbatch_${extra.length}`;
    extra.push(makeInt64Tensor(name, [vals.length], vals));
    // a copy: head models share their node objects with the analysed graph and with each other
    return { ...n, input: [n.input![0], name, ...n.input!.slice(2)] };
  });
  g.initializer = [...(g.initializer ?? []), ...extra];
}

function outputInfo(analysis: ModelAnalysis, name: string, batch: string | number = 'N') {
  const s = analysis.shapeOf(name);
  return makeValueInfo(name, f32, [batch, ...s.slice(1)]);
}

/** Forward model with extra outputs; batch dim symbolic. */
export function buildForwardModel(analysis: ModelAnalysis, extraOutputs: string[]): ModelProto {
  const m = cloneModel(analysis.model);
  const g = m.graph!;
  const names = [analysis.logits, ...extraOutputs.filter((t) => t !== analysis.logits)];
  g.output = names.map((t) => outputInfo(analysis, t));
  // drop nodes not needed for the outputs (e.g. a final Softmax)
  const index = new GraphIndex(g);
  g.node = index.ancestorsOf(names);
  makeBatchDynamic(m, analysis, [analysis.input]);
  return m;
}

export const MASKS = 'saliency_masks';

/**
 * Score-CAM's forward: the model input x [1, C, H, W] and masks [N, 1, H, W] → logits [N, classes] of
 * x·maskₙ (one Mul, broadcast over the input's channels, then the model), so the masked batch is made
 * inside ONNX Runtime rather than copied together in JS. Same products as JS's (IEEE float32 Mul).
 */
export function buildMaskedForwardModel(analysis: ModelAnalysis): ModelProto {
  const m = buildForwardModel(analysis, []);
  const g = m.graph!;
  const masked = `${analysis.input}__masked`;
  g.node = [
    { opType: 'Mul', input: [analysis.input, MASKS], output: [masked], name: 'score_cam_mask' },
    ...(g.node ?? []).map((n) => (n.input?.includes(analysis.input) ? { ...n, input: n.input.map((i) => (i === analysis.input ? masked : i)) } : n)),
  ];
  const s = analysis.inputShape;
  g.input = [
    ...(g.input ?? []).map((vi) => (vi.name === analysis.input ? makeValueInfo(analysis.input, f32, [1, ...s.slice(1)]) : vi)),
    makeValueInfo(MASKS, f32, ['N', 1, ...s.slice(2)]),
  ];
  return m;
}

export interface Subgraph {
  nodes: NodeProto[];
  /** Non-constant tensors the subgraph reads that do not depend on the source. */
  sideInputs: string[];
  constants: TensorProto[];
  /** Tensors that depend on the source. */
  downstream: Set<string>;
}

/** Nodes between `source` and the logits, plus what they read from outside. */
export function extractSubgraph(analysis: ModelAnalysis, source: string): Subgraph {
  const g = analysis.graph;
  const downstream = g.downstreamOf([source]);
  // tensors computed from weights only (Constant nodes, Cast/Identity/… of initializers): the head
  // recomputes them instead of reading them as side inputs
  const fromInputs = g.downstreamOf(g.inputs);
  const needed = g.ancestorsOf([analysis.logits]);
  const nodes: NodeProto[] = [];
  const read = new Set<string>();
  for (let k = needed.length - 1; k >= 0; k--) {
    const n = needed[k];
    const onPath = (n.input ?? []).some((i) => !!i && downstream.has(i));
    const weightsOnly = !(n.output ?? []).some((o) => !!o && fromInputs.has(o));
    if (onPath || (weightsOnly && (n.output ?? []).some((o) => read.has(o)))) {
      nodes.push(n);
      for (const i of n.input ?? []) if (i) read.add(i);
    }
  }
  nodes.reverse();
  const constants = new Map<string, TensorProto>();
  const side = new Set<string>();
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  for (const n of nodes) {
    for (const i of n.input ?? []) {
      if (!i || produced.has(i) || i === source) continue;
      const init = g.initializers.get(i);
      if (init) constants.set(i, init);
      else side.add(i);
    }
  }
  return { nodes, sideInputs: [...side], constants: [...constants.values()], downstream };
}

/**
 * Append the reverse-mode derivative of `sub` to `emitter`: returns the name of d(seed·logits)/d(source).
 * `seedGrad` is the gradient flowing into the logits ([K, ...logitShape[1:]]).
 */
export function differentiate(analysis: ModelAnalysis, sub: Subgraph, source: string, seedGrad: string, emitter: GraphEmitter,
  shapeOf: (t: string) => number[] = (t) => analysis.shapeOf(t), rules: Record<string, BackwardRule> = backwardRules): string {
  const contributions = new Map<string, string[]>();
  contributions.set(analysis.logits, [seedGrad]);
  const total = (t: string): string | null => {
    const list = contributions.get(t);
    if (!list?.length) return null;
    if (list.length === 1) return list[0];
    const s = emitter.op1('Sum', list);
    contributions.set(t, [s]);
    return s;
  };
  const g = analysis.graph;
  for (let k = sub.nodes.length - 1; k >= 0; k--) {
    const node = sub.nodes[k];
    const outputs = node.output ?? [];
    const gradOutputs = outputs.map((o) => (o ? total(o) : null));
    if (gradOutputs.every((x) => x === null)) continue;
    const inputs = node.input ?? [];
    const needsGrad = inputs.map((i) => !!i && sub.downstream.has(i));
    if (!needsGrad.some(Boolean)) continue;
    const rule = Object.prototype.hasOwnProperty.call(rules, node.opType ?? '') ? rules[node.opType ?? ''] : undefined;
    if (!rule) throw new UnsupportedOpError(node.opType ?? '?', GraphIndex.describe(node));
    const ctx: BackwardContext = {
      node,
      inputs,
      outputs,
      gradOutputs,
      needsGrad,
      shape: shapeOf,
      constant: (t) => g.constantValue(t),
      emit: emitter,
    };
    const grads = rule(ctx);
    grads.forEach((gi, i) => {
      if (!gi || !needsGrad[i]) return;
      const list = contributions.get(inputs[i]) ?? [];
      list.push(gi);
      contributions.set(inputs[i], list);
    });
  }
  const result = total(source);
  if (!result) throw new Error(`no gradient reaches '${source}' from the logits`);
  return result;
}

export function assemble(analysis: ModelAnalysis, name: string, nodes: NodeProto[], initializers: TensorProto[],
  inputs: ValueInfoProto[], outputs: ValueInfoProto[]): ModelProto {
  return onnx.ModelProto.create({
    irVersion: analysis.model.irVersion,
    opsetImport: analysis.model.opsetImport,
    producerName: 'saliency-explainer',
    graph: { name, node: nodes, initializer: initializers, input: inputs, output: outputs },
  });
}

export interface HeadModels {
  layer: string;
  /** Tensors the head reads besides the layer; the forward model must output them too. */
  sideInputs: string[];
  gradient: ModelProto;
  forward: ModelProto;
}

export const SEEDS = 'seeds';
export const GRADIENTS = 'gradients';

/** The head-gradient and head-forward models for target layer `layer`. */
export function buildHeadModels(analysis: ModelAnalysis, layer: string): HeadModels {
  analysis.checkLayer(layer);
  const sub = extractSubgraph(analysis, layer);
  const emitter = new GraphEmitter();
  const ls = analysis.shapeOf(analysis.logits);
  const seedGrad = emitter.op1('Reshape', [SEEDS, emitter.constInt64([-1, ...ls.slice(1)])]);
  const grad = differentiate(analysis, sub, layer, seedGrad, emitter);
  const gradNodes = [...sub.nodes, ...emitter.nodes, { opType: 'Identity', input: [grad], output: [GRADIENTS], name: 'gradients_out' }];
  const logitsFlat = `${analysis.logits}__flat`;
  const flatten: NodeProto = { opType: 'Flatten', input: [analysis.logits], output: [logitsFlat], name: 'logits_flat', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] };
  const layerShape = analysis.shapeOf(layer);
  const sideInfos = (batch: string | number) => sub.sideInputs.map((t) => outputInfo(analysis, t, batch));
  const gradient = assemble(analysis, 'head_gradient', [...gradNodes, flatten], [...sub.constants, ...emitter.initializers],
    [makeValueInfo(layer, f32, layerShape), ...sideInfos(1), makeValueInfo(SEEDS, f32, ['K', analysis.numClasses])],
    [makeValueInfo(GRADIENTS, f32, ['K', ...layerShape.slice(1)]), makeValueInfo(logitsFlat, f32, [1, analysis.numClasses])]);
  // side tensors come at batch 1: expand those that carry the batch to the layer's, for ops that
  // do not broadcast (Concat)
  const sideEmitter = new GraphEmitter('side');
  const expanded = new Map<string, string>();
  const batched = sub.sideInputs.filter((t) => analysis.shapeOf(t).length >= 2);
  if (batched.length) {
    const batch = sideEmitter.op1('Slice', [sideEmitter.op1('Shape', [layer]), sideEmitter.constInt64([0]), sideEmitter.constInt64([1])]);
    for (const t of batched) {
      const ones = sideEmitter.constInt64(new Array(analysis.shapeOf(t).length - 1).fill(1));
      expanded.set(t, sideEmitter.op1('Expand', [t, sideEmitter.op1('Concat', [batch, ones], { axis: 0 })]));
    }
  }
  const headNodes = sub.nodes.map((n) => (n.input?.some((i) => expanded.has(i)) ? { ...n, input: n.input.map((i) => expanded.get(i) ?? i) } : n));
  const forward = assemble(analysis, 'head_forward', [...sideEmitter.nodes, ...headNodes, flatten], [...sub.constants, ...sideEmitter.initializers],
    [makeValueInfo(layer, f32, ['N', ...layerShape.slice(1)]), ...sideInfos(1)],
    [makeValueInfo(logitsFlat, f32, ['N', analysis.numClasses])]);
  makeBatchDynamic(forward, analysis, [layer]);
  return { layer, sideInputs: sub.sideInputs, gradient, forward };
}

export interface InputGradientOptions {
  /** ReLU backward rule: the true derivative (default), guided backpropagation or deconvolution. */
  rules?: GradientRules;
  /**
   * What the seeds weight: the logits (default), or the softmax probabilities (the softmax's backward
   * is then part of the graph, so each row of a batch gets the derivative at its own input).
   */
  score?: 'logit' | 'probability';
}

/**
 * d(seedsₖ·scoreₖ)/d(input): the model input [N, ...] and seeds [K, classes] → gradients [K, ...input
 * dims] and the logits [N, classes]. N = 1 broadcasts one input against K seed rows (several classes);
 * N = K gives row k the gradient at input row k (Integrated Gradients' steps, SmoothGrad's samples).
 */
export function buildInputGradientModel(analysis: ModelAnalysis, options: InputGradientOptions = {}): ModelProto {
  const sub = extractSubgraph(analysis, analysis.input);
  const emitter = new GraphEmitter();
  const ls = analysis.shapeOf(analysis.logits);
  const logitsFlat = `${analysis.logits}__flat`;
  const flatten: NodeProto = { opType: 'Flatten', input: [analysis.logits], output: [logitsFlat], name: 'logits_flat', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] };
  let seeds = SEEDS;
  if (options.score === 'probability') {
    // d(s·softmax(z))/dz = p ⊙ (s − Σ s·p), p = softmax(z) of each row's own logits
    const p = emitter.op1('Softmax', [logitsFlat], { axis: -1 });
    const dot = emitter.op1('ReduceSum', [emitter.op1('Mul', [SEEDS, p]), emitter.constInt64([-1])], { keepdims: 1 });
    seeds = emitter.op1('Mul', [p, emitter.op1('Sub', [SEEDS, dot])]);
  }
  const seedGrad = emitter.op1('Reshape', [seeds, emitter.constInt64([-1, ...ls.slice(1)])]);
  const grad = differentiate(analysis, sub, analysis.input, seedGrad, emitter, undefined, ruleTable(options.rules ?? 'standard'));
  const nodes = [...sub.nodes, flatten, ...emitter.nodes, { opType: 'Identity', input: [grad], output: [GRADIENTS], name: 'gradients_out' }];
  const model = assemble(analysis, 'input_gradient', nodes, [...sub.constants, ...emitter.initializers],
    [makeValueInfo(analysis.input, f32, ['N', ...analysis.inputShape.slice(1)]), makeValueInfo(SEEDS, f32, ['K', analysis.numClasses])],
    [makeValueInfo(GRADIENTS, f32, ['K', ...analysis.inputShape.slice(1)]), makeValueInfo(logitsFlat, f32, ['N', analysis.numClasses])]);
  makeBatchDynamic(model, analysis, [analysis.input]);
  model.graph!.output![0] = makeValueInfo(GRADIENTS, f32, ['K', ...analysis.inputShape.slice(1)]);
  return model;
}

export { tensorValues };
