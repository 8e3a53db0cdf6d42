// The whole network's input gradient (every backward rule between the input and the logits) of the
// five manifest architectures against central differences of seed·logits, run through the plain
// forward model: SqueezeNet 1.0 (Conv, Relu, MaxPool ceil_mode, Concat, Dropout→Identity, GAP),
// MobileNet v1 (Clip, Flatten), ResNet-18 (Add, Gemm), MobileNetV2 (Clip, Add, Gemm), VGG-11
// (MaxPool, AveragePool, Gemm). Also: the symbolic batch (N = K rows, each with its own seed) equals
// row-by-row runs, which exercises MaxPool's indices with a batch > 1.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelAnalysis } from '../../../packages/core/src/onnx/analysis.js';
import { buildForwardModel, buildInputGradientModel, GRADIENTS, SEEDS } from '../../../packages/core/src/autodiff/compile.js';
import { session, run, rng, randn } from '../../helpers/ort.js';

const shared = resolve(__dirname, '../../../../shared/models');
const cases = [
  { id: 'squeezenet1.0 fp16', file: 'squeezenet1.0/model-fp16.onnx' },
  { id: 'mobilenet_v1_0.75', file: 'mobilenet_v1_0.75/model.onnx' },
  { id: 'resnet18', file: 'fixtures/resnet18.onnx' },
  { id: 'mobilenet_v2', file: 'fixtures/mobilenet_v2.onnx' },
  { id: 'vgg11_w8', file: 'fixtures/vgg11_w8.onnx' },
];

describe.skipIf(!existsSync(shared))('input gradients of real models vs central differences', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const analysis = new ModelAnalysis(readFileSync(resolve(shared, c.file)));
      const C = analysis.numClasses;
      const n = analysis.inputShape.reduce((a, b) => a * b, 1);
      const dims = analysis.inputShape;
      const r = rng(13);
      const x = randn(n, r, 1);
      const fwd = await session(buildForwardModel(analysis, []));
      const logitsOf = async (batch: Float32Array, rows: number) => (await run(fwd, { [analysis.input]: { data: batch, dims: [rows, ...dims.slice(1)] } }))[analysis.logits].data;
      const L0 = await logitsOf(x, 1);
      let top = 0;
      for (let i = 1; i < C; i++) if (L0[i] > L0[top]) top = i;
      // seeds: the top class, another class, a dense random row
      const K = 3;
      const seeds = new Float32Array(K * C);
      seeds[top] = 1;
      seeds[C + ((top + 37) % C)] = 1;
      seeds.set(randn(C, r, 1), 2 * C);
      const gs = await session(buildInputGradientModel(analysis));
      const out = await run(gs, { [analysis.input]: { data: x, dims }, [SEEDS]: { data: seeds, dims: [K, C] } });
      const g = out[GRADIENTS].data;
      expect(out[GRADIENTS].dims).toEqual([K, ...dims.slice(1)]);
      // the model's logits come out too
      const lg = out[Object.keys(out).find((k) => k !== GRADIENTS)!].data;
      for (let i = 0; i < C; i++) expect(Math.abs(lg[i] - L0[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(L0[i])));

      // directions built from our own gradient ĝ_k (v = ĝ_k ⊙ random mask, scaled to max 1), so
      // <ĝ_k, v> stands far above float32 rounding and an error in ĝ shows at first order
      let ss = 0;
      for (const v of x) ss += v * v;
      const rms = Math.sqrt(ss / n);
      const D = 2;
      const f = (row: Float32Array, k: number, off: number) => {
        let acc = 0;
        for (let q = 0; q < C; q++) acc += seeds[k * C + q] * row[off * C + q];
        return acc;
      };
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < D; j++) {
          const v = new Float32Array(n);
          let mx = 0;
          for (let i = 0; i < n; i++) {
            v[i] = j === 0 || r() < 0.5 ? g[k * n + i] : 0;
            mx = Math.max(mx, Math.abs(v[i]));
          }
          for (let i = 0; i < n; i++) v[i] /= mx || 1;
          let an = 0;
          for (let i = 0; i < n; i++) an += g[k * n + i] * v[i];
          expect(an).toBeGreaterThan(0);
          // Random-weight networks bend within a step (ReLUs, Clips and max-pool windows switching):
          // the difference quotient converges to the derivative as h shrinks, until float32 rounding
          // of the logits takes over. Steps of 1e-3·rms down to 1e-6·rms; one must match to 0.5 %.
          let checked = false;
          const tried: string[] = [];
          for (let h = 1e-3 * rms; h >= 1e-6 * rms && !checked; h /= 4) {
            const b = new Float32Array(2 * n);
            for (let i = 0; i < n; i++) {
              b[i] = x[i] + h * v[i];
              b[n + i] = x[i] - h * v[i];
            }
            const L = await logitsOf(b, 2);
            // float32 rounding of the logits: an ulp per class and evaluation (independent per class),
            // in a quotient by 2h (the two evaluations run the same arithmetic on nearly equal values)
            let scale = 0;
            for (let q = 0; q < C; q++) scale += (seeds[k * C + q] * (Math.abs(L0[q]) + 1)) ** 2;
            const noise = (2 * 2 ** -24 * Math.sqrt(scale)) / h;
            const fd = (f(L, k, 0) - f(L, k, 1)) / (2 * h);
            tried.push(`h ${h.toExponential(2)}: ${fd} ± ${noise.toExponential(1)}`);
            checked = Math.abs(fd - an) <= 5e-3 * an + noise && noise <= 5e-3 * an;
          }
          expect(checked, `${c.id} seed ${k} direction ${j}: <ĝ, v> = ${an}; ${tried.join('; ')}`).toBe(true);
        }
      }

      // symbolic batch: rows of inputs, each with its own seed row, equal single runs
      const x2 = randn(n, r, 1);
      const two = new Float32Array(2 * n);
      two.set(x, 0);
      two.set(x2, n);
      const seeds2 = seeds.slice(0, 2 * C);
      const batched = (await run(gs, { [analysis.input]: { data: two, dims: [2, ...dims.slice(1)] }, [SEEDS]: { data: seeds2, dims: [2, C] } }))[GRADIENTS].data;
      const single1 = (await run(gs, { [analysis.input]: { data: x2, dims }, [SEEDS]: { data: seeds.slice(C, 2 * C), dims: [1, C] } }))[GRADIENTS].data;
      let gmax = 0;
      for (const v of single1) gmax = Math.max(gmax, Math.abs(v));
      for (let i = 0; i < n; i++) {
        expect(Math.abs(batched[i] - g[i])).toBeLessThanOrEqual(1e-4 * gmax + 1e-3 * Math.abs(g[i]));
        expect(Math.abs(batched[n + i] - single1[i])).toBeLessThanOrEqual(1e-4 * gmax + 1e-3 * Math.abs(single1[i]));
      }
      await Promise.all([fwd.release(), gs.release()]);
    }, 120_000);
  }
});
