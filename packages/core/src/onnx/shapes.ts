// Static shape inference for the ops of image classifiers (normalised, opset-17 graphs).
// Needed to find target layers, to size backward ops (ConvTranspose output padding,
// broadcast reductions) and to report shapes; an op it does not know is a clear error.
import { type NodeProto, attrInt, attrInts, attrString, attrTensor, tensorDims, toNum } from './proto.js';
import { GraphIndex } from './graph.js';

export type Shape = number[];

export class ShapeError extends Error {}

function broadcast(a: Shape, b: Shape, node: NodeProto): Shape {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ShapeError(`${GraphIndex.describe(node)}: cannot broadcast [${a}] with [${b}]`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Explicit [begin..., end...] pads of a conv/pool, resolving auto_pad from the input size. */
export function resolvePads(node: NodeProto, inSpatial: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const r = inSpatial.length;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const pads = new Array(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const out = Math.ceil(inSpatial[i] / strides[i]);
      const eff = (kernel[i] - 1) * dilations[i] + 1;
      const total = Math.max(0, (out - 1) * strides[i] + eff - inSpatial[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i];
    }
    return pads;
  }
  return attrInts(node, 'pads') ?? new Array(2 * r).fill(0);
}

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  ceilMode: boolean;
  outSpatial: number[];
}

/** Geometry of Conv / MaxPool / AveragePool windows over an input of shape `x`. */
export function windowGeometry(node: NodeProto, x: Shape, kernelFromWeight?: number[]): WindowGeometry {
  const spatial = x.slice(2);
  const r = spatial.length;
  const kernel = attrInts(node, 'kernel_shape') ?? kernelFromWeight ?? [];
  if (kernel.length !== r) throw new ShapeError(`${GraphIndex.describe(node)}: kernel_shape missing or of wrong rank`);
  const strides = attrInts(node, 'strides') ?? new Array(r).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array(r).fill(1);
  const pads = resolvePads(node, spatial, kernel, strides, dilations);
  const ceilMode = attrInt(node, 'ceil_mode', 0) === 1;
  const outSpatial = spatial.map((s, i) => {
    const eff = (kernel[i] - 1) * dilations[i] + 1;
    const span = s + pads[i] + pads[i + r] - eff;
    let o = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    // ONNX/PyTorch: the last window must start inside the input or the left padding
    if (ceilMode && (o - 1) * strides[i] >= s + pads[i]) o -= 1;
    return o;
  });
  return { kernel, strides, dilations, pads, ceilMode, outSpatial };
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * Infer the static shape of every tensor of `graph`, given the shapes of its real inputs.
 * Returns a map from tensor name to shape (initializers included).
 */
export function inferShapes(g: GraphIndex, inputShapes: Record<string, Shape>): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const [name, t] of g.initializers) shapes.set(name, tensorDims(t));
  for (const [name, s] of Object.entries(inputShapes)) shapes.set(name, s);
  // values of Shape outputs are known statically: Reshape(x, Shape(y)) is common
  const shapeValues = new Map<string, number[]>();
  const constInts = (name: string): number[] | undefined => {
    const v = g.constantValue(name);
    return v ? Array.from(v.values) : shapeValues.get(name);
  };
  for (const node of g.nodes) {
    const ins = node.input ?? [];
    const get = (i: number): Shape => {
      const s = shapes.get(ins[i]);
      if (!s) throw new ShapeError(`${GraphIndex.describe(node)}: shape of input '${ins[i]}' is unknown`);
      return s;
    };
    const outs = inferNode(node, get, constInts, ins);
    if (node.opType === 'Shape') shapeValues.set(node.output![0], get(0));
    outs.forEach((s, i) => {
      const name = node.output?.[i];
      if (name && s) shapes.set(name, s);
    });
  }
  return shapes;
}

