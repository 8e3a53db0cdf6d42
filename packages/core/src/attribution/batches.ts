// The loop IG and SmoothGrad share: many inputs for one target through the compiled input-gradient
// model, batchSize rows per run, each row's gradient handed to the caller as it arrives.
import type { CamTarget } from '../cam/types.js';
import type { AttributionContext, GradientRules } from './types.js';

/**
 * For i = 0..count−1: `fill(i, row)` writes input i into `row` ([C·H·W]); `use(i, gradient)` receives
 * d score / d input at it (a view, valid during the call).
 */
export async function forEachGradient(ctx: AttributionContext, rules: GradientRules, target: CamTarget, count: number,
  fill: (i: number, row: Float32Array) => void, use: (i: number, gradient: Float32Array) => void): Promise<void> {
  const size = ctx.input.length;
  const rows = Math.max(1, Math.min(ctx.batchSize, count));
  const batch = new Float32Array(rows * size);
  for (let start = 0; start < count; start += rows) {
    const n = Math.min(rows, count - start);
    for (let j = 0; j < n; j++) fill(start + j, batch.subarray(j * size, (j + 1) * size));
    const grads = await ctx.inputGradients(rules, n === rows ? batch : batch.subarray(0, n * size), n, new Array<CamTarget>(n).fill(target));
    for (let j = 0; j < n; j++) use(start + j, grads.subarray(j * size, (j + 1) * size));
  }
}

/** The gradient of each target at the input itself, all targets in one run: [C·H·W] per target. */
export async function gradientsAtInput(ctx: AttributionContext, rules: GradientRules): Promise<Float32Array[]> {
  const g = await ctx.inputGradients(rules, ctx.input, 1, ctx.targets);
  const n = ctx.input.length;
  return ctx.targets.map((_, k) => g.slice(k * n, (k + 1) * n));
}
