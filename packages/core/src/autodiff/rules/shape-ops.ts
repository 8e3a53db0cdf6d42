// Backward rules of ops that only move values: Flatten, Reshape, Squeeze, Unsqueeze,
// Transpose, Concat, Pad. The batch (seed) dim 0 must pass through unchanged.
import { attrInt, attrInts, attrString } from '../../onnx/proto.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, type BackwardContext, UnsupportedOpError } from '../types.js';

function keepsBatch(ctx: BackwardContext): void {
  const xs = ctx.shape(ctx.inputs[0]);
  const ys = ctx.shape(ctx.outputs[0]);
  if (xs.length === 0 || ys.length === 0 || xs[0] !== ys[0]) {
    throw new UnsupportedOpError(ctx.node.opType ?? '', GraphIndex.describe(ctx.node), 'it changes the batch dimension');
  }
}

/** Reshape the gradient back to the input's shape, keeping dim 0 (the seeds). */
export const Reshape: BackwardRule = (ctx) => {
  keepsBatch(ctx);
  const xs = ctx.shape(ctx.inputs[0]);
  const dx = ctx.emit.op1('Reshape', [ctx.gradOutputs[0]!, ctx.emit.constInt64([-1, ...xs.slice(1)])]);
  return [dx, ...ctx.inputs.slice(1).map(() => null)];
};
export const Flatten = Reshape;
export const Squeeze = Reshape;
export const Unsqueeze = Reshape;

export const Transpose: BackwardRule = (ctx) => {
  const rank = ctx.shape(ctx.inputs[0]).length;
  const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm[0] !== 0) throw new UnsupportedOpError('Transpose', GraphIndex.describe(ctx.node), 'it moves the batch dimension');
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.emit.op1('Transpose', [ctx.gradOutputs[0]!], { perm: inverse })];
};

export const Concat: BackwardRule = (ctx) => {
  const rank = ctx.shape(ctx.inputs[0]).length;
  let axis = attrInt(ctx.node, 'axis', 0);
  if (axis < 0) axis += rank;
  if (axis === 0) throw new UnsupportedOpError('Concat', GraphIndex.describe(ctx.node), 'concatenation along the batch');
  const sizes = ctx.inputs.map((i) => ctx.shape(i)[axis]);
  const parts = ctx.emit.op('Split', [ctx.gradOutputs[0]!, ctx.emit.constInt64(sizes)], { axis }, sizes.length);
  return parts.map((p, i) => (ctx.needsGrad[i] ? p : null));
};

export const Pad: BackwardRule = (ctx) => {
  const describe = GraphIndex.describe(ctx.node);
  if (attrString(ctx.node, 'mode', 'constant') !== 'constant') throw new UnsupportedOpError('Pad', describe, 'only constant padding');
  const pads = ctx.constant(ctx.inputs[1]);
  if (!pads) throw new UnsupportedOpError('Pad', describe, 'pads must be constant');
  const xs = ctx.shape(ctx.inputs[0]);
  const r = xs.length;
  const p = Array.from(pads.values);
  if (p[0] !== 0 || p[r] !== 0) throw new UnsupportedOpError('Pad', describe, 'padding of the batch dimension');
  const axes = xs.map((_, i) => i).slice(1);
  const starts = axes.map((a) => p[a]);
  const ends = axes.map((a) => p[a] + xs[a]);
  const e = ctx.emit;
  // negative pads crop: their gradient is zero-padded back
  if (p.some((v) => v < 0)) {
    const back = [0, ...axes.map((a) => Math.max(0, -p[a])), 0, ...axes.map((a) => Math.max(0, -p[a + r]))];
    const cropped = e.op1('Slice', [ctx.gradOutputs[0]!, e.constInt64(starts.map((s) => Math.max(0, s))),
      e.constInt64(axes.map((a) => Math.max(0, p[a]) + xs[a] + Math.min(0, p[a]) + Math.min(0, p[a + r]))), e.constInt64(axes)]);
    return [e.op1('Pad', [cropped, e.constInt64(back)]), null, null];
  }
  return [e.op1('Slice', [ctx.gradOutputs[0]!, e.constInt64(starts), e.constInt64(ends), e.constInt64(axes)]), null, null];
};
