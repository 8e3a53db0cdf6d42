// Bring any classifier graph to one form the rest of core can rely on:
// fp32 everywhere (fp16 weights and I/O cast up) and opset-17 node semantics (older
// attribute-style ops rewritten to their input-style forms), so that backward graphs,
// which need opset >= 16 ops, can be mixed with the model's own nodes.
import {
  type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto,
  DataType, attrFloat, attrInt, attrInts, cloneModel, getAttr, makeFloatTensor, makeInt64Tensor,
  makeNode, tensorDims, tensorValues, toNum,
} from './proto.js';

export const TARGET_OPSET = 17;

function castTensorToFloat(t: TensorProto): void {
  if (t.dataType !== DataType.FLOAT16 && t.dataType !== DataType.DOUBLE) return;
  const v = Float32Array.from(tensorValues(t));
  t.dataType = DataType.FLOAT;
  t.rawData = new Uint8Array(v.buffer);
  t.floatData = [];
  t.int32Data = [];
  t.doubleData = [];
}

function castValueInfo(vi: ValueInfoProto): void {
  const tt = vi.type?.tensorType;
  if (tt && (tt.elemType === DataType.FLOAT16 || tt.elemType === DataType.DOUBLE)) tt.elemType = DataType.FLOAT;
}

/**
 * Cast fp16/fp64 initializers, constants, graph I/O and Cast targets to fp32 (in place); with
 * `initializers` false the initializers (the weights, nearly all of the work) are left as they are.
 */
export function toFloat32(model: ModelProto, initializers = true): void {
  const g = model.graph!;
  if (initializers) (g.initializer ?? []).forEach(castTensorToFloat);
  [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])].forEach(castValueInfo);
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) if (a.t) castTensorToFloat(a.t);
    if (n.opType === 'Cast') {
      const to = getAttr(n, 'to');
      if (to && (toNum(to.i as never) === DataType.FLOAT16 || toNum(to.i as never) === DataType.DOUBLE)) to.i = DataType.FLOAT;
    }
  }
}

export function modelOpset(model: ModelProto): number {
  const o = (model.opsetImport ?? []).find((x) => !x.domain || x.domain === 'ai.onnx');
  return o ? toNum(o.version as never) : 1;
}

