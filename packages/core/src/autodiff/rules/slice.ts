// Backward rules of ops that select parts of a tensor: Slice (any steps, constant starts/ends/axes/
// steps: zero-padding back for step 1, a scatter into zeros otherwise — YOLOX's Focus stem takes every
// second pixel) and Split (the pieces' gradients concatenated, zeros for pieces no gradient reaches).
// The batch (seed) dim 0 is never sliced or split.
import { attrInt, attrInts } from '../../onnx/proto.js';
import { GraphIndex } from '../../onnx/graph.js';
import { sliceLength } from '../../onnx/shapes.js';
import { type BackwardRule, type BackwardContext, UnsupportedOpError } from '../types.js';

/** Zeros of shape [K, ...dims] where K is dim 0 of the gradient `like`. */
function zerosLike(ctx: BackwardContext, like: string, dims: number[]): string {
  const e = ctx.emit;
  const k = e.op1('Slice', [e.op1('Shape', [like]), e.constInt64([0]), e.constInt64([1])]);
  const shape = e.op1('Concat', [k, e.constInt64(dims)], { axis: 0 });
  return e.op1('Expand', [e.constFloat([0], new Array(dims.length + 1).fill(1)), shape]);
}

export const Slice: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const describe = GraphIndex.describe(ctx.node);
  const [x, ...rest] = ctx.inputs;
  const xs = ctx.shape(x);
  const r = xs.length;
  const value = (i: number) => (rest[i - 1] ? ctx.constant(rest[i - 1]) : undefined);
  const starts = value(1);
  const ends = value(2);
  if (!starts || !ends || (rest[2] && !value(3)) || (rest[3] && !value(4))) {
    throw new UnsupportedOpError('Slice', describe, 'starts, ends, axes and steps must be constants');
  }
  const n = starts.values.length;
  const axes = rest[2] ? Array.from(value(3)!.values) : Array.from({ length: n }, (_, i) => i);
  const steps = rest[3] ? Array.from(value(4)!.values) : new Array<number>(n).fill(1);
  const cur = ctx.shape(ctx.outputs[0]).slice();
  let g = ctx.gradOutputs[0]!;
  axes.forEach((a0, j) => {
    const a = a0 < 0 ? a0 + r : a0;
    const dim = xs[a];
    const step = steps[j];
    const count = sliceLength(dim, starts.values[j], ends.values[j], step);
    // the first position kept, clamped as ONNX clamps it
    const s0 = starts.values[j] < 0 ? starts.values[j] + dim : starts.values[j];
    const first = step > 0 ? Math.min(Math.max(s0, 0), dim) : Math.min(Math.max(s0, 0), dim - 1);
    if (count === dim && step === 1) return; // the whole axis
    if (a === 0) throw new UnsupportedOpError('Slice', describe, 'slicing of the batch dimension');
    if (step === 1) {
      const pads = new Array<number>(2 * r).fill(0);
      pads[a] = first;
      pads[a + r] = dim - first - count;
      g = e.op1('Pad', [g, e.constInt64(pads)]);
    } else {
      // scatter the kept positions first, first + step, … back into zeros along axis a
      const idxDims = new Array<number>(r).fill(1);
      idxDims[a] = count;
      const idx = e.constInt64(Array.from({ length: count }, (_, i) => first + i * step), idxDims);
      const target = cur.slice(1);
      target[a - 1] = dim;
      g = e.op1('ScatterElements', [zerosLike(ctx, g, target), e.op1('Expand', [idx, e.op1('Shape', [g])]), g], { axis: a });
    }
    cur[a] = dim;
  });
  return [g, ...rest.map(() => null)];
};

export const Split: BackwardRule = (ctx) => {
  const describe = GraphIndex.describe(ctx.node);
  const xs = ctx.shape(ctx.inputs[0]);
  let axis = attrInt(ctx.node, 'axis', 0);
  if (axis < 0) axis += xs.length;
  if (axis === 0) throw new UnsupportedOpError('Split', describe, 'splitting the batch dimension');
  if (attrInts(ctx.node, 'split') === undefined && ctx.inputs[1] && !ctx.constant(ctx.inputs[1])) {
    throw new UnsupportedOpError('Split', describe, 'split sizes must be constant');
  }
  const g0 = ctx.gradOutputs.find((g) => g !== null)!;
  const parts = ctx.outputs.map((o, i) => ctx.gradOutputs[i] ?? zerosLike(ctx, g0, ctx.shape(o).slice(1)));
  return [ctx.emit.op1('Concat', parts, { axis }), ...ctx.inputs.slice(1).map(() => null)];
};
