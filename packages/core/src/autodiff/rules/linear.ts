// Backward rules of dense layers: Gemm (data on input A, constant B) and MatMul.
import { attrFloat, attrInt } from '../../onnx/proto.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, UnsupportedOpError } from '../types.js';
import { reduceToOperand } from './broadcast.js';

// Y = alpha * A' B' + beta * C, with A' = transA ? Aᵀ : A (rows are the batch).
export const Gemm: BackwardRule = (ctx) => {
  const describe = GraphIndex.describe(ctx.node);
  const [a, b, c] = ctx.inputs;
  if (ctx.needsGrad[1]) throw new UnsupportedOpError('Gemm', describe, 'input B on the gradient path');
  if (attrInt(ctx.node, 'transA', 0) === 1 && ctx.needsGrad[0]) {
    throw new UnsupportedOpError('Gemm', describe, 'transA=1 puts the batch in columns');
  }
  const g = ctx.gradOutputs[0]!;
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);
  const transB = attrInt(ctx.node, 'transB', 0);
  // dA = alpha * g · B'ᵀ ; B'ᵀ = transB ? B : Bᵀ
  const da = ctx.needsGrad[0] ? ctx.emit.op1('Gemm', [g, b], { alpha: { float: alpha }, transB: transB ? 0 : 1 }) : null;
  let dc: string | null = null;
  if (c && ctx.needsGrad[2]) {
    const scaled = beta === 1 ? g : ctx.emit.op1('Mul', [g, ctx.emit.constFloat([beta], [])]);
    dc = reduceToOperand(ctx, scaled, c, ctx.shape(ctx.outputs[0]));
  }
  void a;
  return [da, null, dc];
};

// Y = A · B with constant B: dA = g · Bᵀ (last two axes), summed over the batch axes along
// which A was broadcast against B.
export const MatMul: BackwardRule = (ctx) => {
  const describe = GraphIndex.describe(ctx.node);
  if (ctx.needsGrad[1]) throw new UnsupportedOpError('MatMul', describe, 'input B on the gradient path');
  const [a, b] = ctx.inputs;
  const as = ctx.shape(a);
  const ys = ctx.shape(ctx.outputs[0]);
  if (as.length < ys.length) throw new UnsupportedOpError('MatMul', describe, 'input A broadcast over batch axes');
  const bs = ctx.shape(b);
  const perm = bs.map((_, i) => i);
  [perm[bs.length - 2], perm[bs.length - 1]] = [perm[bs.length - 1], perm[bs.length - 2]];
  const bt = ctx.emit.op1('Transpose', [b], { perm });
  const da = ctx.emit.op1('MatMul', [ctx.gradOutputs[0]!, bt]);
  return [reduceToOperand(ctx, da, a, [...ys.slice(0, -2), ...as.slice(-2)]), null];
};