/** Rewrite nodes of an older opset to their opset-17 forms. Returns the new node list and extra initializers. */
function upgradeNodes(nodes: NodeProto[], opset: number, fresh: (p: string) => string) {
  const out: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const constInt = (vals: number[]) => {
    const name = fresh('axes');
    inits.push(makeInt64Tensor(name, [vals.length], vals));
    return name;
  };
  const constF = (v: number) => {
    const name = fresh('scalar');
    inits.push(makeFloatTensor(name, [], [v]));
    return name;
  };
  const keepAttrs = (n: NodeProto, drop: string[]) => (n.attribute ?? []).filter((a) => !drop.includes(a.name ?? ''));
  for (const n of nodes) {
    const op = n.opType ?? '';
    const ins = [...(n.input ?? [])];
    if (op === 'Dropout') {
      // inference: identity; the mask output (if any) is never a score path
      out.push(makeNode('Identity', [ins[0]], [n.output![0]], {}, n.name ?? ''));
      continue;
    }
    if (op === 'Clip' && opset < 11) {
      const lo = getAttr(n, 'min') ? constF(attrFloat(n, 'min', 0)) : '';
      const hi = getAttr(n, 'max') ? constF(attrFloat(n, 'max', 0)) : '';
      out.push({ ...n, input: [ins[0], lo, hi], attribute: [] });
      continue;
    }
    if ((op === 'Squeeze' || op === 'Unsqueeze') && opset < 13) {
      const axes = attrInts(n, 'axes');
      out.push({ ...n, input: axes ? [ins[0], constInt(axes)] : [ins[0]], attribute: keepAttrs(n, ['axes']) });
      continue;
    }
    if (op === 'ReduceSum' && opset < 13) {
      const axes = attrInts(n, 'axes');
      out.push({ ...n, input: axes ? [ins[0], constInt(axes)] : [ins[0]], attribute: keepAttrs(n, ['axes']) });
      continue;
    }
    if (op === 'Pad' && opset < 11) {
      const pads = attrInts(n, 'pads') ?? attrInts(n, 'paddings') ?? [];
      const value = constF(attrFloat(n, 'value', 0));
      out.push({ ...n, input: [ins[0], constInt(pads), value], attribute: keepAttrs(n, ['pads', 'paddings', 'value']) });
      continue;
    }
    if (op === 'Reshape' && opset < 5) {
      out.push({ ...n, input: [ins[0], constInt(attrInts(n, 'shape') ?? [])], attribute: [] });
      continue;
    }
    if (op === 'BatchNormalization') {
      out.push({ ...n, output: [n.output![0]], attribute: keepAttrs(n, ['spatial', 'is_test', 'consumed_inputs', 'momentum']) });
      continue;
    }
    if ((op === 'Softmax' || op === 'LogSoftmax') && opset < 13) {
      // old semantics: coerce to 2-D at `axis` (default 1), normalise over the flattened tail
      const axis = attrInt(n, 'axis', 1);
      if (axis === -1) {
        // the tail is the last axis alone: the same as the opset-13 form
        out.push(makeNode(op, [ins[0]], [n.output![0]], { axis: -1 }, n.name ?? ''));
        continue;
      }
      if (axis < -1) throw new Error(`node ${n.name || op}: ${op} with axis ${axis} (opset ${opset}) is not supported`);
      const flat = fresh('softmax_flat');
      const shp = fresh('softmax_shape');
      const sm = fresh('softmax_2d');
      out.push(makeNode('Shape', [ins[0]], [shp]));
      // axis 0 and 1: Flatten keeps the batch axis (or folds it, as the old form does at 0); from 2 on, a
      // Reshape to [d0, …, d(axis−1), −1] (0 = copy) keeps the leading axes, batch included
      out.push(axis <= 1
        ? makeNode('Flatten', [ins[0]], [flat], { axis })
        : makeNode('Reshape', [ins[0], constInt([...new Array<number>(axis).fill(0), -1])], [flat]));
      out.push(makeNode(op, [flat], [sm], { axis: axis <= 1 ? 1 : axis }));
      out.push(makeNode('Reshape', [sm, shp], [n.output![0]], {}, n.name ?? ''));
      continue;
    }
    if (['Add', 'Sub', 'Mul', 'Div', 'Gemm', 'Sum', 'Max', 'Min'].includes(op) && opset < 7) {
      if (getAttr(n, 'axis')) throw new Error(`node ${n.name || op}: legacy broadcast with 'axis' (opset ${opset}) is not supported`);
      out.push({ ...n, attribute: keepAttrs(n, ['broadcast', 'consumed_inputs']) });
      continue;
    }
    out.push(n);
  }
  return { nodes: out, inits };
}

/**
 * Exporters write shared weights as Identity(initializer): turn those into initializers of
 * their own, so that every weight is a plain constant.
 */
function foldConstantIdentities(nodes: NodeProto[], inits: TensorProto[]): NodeProto[] {
  const byName = new Map(inits.map((t) => [t.name ?? '', t]));
  return nodes.filter((n) => {
    const src = n.opType === 'Identity' ? byName.get(n.input?.[0] ?? '') : undefined;
    if (!src) return true;
    const copy: TensorProto = { ...src, name: n.output![0] };
    inits.push(copy);
    byName.set(copy.name!, copy);
    return false;
  });
}

/**
 * A copy of `model` in fp32 with opset-17 node semantics. The result runs in ONNX Runtime
 * and gives the same values as the original (fp16 models: the fp32 values of their weights).
 * `castWeights: false` leaves fp16/fp64 initializers uncast: the graph's structure and shapes for
 * reading only, not for running or compiling (ModelAnalysis `weights: false`).
 */
export function normalizeModel(model: ModelProto, { castWeights = true }: { castWeights?: boolean } = {}): ModelProto {
  const m = cloneModel(model);
  toFloat32(m, castWeights);
  const g = m.graph!;
  const opset = modelOpset(m);
  let counter = 0;
  const fresh = (p: string) => `__norm_${p}_${counter++}`;
  const { nodes, inits } = upgradeNodes(g.node ?? [], opset, fresh);
  g.initializer = [...(g.initializer ?? []), ...inits];
  g.node = foldConstantIdentities(nodes, g.initializer);
  // old IRs list initializers among the inputs; newer runtimes prefer them apart
  const initNames = new Set((g.initializer ?? []).map((t) => t.name));
  g.input = (g.input ?? []).filter((v) => !initNames.has(v.name));
  g.valueInfo = [];
  m.opsetImport = [{ domain: '', version: Math.max(opset, TARGET_OPSET) }];
  if (toNum(m.irVersion as never) < 8) m.irVersion = 8;
  return m;
}

/** Dims of a tensor value's shape (helper for callers holding TensorProtos). */
export { tensorDims };
