// Backward-rule variants for pixel attributions: the standard table with ReLU's rule replaced by
// guided backpropagation (Springenberg et al. 2015: relu(g) where the forward output is > 0) or the
// deconvnet rule (Zeiler & Fergus 2014: relu(g), the forward mask ignored). As Captum's
// GuidedBackprop / Deconvolution hook nn.ReLU modules only, only Relu nodes change: Clip (ReLU6),
// LeakyRelu and every other op keep their true derivative.
import type { BackwardRule, BackwardContext } from '../types.js';
import { backwardRules } from './index.js';

export type GradientRules = 'standard' | 'guided' | 'deconvolution';
export const GRADIENT_RULES: readonly GradientRules[] = ['standard', 'guided', 'deconvolution'];

const zero = (ctx: BackwardContext) => ctx.emit.constFloat([0], []);

/** Guided backpropagation: the ReLU's gradient, then only its positive part. */
export const GuidedRelu: BackwardRule = (ctx) => {
  const positive = ctx.emit.op1('Relu', [ctx.gradOutputs[0]!]);
  return [ctx.emit.op1('Where', [ctx.emit.op1('Greater', [ctx.outputs[0], zero(ctx)]), positive, zero(ctx)])];
};

/** Deconvnet: the positive part of the incoming gradient, whatever the forward input was. */
export const DeconvRelu: BackwardRule = (ctx) => [ctx.emit.op1('Relu', [ctx.gradOutputs[0]!])];

const tables: Record<GradientRules, Record<string, BackwardRule>> = {
  standard: backwardRules,
  guided: { ...backwardRules, Relu: GuidedRelu },
  deconvolution: { ...backwardRules, Relu: DeconvRelu },
};

/** The rule table of a variant. */
export function ruleTable(rules: GradientRules): Record<string, BackwardRule> {
  return tables[rules];
}
