// Integrated Gradients (Sundararajan et al. 2017), Captum's IntegratedGradients with its defaults:
// zero baseline, 50 steps, Gauss-Legendre quadrature ('riemann_trapezoid' as an option, quadrature.ts).
// attribution = (x − b) · Σᵢ wᵢ · d score / d x at b + αᵢ(x − b); the steps of one target run as
// batches through the one compiled input-gradient model. Convergence delta, as Captum's
// compute_convergence_delta: Σ attribution − (score(x) − score(b)).
import type { AttributionMethod, Attribution } from '../types.js';
import { integratedGradientsPasses } from '../passes.js';
import { forEachGradient } from '../batches.js';
import { quadrature } from '../quadrature.js';
import { targetScores } from '../../cam/targets.js';

const f32 = Math.fround;

export const integratedGradients: AttributionMethod = {
  id: 'integratedgradients',
  kind: 'attribution',
  name: 'Integrated Gradients',
  needsGradients: false,
  cost: 'gradient-input',
  passes: integratedGradientsPasses,
  async compute(ctx) {
    const { steps, integration } = ctx.options;
    const { alphas, weights } = quadrature(integration, steps);
    const x = ctx.input;
    const n = x.length;
    // the zero baseline: path points are α·x
    const baseline = new Float32Array(n);
    const baselineLogits = await ctx.forwardInputs(baseline, 1);
    const out: Attribution[] = [];
    for (const target of ctx.targets) {
      const total = new Float64Array(n);
      await forEachGradient(ctx, 'standard', target, steps, (i, row) => {
        const a = f32(alphas[i]);
        for (let p = 0; p < n; p++) row[p] = a * x[p];
      }, (i, g) => {
        // Captum scales each step's gradient by its float32 step size
        const w = f32(weights[i]);
        for (let p = 0; p < n; p++) total[p] += f32(g[p] * w);
      });
      const values = new Float32Array(n);
      let sum = 0;
      for (let p = 0; p < n; p++) {
        values[p] = f32(total[p]) * (x[p] - baseline[p]);
        sum += values[p];
      }
      const scoreX = targetScores(ctx.logits, 1, ctx.numClasses, target)[0];
      const scoreB = targetScores(baselineLogits, 1, ctx.numClasses, target)[0];
      out.push({ values, convergenceDelta: sum - (scoreX - scoreB) });
    }
    return out;
  },
};
