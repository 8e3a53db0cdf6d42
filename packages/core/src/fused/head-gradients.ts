// Head gradients inside the fused graph: d score(classes[k]) / d layer for all K classes at once,
// [K, C, h, w], reading the forward pass's own tensors (the head is not recomputed).
//  - Logit targets on a head whose logits are a channel-wise function of one last channel-mixing
//    layer (autodiff/gathered-head.ts): that layer's weight rows are gathered by class and only the
//    tail after it is re-run at K channels, under renamed tensors (the forward keeps all classes).
//  - Otherwise (probability targets, other heads): seeds [K, classes] built in the graph — one-hot
//    for a logit, p_c(e_c − p) for a probability — back-propagated through the whole head.
import { attrInt, type NodeProto } from '../onnx/proto.js';
import type { ModelAnalysis } from '../onnx/analysis.js';
import { differentiate, extractSubgraph } from '../autodiff/compile.js';
import { findHeadChain } from '../autodiff/gathered-head.js';
import type { TargetKind } from '../cam/types.js';
import type { FusedEmitter } from './ops.js';

export interface HeadGradientInputs {
  layer: string;
  /** int64 [K] */
  classes: string;
  K: number;
  kind: TargetKind;
  /** float32 [1, classes]: softmax of the logits (probability seeds). */
  probs: string;
}

/** Appends the gradient nodes to `e` (after the forward nodes); returns the gradients' name and how they were built. */
export function fusedHeadGradients(analysis: ModelAnalysis, e: FusedEmitter, inp: HeadGradientInputs): { gradients: string; gathered: boolean } {
  if (inp.kind === 'logit') {
    const g = gatheredGradients(analysis, e, inp);
    if (g) return { gradients: g, gathered: true };
  }
  const { layer, classes, K, kind, probs } = inp;
  const sub = extractSubgraph(analysis, layer);
  const C = analysis.numClasses;
  const oneHot = e.op1('OneHot', [classes, e.constInt64([C], []), e.constFloat([0, 1], [2])], { axis: -1 }); // [K, C]
  let seeds = oneHot;
  if (kind === 'probability') {
    const pcCol = e.op1('Reshape', [e.op1('Gather', [probs, classes], { axis: 1 }), e.constInt64([K, 1])]); // p_c [K, 1]
    seeds = e.op1('Mul', [pcCol, e.op1('Sub', [oneHot, probs])]);
  }
  const ls = analysis.shapeOf(analysis.logits);
  const seedGrad = e.op1('Reshape', [seeds, e.constInt64([-1, ...ls.slice(1)])]);
  return { gradients: differentiate(analysis, sub, layer, seedGrad, e), gathered: false };
}

function gatheredGradients(analysis: ModelAnalysis, e: FusedEmitter, { layer, classes, K }: HeadGradientInputs): string | null {
  const chain = findHeadChain(analysis, layer);
  if (!chain) return null;
  const sub = extractSubgraph(analysis, layer);
  const m = chain.mixer;
  const renamed = new Map<string, string>();
  for (const t of chain.gathered) renamed.set(t, `${t}__fused_k`);
  const wName = m.input![1];
  const wAxis = m.opType === 'Gemm' && attrInt(m, 'transB', 0) === 0 ? 1 : 0;
  const w = e.op1('Gather', [wName, classes], { axis: wAxis });
  const gatheredShapes = new Map<string, number[]>();
  const withK = (src: string, axis: number) => analysis.shapeOf(src).map((d, i) => (i === axis ? K : d));
  gatheredShapes.set(w, withK(wName, wAxis));
  let b = m.input![2] ?? '';
  if (b && analysis.shapeOf(b).length > 0) {
    const axis = analysis.shapeOf(b).length === 2 ? 1 : 0;
    const gb = e.op1('Gather', [b, classes], { axis });
    gatheredShapes.set(gb, withK(b, axis));
    b = gb;
  }
  // the tail from the mixer to the logits at K channels, under new names
  const rename = (t: string) => renamed.get(t) ?? t;
  const tail: NodeProto[] = sub.nodes
    .filter((n) => (n.output ?? []).some((o) => chain.gathered.has(o)))
    .map((n) => ({
      ...n,
      name: n.name ? `${n.name}__fused_k` : e.fresh('tail_node'),
      input: n === m ? [n.input![0], w, ...(b ? [b] : [])] : (n.input ?? []).map(rename),
      output: (n.output ?? []).map(rename),
    }));
  e.nodes.push(...tail);
  const before = sub.nodes.filter((n) => !(n.output ?? []).some((o) => chain.gathered.has(o)));
  const downstream = new Set([...sub.downstream, ...renamed.values()]);
  const shapeOf = (t: string): number[] => {
    const gs = gatheredShapes.get(t);
    if (gs) return gs;
    for (const [from, to] of renamed) {
      if (to === t) {
        const s = analysis.shapeOf(from);
        return [s[0], K, ...s.slice(2)];
      }
    }
    return analysis.shapeOf(t);
  };
  // differentiate() starts from analysis.logits: a view of the analysis whose logits are the renamed tail's
  const view = Object.create(analysis, { logits: { value: rename(analysis.logits) } }) as ModelAnalysis;
  const eye = new Float32Array(K * K);
  for (let k = 0; k < K; k++) eye[k * K + k] = 1;
  const ls = shapeOf(view.logits);
  const seedGrad = e.op1('Reshape', [e.constFloat(eye, [K, K]), e.constInt64([-1, ...ls.slice(1)])]);
  return differentiate(view, { ...sub, nodes: [...before, ...tail], downstream }, layer, seedGrad, e, shapeOf);
}
