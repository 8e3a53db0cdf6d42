// Backward rules of pooling: MaxPool (argmax indices scattered back), AveragePool
// (depthwise ConvTranspose of the per-window divisor), GlobalAveragePool and GlobalMaxPool.
import { attrInt } from '../../onnx/proto.js';
import { windowGeometry } from '../../onnx/shapes.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, UnsupportedOpError } from '../types.js';

const prod = (a: number[]) => a.reduce((p, q) => p * q, 1);

// The forward graph's MaxPool gets a second output (Indices: flat positions in the input,
// batch and channel included). dX[k] = scatter-add of g[k] at those positions.
export const MaxPool: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const describe = GraphIndex.describe(ctx.node);
  if (attrInt(ctx.node, 'storage_order', 0) !== 0) throw new UnsupportedOpError('MaxPool', describe, 'storage_order=1');
  const xs = ctx.shape(ctx.inputs[0]);
  const ys = ctx.shape(ctx.outputs[0]);
  const perSampleIn = prod(xs.slice(1));
  const perSampleOut = prod(ys.slice(1));
  // recompute the pooling with its Indices output (the forward node may not expose them)
  const geo = windowGeometry(ctx.node, xs);
  const [, idx] = e.op('MaxPool', [ctx.inputs[0]], {
    kernel_shape: geo.kernel, strides: geo.strides, pads: geo.pads, dilations: geo.dilations,
    ceil_mode: geo.ceilMode ? 1 : 0,
  }, 2);
  // the indices count from the start of the batch; the forward batch may be K at run time (the
  // static shape says 1), so positions are always taken modulo one sample
  const flatIdx = e.op1('Mod', [e.op1('Reshape', [idx, e.constInt64([-1, perSampleOut])]), e.constInt64([perSampleIn], [])]);
  const g = e.op1('Reshape', [ctx.gradOutputs[0]!, e.constInt64([-1, perSampleOut])]);
  const gShape = e.op1('Shape', [g]);
  const idxK = e.op1('Expand', [flatIdx, gShape]);
  const kDim = e.op1('Slice', [gShape, e.constInt64([0]), e.constInt64([1])]);
  const zerosShape = e.op1('Concat', [kDim, e.constInt64([perSampleIn])], { axis: 0 });
  const zeros = e.op1('Expand', [e.constFloat([0], [1, 1]), zerosShape]);
  const scattered = e.op1('ScatterElements', [zeros, idxK, g], { axis: 1, reduction: 'add' });
  return [e.op1('Reshape', [scattered, e.constInt64([-1, ...xs.slice(1)])])];
};

// Each output averages a window; the divisor per output position follows count_include_pad
// and the clipping of ceil-mode windows (as PyTorch/ONNX Runtime do).
export const AveragePool: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const xs = ctx.shape(ctx.inputs[0]);
  const geo = windowGeometry(ctx.node, xs);
  const describe = GraphIndex.describe(ctx.node);
  if (geo.dilations.some((d) => d !== 1)) throw new UnsupportedOpError('AveragePool', describe, 'dilations');
  const r = xs.length - 2;
  if (r !== 2) throw new UnsupportedOpError('AveragePool', describe, 'only 2-D pooling');
  const includePad = attrInt(ctx.node, 'count_include_pad', 0) === 1;
  const [oh, ow] = geo.outSpatial;
  const [H, W] = xs.slice(2);
  const span = (o: number, i: number, size: number) => {
    const start = o * geo.strides[i] - geo.pads[i];
    const end = start + geo.kernel[i];
    const lo = includePad ? -geo.pads[i] : 0;
    const hi = includePad ? size + geo.pads[i + r] : size;
    return Math.min(end, hi) - Math.max(start, lo);
  };
  const inv = new Float32Array(oh * ow);
  for (let a = 0; a < oh; a++) for (let b = 0; b < ow; b++) inv[a * ow + b] = 1 / (span(a, 0, H) * span(b, 1, W));
  const C = xs[1];
  const gScaled = e.op1('Mul', [ctx.gradOutputs[0]!, e.constFloat(inv, [1, 1, oh, ow])]);
  const ones = e.constFloat(new Float32Array(C * geo.kernel[0] * geo.kernel[1]).fill(1), [C, 1, ...geo.kernel]);
  const outputPadding = [H, W].map((size, i) => size - ((geo.outSpatial[i] - 1) * geo.strides[i] + geo.kernel[i] - geo.pads[i] - geo.pads[i + r]));
  // ceil-mode windows can run past the padded input: ConvTranspose then over-produces; crop it
  const dx = e.op1('ConvTranspose', [gScaled, ones], {
    kernel_shape: geo.kernel, strides: geo.strides, pads: geo.pads, group: C,
    output_padding: outputPadding.some((p) => p > 0) ? outputPadding.map((p) => Math.max(0, p)) : undefined,
  });
  if (outputPadding.some((p) => p < 0)) {
    return [e.op1('Slice', [dx, e.constInt64([0, 0]), e.constInt64([H, W]), e.constInt64([2, 3])])];
  }
  return [dx];
};

export const GlobalAveragePool: BackwardRule = (ctx) => {
  const xs = ctx.shape(ctx.inputs[0]);
  const n = prod(xs.slice(2));
  const scaled = ctx.emit.op1('Mul', [ctx.gradOutputs[0]!, ctx.emit.constFloat([1 / n], [])]);
  return [ctx.emit.op1('Expand', [scaled, ctx.emit.constInt64([1, ...xs.slice(1)])])];
};

// Gradient to every position equal to the maximum (ties share it, like torch.amax).
export const GlobalMaxPool: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const rank = ctx.shape(ctx.inputs[0]).length;
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  const mask = e.op1('Equal', [ctx.inputs[0], ctx.outputs[0]]);
  const maskF = e.op1('Cast', [mask], { to: 1 });
  const count = e.op1('ReduceSum', [maskF, e.constInt64(spatial)], { keepdims: 1 });
  const share = e.op1('Div', [ctx.gradOutputs[0]!, count]);
  return [e.op1('Mul', [maskF, share])];
};
