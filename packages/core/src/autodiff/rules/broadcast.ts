// Shared helper: sum a gradient over the axes an operand was broadcast along.
import type { BackwardContext } from '../types.js';
import { UnsupportedOpError } from '../types.js';
import { GraphIndex } from '../../onnx/graph.js';

/**
 * The gradient `g` (shape [K, ...outShape[1:]]) reduced to the shape of operand `name`.
 * Dim 0 is the seed dim and is never reduced: operands that need a gradient carry the batch.
 */
export function reduceToOperand(ctx: BackwardContext, g: string, name: string, outShape: number[]): string {
  const s = ctx.shape(name);
  if (s.length !== outShape.length) {
    throw new UnsupportedOpError(ctx.node.opType ?? '', GraphIndex.describe(ctx.node),
      `operand '${name}' of rank ${s.length} is broadcast to rank ${outShape.length} on the gradient path`);
  }
  const axes: number[] = [];
  for (let i = 1; i < s.length; i++) if (s[i] === 1 && outShape[i] !== 1) axes.push(i);
  if (axes.length === 0) return g;
  return ctx.emit.op1('ReduceSum', [g, ctx.emit.constInt64(axes)], { keepdims: 1 });
}
