// Which feature maps of a YOLO-style detector to explain. The raw output [1, anchors, 5 + classes] is
// a concatenation of one [1, 5 + classes, h, w] map per stride ("level"), found by walking back from
// the output over the ops that only move values. For each level, the default layer is the nearest
// tensor that every path from the image to that level's map goes through (a dominator) and that more
// than one node reads: in YOLOX's decoupled head that is the stem output from which the
// classification and the regression branches start (64 channels at strides 8, 16, 32); in a coupled
// head (YOLOv5-style) it is the neck output the level's prediction conv and the next neck block share.
// x·sigmoid(x) (SiLU) counts as one reader of x. Candidates: every 4-D map with spatial extent the
// output depends on, as for classifiers.
import type { ModelAnalysis } from '../onnx/analysis.js';
import type { NodeProto } from '../onnx/proto.js';

export interface DetectorLevel {
  stride: number;
  /** The level's prediction map [1, 5 + classes, h, w]. */
  prediction: string;
  /** The default layer explained for boxes of this level. */
  layer: string;
  /** The level's grid. */
  height: number;
  width: number;
}

const MOVES = new Set(['Transpose', 'Reshape', 'Flatten', 'Concat', 'Identity', 'Squeeze', 'Unsqueeze']);

/** The per-stride prediction maps the output is concatenated from, finest first. */
function predictionMaps(a: ModelAnalysis, inputHeight: number): { stride: number; tensor: string }[] {
  const found = new Map<string, number>();
  const seen = new Set<string>();
  const stack = [a.logits];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = a.graph.producer.get(t);
    const s = a.shapes.get(t);
    if (s?.length === 4 && s[2] * s[3] > 1) {
      found.set(t, inputHeight / s[2]);
      continue;
    }
    if (!p || !MOVES.has(p.opType ?? '')) continue;
    // only the data input moves values (Reshape's shape, Squeeze's axes are not followed)
    const data = p.opType === 'Concat' ? p.input ?? [] : [p.input![0]];
    for (const i of data) if (i && !a.graph.isConstant(i)) stack.push(i);
  }
  return [...found].map(([tensor, stride]) => ({ tensor, stride })).sort((x, y) => x.stride - y.stride);
}

/** Readers of `t`, a Sigmoid whose output is multiplied by `t` (SiLU) merged into its Mul. */
function readers(a: ModelAnalysis, t: string): number {
  const cs = a.graph.consumers.get(t) ?? [];
  const silu = (n: NodeProto) => n.opType === 'Sigmoid'
    && (a.graph.consumers.get(n.output![0]) ?? []).some((m) => m.opType === 'Mul' && (m.input ?? []).includes(t));
  return new Set(cs.filter((n) => !silu(n))).size;
}

/** Whether every path from the graph input to `target` passes through `t`. */
function dominates(a: ModelAnalysis, t: string, target: string): boolean {
  const reached = new Set<string>([a.input]);
  for (const n of a.graph.nodes) {
    if ((n.input ?? []).some((i) => i && i !== t && reached.has(i))) for (const o of n.output ?? []) if (o && o !== t) reached.add(o);
  }
  return !reached.has(target);
}

/** The detector's levels with their default layers (`given`: one per level, else found), finest stride first. */
export function detectorLevels(a: ModelAnalysis, inputHeight: number, given?: readonly string[]): DetectorLevel[] {
  const candidates = new Set(a.candidateLayers());
  const maps = predictionMaps(a, inputHeight);
  if (given && given.length !== maps.length) throw new RangeError(`${given.length} layers given for ${maps.length} strides`);
  return maps.map(({ stride, tensor }, i) => {
    const s = a.shapeOf(tensor);
    if (given) return { stride, prediction: tensor, layer: given[i], height: s[2], width: s[3] };
    const ancestors = a.graph.ancestorsOf([tensor]);
    let layer = tensor;
    search: for (let k = ancestors.length - 1; k >= 0; k--) {
      for (const o of ancestors[k].output ?? []) {
        if (!o || o === tensor || !candidates.has(o) || readers(a, o) < 2) continue;
        if (dominates(a, o, tensor)) {
          layer = o;
          break search;
        }
      }
    }
    return { stride, prediction: tensor, layer, height: s[2], width: s[3] };
  });
}
