// Backward rules of broadcasting arithmetic: Add, Sub, Mul, Div, Sum.
import type { BackwardRule, BackwardContext } from '../types.js';
import { reduceToOperand } from './broadcast.js';

function each(ctx: BackwardContext, f: (i: number, g: string, outShape: number[]) => string | null): (string | null)[] {
  const g = ctx.gradOutputs[0]!;
  const outShape = ctx.shape(ctx.outputs[0]);
  return ctx.inputs.map((_, i) => (ctx.needsGrad[i] ? f(i, g, outShape) : null));
}

export const Add: BackwardRule = (ctx) => each(ctx, (i, g, o) => reduceToOperand(ctx, g, ctx.inputs[i], o));
export const Sum = Add;

export const Sub: BackwardRule = (ctx) =>
  each(ctx, (i, g, o) => {
    const r = reduceToOperand(ctx, g, ctx.inputs[i], o);
    return i === 0 ? r : ctx.emit.op1('Neg', [r]);
  });

export const Mul: BackwardRule = (ctx) =>
  each(ctx, (i, g, o) => reduceToOperand(ctx, ctx.emit.op1('Mul', [g, ctx.inputs[1 - i]]), ctx.inputs[i], o));

// d(a/b)/da = 1/b ; d(a/b)/db = -a/b² = -y/b
export const Div: BackwardRule = (ctx) =>
  each(ctx, (i, g, o) => {
    const [a, b] = ctx.inputs;
    if (i === 0) return reduceToOperand(ctx, ctx.emit.op1('Div', [g, b]), a, o);
    const t = ctx.emit.op1('Neg', [ctx.emit.op1('Div', [ctx.emit.op1('Mul', [g, ctx.outputs[0]]), b])]);
    return reduceToOperand(ctx, t, b, o);
  });
