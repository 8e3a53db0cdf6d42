// Backward rules of BatchNormalization (inference: a per-channel affine map) and Softmax/LogSoftmax.
import { attrFloat, attrInt } from '../../onnx/proto.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, UnsupportedOpError } from '../types.js';

// y = (x - mean) / sqrt(var + eps) * scale + bias  →  dx = g * scale / sqrt(var + eps)
export const BatchNormalization: BackwardRule = (ctx) => {
  const describe = GraphIndex.describe(ctx.node);
  if (attrInt(ctx.node, 'training_mode', 0) === 1) throw new UnsupportedOpError('BatchNormalization', describe, 'training mode');
  const scale = ctx.constant(ctx.inputs[1]);
  const variance = ctx.constant(ctx.inputs[4]);
  if (!scale || !variance) throw new UnsupportedOpError('BatchNormalization', describe, 'scale and variance must be constants');
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const C = scale.values.length;
  const factor = Float32Array.from(scale.values, (s, c) => s / Math.sqrt(variance.values[c] + eps));
  const rank = ctx.shape(ctx.inputs[0]).length;
  const dims = [C, ...new Array(Math.max(0, rank - 2)).fill(1)];
  return [ctx.emit.op1('Mul', [ctx.gradOutputs[0]!, ctx.emit.constFloat(factor, dims)]), null, null, null, null];
};

// y = softmax(x) along axis: dx = y * (g - Σ g·y)
export const Softmax: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const axis = attrInt(ctx.node, 'axis', -1);
  const y = ctx.outputs[0];
  const g = ctx.gradOutputs[0]!;
  const dot = e.op1('ReduceSum', [e.op1('Mul', [g, y]), e.constInt64([axis])], { keepdims: 1 });
  return [e.op1('Mul', [y, e.op1('Sub', [g, dot])])];
};

// y = x - logsumexp(x): dx = g - softmax(x) * Σ g
export const LogSoftmax: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const axis = attrInt(ctx.node, 'axis', -1);
  if (ctx.shape(ctx.inputs[0]).length === 0) throw new UnsupportedOpError('LogSoftmax', GraphIndex.describe(ctx.node), 'scalar');
  const sum = e.op1('ReduceSum', [ctx.gradOutputs[0]!, e.constInt64([axis])], { keepdims: 1 });
  return [e.op1('Sub', [ctx.gradOutputs[0]!, e.op1('Mul', [e.op1('Exp', [ctx.outputs[0]]), sum])])];
};
