// Backward rules of elementwise activations: Relu, Clip, LeakyRelu, Sigmoid, Tanh, Exp, HardSigmoid, HardSwish,
// and the pass-through ops Identity, Dropout (inference) and Cast (fp32 graphs).
import { attrFloat } from '../../onnx/proto.js';
import type { BackwardRule, BackwardContext } from '../types.js';

const zero = (ctx: BackwardContext) => ctx.emit.constFloat([0], []);

/** g where `mask`, else 0. */
function gate(ctx: BackwardContext, mask: string, g: string): string {
  return ctx.emit.op1('Where', [mask, g, zero(ctx)]);
}

// PyTorch's threshold_backward: gradient where the output is > 0 (0 at x = 0).
export const Relu: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  return [gate(ctx, ctx.emit.op1('Greater', [ctx.outputs[0], zero(ctx)]), g!)];
};

// PyTorch's hardtanh_backward (ReLU6 exports as Clip): gradient where min < x < max.
export const Clip: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const x = ctx.inputs[0];
  let mask: string | null = null;
  if (ctx.inputs[1]) mask = ctx.emit.op1('Greater', [x, ctx.inputs[1]]);
  if (ctx.inputs[2]) {
    const hi = ctx.emit.op1('Less', [x, ctx.inputs[2]]);
    mask = mask ? ctx.emit.op1('And', [mask, hi]) : hi;
  }
  return [mask ? gate(ctx, mask, g!) : g];
};

export const LeakyRelu: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const alpha = attrFloat(ctx.node, 'alpha', 0.01);
  const pos = ctx.emit.op1('Greater', [ctx.inputs[0], zero(ctx)]);
  const scaled = ctx.emit.op1('Mul', [g!, ctx.emit.constFloat([alpha], [])]);
  return [ctx.emit.op1('Where', [pos, g!, scaled])];
};

export const Sigmoid: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const y = ctx.outputs[0];
  const oneMinus = ctx.emit.op1('Sub', [ctx.emit.constFloat([1], []), y]);
  return [ctx.emit.op1('Mul', [g!, ctx.emit.op1('Mul', [y, oneMinus])])];
};

export const Tanh: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const y = ctx.outputs[0];
  const d = ctx.emit.op1('Sub', [ctx.emit.constFloat([1], []), ctx.emit.op1('Mul', [y, y])]);
  return [ctx.emit.op1('Mul', [g!, d])];
};

// y = exp(x): dx = g·y (YOLO exports that decode box sizes in the graph)
export const Exp: BackwardRule = (ctx) => [ctx.emit.op1('Mul', [ctx.gradOutputs[0]!, ctx.outputs[0]])];

// y = max(0, min(1, alpha * x + beta)): slope alpha strictly inside (0, 1).
export const HardSigmoid: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const alpha = attrFloat(ctx.node, 'alpha', 0.2);
  const beta = attrFloat(ctx.node, 'beta', 0.5);
  const t = ctx.emit.op1('Add', [ctx.emit.op1('Mul', [ctx.inputs[0], ctx.emit.constFloat([alpha], [])]), ctx.emit.constFloat([beta], [])]);
  const inside = ctx.emit.op1('And', [ctx.emit.op1('Greater', [t, zero(ctx)]), ctx.emit.op1('Less', [t, ctx.emit.constFloat([1], [])])]);
  return [gate(ctx, inside, ctx.emit.op1('Mul', [g!, ctx.emit.constFloat([alpha], [])]))];
};

// y = x * relu6(x + 3) / 6: dy/dx = 0 (x < -3), x/3 + 1/2 (-3 <= x <= 3), 1 (x > 3), as PyTorch.
export const HardSwish: BackwardRule = (ctx) => {
  const [g] = ctx.gradOutputs;
  const x = ctx.inputs[0];
  const mid = ctx.emit.op1('Add', [ctx.emit.op1('Div', [x, ctx.emit.constFloat([3], [])]), ctx.emit.constFloat([0.5], [])]);
  const d1 = ctx.emit.op1('Where', [ctx.emit.op1('Greater', [x, ctx.emit.constFloat([3], [])]), ctx.emit.constFloat([1], []), mid]);
  const d = ctx.emit.op1('Where', [ctx.emit.op1('Less', [x, ctx.emit.constFloat([-3], [])]), zero(ctx), d1]);
  return [ctx.emit.op1('Mul', [g!, d])];
};

export const Identity: BackwardRule = (ctx) => [ctx.gradOutputs[0]];
export const Dropout = Identity;
export const Cast = Identity;