function inferNode(
  node: NodeProto,
  get: (i: number) => Shape,
  constInts: (name: string) => number[] | undefined,
  ins: string[],
): (Shape | undefined)[] {
  const op = node.opType ?? '';
  const describe = GraphIndex.describe(node);
  switch (op) {
    case 'Relu': case 'Clip': case 'LeakyRelu': case 'Sigmoid': case 'Tanh': case 'Elu': case 'HardSigmoid':
    case 'HardSwish': case 'Identity': case 'Dropout': case 'Softmax': case 'LogSoftmax': case 'Neg': case 'Exp':
    case 'Sqrt': case 'Abs': case 'Cast': case 'Erf': case 'Softplus': case 'BatchNormalization': case 'PRelu':
    case 'LRN': case 'Gelu':
      return [get(0)];
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Where': case 'Max': case 'Min': case 'Sum': {
      let s = get(0);
      for (let i = 1; i < ins.length; i++) s = broadcast(s, get(i), node);
      return [s];
    }
    case 'Constant': {
      const t = attrTensor(node, 'value');
      if (!t) throw new ShapeError(`${describe}: only tensor-valued Constant is supported`);
      return [tensorDims(t)];
    }
    case 'Shape':
      return [[get(0).length]];
    case 'Conv': {
      const x = get(0);
      const w = get(1);
      const geo = windowGeometry(node, x, w.slice(2));
      return [[x[0], w[0], ...geo.outSpatial]];
    }
    case 'ConvTranspose': {
      const x = get(0);
      const w = get(1);
      const group = attrInt(node, 'group', 1);
      const r = x.length - 2;
      const strides = attrInts(node, 'strides') ?? new Array(r).fill(1);
      const dil = attrInts(node, 'dilations') ?? new Array(r).fill(1);
      const pads = attrInts(node, 'pads') ?? new Array(2 * r).fill(0);
      const op2 = attrInts(node, 'output_padding') ?? new Array(r).fill(0);
      const explicit = attrInts(node, 'output_shape');
      const sp = explicit ?? x.slice(2).map((s, i) => strides[i] * (s - 1) + op2[i] + (w[2 + i] - 1) * dil[i] + 1 - pads[i] - pads[i + r]);
      return [[x[0], w[1] * group, ...sp]];
    }
    case 'MaxPool': case 'AveragePool': case 'LpPool': {
      const x = get(0);
      const geo = windowGeometry(node, x);
      const s = [x[0], x[1], ...geo.outSpatial];
      return [s, s];
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': {
      const x = get(0);
      return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
    }
    case 'Flatten': {
      const x = get(0);
      const axis = normAxis(attrInt(node, 'axis', 1), x.length);
      const a = x.slice(0, axis).reduce((p, q) => p * q, 1);
      const b = x.slice(axis).reduce((p, q) => p * q, 1);
      return [[a, b]];
    }
    case 'Reshape': {
      const x = get(0);
      const target = constInts(ins[1]);
      if (!target) throw new ShapeError(`${describe}: the target shape must be a constant`);
      const allowZero = attrInt(node, 'allowzero', 0) === 1;
      const out = target.map((d, i) => (d === 0 && !allowZero ? x[i] : d));
      const total = x.reduce((p, q) => p * q, 1);
      const known = out.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      return [out.map((d) => (d === -1 ? total / known : d))];
    }
    case 'Squeeze': {
      const x = get(0);
      const axes = ins[1] ? constInts(ins[1]) : undefined;
      if (ins[1] && !axes) throw new ShapeError(`${describe}: axes must be a constant`);
      const ax = new Set((axes ?? x.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => normAxis(a, x.length)));
      return [x.filter((_, i) => !ax.has(i))];
    }
    case 'Unsqueeze': {
      const x = get(0);
      const axes = constInts(ins[1]);
      if (!axes) throw new ShapeError(`${describe}: axes must be a constant`);
      const rank = x.length + axes.length;
      const ax = new Set(axes.map((a) => normAxis(a, rank)));
      const out: Shape = [];
      let j = 0;
      for (let i = 0; i < rank; i++) out.push(ax.has(i) ? 1 : x[j++]);
      return [out];
    }
    case 'Transpose': {
      const x = get(0);
      const perm = attrInts(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return [perm.map((p) => x[p])];
    }
    case 'Concat': {
      const first = get(0);
      const axis = normAxis(attrInt(node, 'axis', 0), first.length);
      const out = [...first];
      for (let i = 1; i < ins.length; i++) out[axis] += get(i)[axis];
      return [out];
    }
    case 'Gemm': {
      const a = get(0);
      const b = get(1);
      const m = attrInt(node, 'transA', 0) ? a[1] : a[0];
      const n = attrInt(node, 'transB', 0) ? b[0] : b[1];
      return [[m, n]];
    }
    case 'MatMul': {
      const a = get(0);
      const b = get(1);
      if (a.length < 2 || b.length < 2) throw new ShapeError(`${describe}: 1-D MatMul operands are not supported`);
      const batch = broadcast(a.slice(0, -2), b.slice(0, -2), node);
      return [[...batch, a[a.length - 2], b[b.length - 1]]];
    }
    case 'Pad': {
      const x = get(0);
      const pads = constInts(ins[1]);
      if (!pads) throw new ShapeError(`${describe}: pads must be a constant`);
      if (ins[3]) throw new ShapeError(`${describe}: the axes input of Pad is not supported`);
      return [x.map((d, i) => d + pads[i] + pads[i + x.length])];
    }
    case 'Slice': {
      // opset ≥ 10: starts, ends, axes, steps as inputs (clamped as the ONNX spec says)
      const x = get(0);
      const starts = constInts(ins[1]);
      const ends = constInts(ins[2]);
      const axes = ins[3] ? constInts(ins[3]) : x.map((_, i) => i).slice(0, starts?.length ?? 0);
      const steps = ins[4] ? constInts(ins[4]) : starts?.map(() => 1);
      if (!starts || !ends || !axes || !steps) throw new ShapeError(`${describe}: starts, ends, axes and steps must be constants`);
      const out = [...x];
      axes.forEach((a0, j) => {
        const a = normAxis(a0, x.length);
        out[a] = sliceLength(x[a], starts[j], ends[j], steps[j]);
      });
      return [out];
    }
    case 'Split': {
      const x = get(0);
      const axis = normAxis(attrInt(node, 'axis', 0), x.length);
      const n = node.output?.length ?? 1;
      const sizes = attrInts(node, 'split') ?? (ins[1] ? constInts(ins[1]) : undefined)
        ?? Array.from({ length: n }, (_, i) => Math.min(Math.ceil(x[axis] / n), Math.max(0, x[axis] - i * Math.ceil(x[axis] / n))));
      if (sizes.length !== n) throw new ShapeError(`${describe}: ${sizes.length} split sizes for ${n} outputs`);
      return sizes.map((d) => x.map((v, i) => (i === axis ? d : v)));
    }
    case 'Resize': {
      // opset ≥ 11: X, roi, scales, sizes; the output size is sizes, else floor(x · scale)
      const x = get(0);
      const sizes = ins[3] ? constInts(ins[3]) : undefined;
      if (sizes?.length) return [sizes];
      const scales = ins[2] ? constInts(ins[2]) : undefined;
      if (!scales?.length) throw new ShapeError(`${describe}: scales or sizes must be constants`);
      // in float32, as ONNX Runtime computes it (3 × 5/3 is 5, not 4.9999…)
      return [x.map((d, i) => Math.floor(Math.fround(d * Math.fround(scales[i]))))];
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': {
      const x = get(0);
      const axes = attrInts(node, 'axes') ?? (ins[1] ? constInts(ins[1]) : undefined) ?? x.map((_, i) => i);
      const keep = attrInt(node, 'keepdims', 1) === 1;
      const ax = new Set(axes.map((a) => normAxis(a, x.length)));
      return [keep ? x.map((d, i) => (ax.has(i) ? 1 : d)) : x.filter((_, i) => !ax.has(i))];
    }
    default:
      throw new ShapeError(`${describe}: shape inference does not know op ${op}`);
  }
}

/** Elements a Slice keeps along one axis of `dim` (starts/ends clamped as ONNX does; step ≠ 0). */
export function sliceLength(dim: number, start: number, end: number, step: number): number {
  if (step === 0) throw new ShapeError('Slice step 0');
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
  const s = step > 0 ? norm(start, 0, dim) : norm(start, 0, dim - 1);
  const e = step > 0 ? norm(end, 0, dim) : norm(end, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

export { toNum };
