// Head gradients of the real manifest models against central finite differences.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelAnalysis } from '../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels, buildForwardModel, SEEDS, GRADIENTS } from '../../../packages/core/src/autodiff/compile.js';
import { session, run, rng, randn } from '../../helpers/ort.js';

const shared = resolve(__dirname, '../../../../shared/models');
const cases = [
  { id: 'squeezenet1.0 fp16', file: 'squeezenet1.0/model-fp16.onnx', layer: 'fire9/concat_2' },
  { id: 'squeezenet1.0 fp32 fire7', file: 'squeezenet1.0/model-fp32.onnx', layer: 'fire7/concat_1' },
  { id: 'mobilenet_v1_0.75', file: 'mobilenet_v1_0.75/model.onnx', layer: 'conv_pw_13_relu' },
  { id: 'cifar10-tiny', file: 'cifar10-tiny/model.onnx', layer: undefined },
  { id: 'resnet18', file: 'fixtures/resnet18.onnx', layer: '/layer4/layer4.1/relu_1/Relu_output_0' },
  { id: 'resnet18 layer3', file: 'fixtures/resnet18.onnx', layer: '/layer3/layer3.1/relu_1/Relu_output_0' },
  { id: 'mobilenet_v2', file: 'fixtures/mobilenet_v2.onnx', layer: '/features/features.18/features.18.2/Clip_output_0' },
  { id: 'vgg11_w8', file: 'fixtures/vgg11_w8.onnx', layer: '/features/features.20/MaxPool_output_0' },
  { id: 'vgg11_w8 avgpool', file: 'fixtures/vgg11_w8.onnx', layer: '/avgpool/AveragePool_output_0' },
  { id: 'vgg11_w8 relu', file: 'fixtures/vgg11_w8.onnx', layer: '/features/features.19/Relu_output_0' },
];

describe.skipIf(!existsSync(shared))('head gradients of real models vs finite differences', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const analysis = new ModelAnalysis(readFileSync(resolve(shared, c.file)));
      const layer = c.layer ?? analysis.defaultLayer();
      const head = buildHeadModels(analysis, layer);
      const fwd = await session(buildForwardModel(analysis, [layer, ...head.sideInputs]));
      const r = rng(7);
      const x = randn(analysis.inputShape.reduce((a, b) => a * b, 1), r, 1);
      const out = await run(fwd, { [analysis.input]: { data: x, dims: analysis.inputShape } });
      const A = out[layer];
      const K = 3;
      const seeds = new Float32Array(K * analysis.numClasses);
      for (let k = 0; k < K; k++) seeds[k * analysis.numClasses + ((k * 37 + 5) % analysis.numClasses)] = 1;
      seeds.set(randn(analysis.numClasses, r, 1), 2 * analysis.numClasses); // a dense seed row too
      const gs = await session(head.gradient);
      const hs = await session(head.forward);
      const res = await run(gs, { [layer]: A, [SEEDS]: { data: seeds, dims: [K, analysis.numClasses] } });
      const grads = res[GRADIENTS].data;
      expect(res[GRADIENTS].dims).toEqual([K, ...A.dims.slice(1)]);
      // head logits equal the full model's logits
      const lf = res[Object.keys(res).find((k) => k !== GRADIENTS)!].data;
      const full = out[analysis.logits].data;
      for (let i = 0; i < full.length; i++) expect(Math.abs(lf[i] - full[i])).toBeLessThan(1e-3 * (1 + Math.abs(full[i])));
      // Central differences of seed·logits along directions built from our own gradient ĝ_k:
      // v = ĝ_k ⊙ m for random masks m (m = 1 everywhere for the first). Then <ĝ_k, v> = Σ_m ĝ²
      // stands far above float32 rounding, and any error e in ĝ shows at first order (Σ_m e·ĝ).
      const n = A.data.length;
      let ss = 0;
      for (const v of A.data) ss += v * v;
      const h = 2e-3 * Math.max(Math.sqrt(ss / n), 1e-3);
      const D = 3;
      const dirs: Float32Array[] = [];
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < D; j++) {
          const v = new Float32Array(n);
          let mx = 0;
          for (let i = 0; i < n; i++) {
            // exact zeros (ReLU outputs) are skipped: a max-pool window of tied zeros is not
            // differentiable, and the one-sided slopes there differ from any gradient
            v[i] = A.data[i] !== 0 && (j === 0 || r() < 0.5) ? grads[k * n + i] : 0;
            mx = Math.max(mx, Math.abs(v[i]));
          }
          for (let i = 0; i < n; i++) v[i] /= mx || 1;
          dirs.push(v);
        }
      }
      const batch = new Float32Array(2 * dirs.length * n);
      dirs.forEach((v, j) => {
        for (let i = 0; i < n; i++) {
          batch[2 * j * n + i] = A.data[i] + h * v[i];
          batch[(2 * j + 1) * n + i] = A.data[i] - h * v[i];
        }
      });
      const fo = await run(hs, { [layer]: { data: batch, dims: [2 * dirs.length, ...A.dims.slice(1)] } });
      const L = fo[Object.keys(fo)[0]].data;
      const C = analysis.numClasses;
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < D; j++) {
          const d = k * D + j;
          const v = dirs[d];
          let fd = 0;
          for (let c = 0; c < C; c++) fd += seeds[k * C + c] * (L[2 * d * C + c] - L[(2 * d + 1) * C + c]);
          fd /= 2 * h;
          let an = 0;
          for (let i = 0; i < n; i++) an += grads[k * n + i] * v[i];
          if (an === 0 && fd === 0) continue; // no positive activation feeds this class
          if (process.env.DEBUG_FD) console.log(c.id, k, j, fd, an);
          expect(an).toBeGreaterThan(0);
          expect(Math.abs(fd - an)).toBeLessThanOrEqual(1e-2 * an);
        }
      }

      // Single positions: for the one-hot seed rows, central differences at the 4 largest and 4
      // random other entries with a large gradient (activations that are exactly 0 are skipped).
      const picks: [number, number][] = [];
      for (let k = 0; k < 2; k++) {
        const idx = Array.from({ length: n }, (_, i) => i).filter((i) => A.data[i] !== 0);
        const gmax = Math.max(...idx.map((i) => Math.abs(grads[k * n + i])));
        if (gmax === 0) continue;
        const strong = idx.filter((i) => Math.abs(grads[k * n + i]) > 0.1 * gmax).sort((a, b) => Math.abs(grads[k * n + b]) - Math.abs(grads[k * n + a]));
        const chosen = new Set(strong.slice(0, 4));
        while (chosen.size < Math.min(8, strong.length)) chosen.add(strong[Math.floor(r() * strong.length)]);
        for (const i of chosen) picks.push([k, i]);
      }
      const hp = 1e-2 * Math.max(Math.sqrt(ss / n), 1e-3);
      // rows: x + h, x − h per pick, then x itself
      const pb = new Float32Array((2 * picks.length + 1) * n);
      picks.forEach(([, i], j) => {
        pb.set(A.data, 2 * j * n);
        pb.set(A.data, (2 * j + 1) * n);
        pb[2 * j * n + i] += hp;
        pb[(2 * j + 1) * n + i] -= hp;
      });
      pb.set(A.data, 2 * picks.length * n);
      const po = await run(hs, { [layer]: { data: pb, dims: [2 * picks.length + 1, ...A.dims.slice(1)] } });
      const PL = po[Object.keys(po)[0]].data;
      const C2 = analysis.numClasses;
      let checked = 0;
      picks.forEach(([k, i], j) => {
        let fd = 0;
        for (let c = 0; c < C2; c++) fd += seeds[k * C2 + c] * (PL[2 * j * C2 + c] - PL[(2 * j + 1) * C2 + c]);
        fd /= 2 * hp;
        const g = grads[k * n + i];
        let lmax = 0;
        for (let c = 0; c < C2; c++) lmax = Math.max(lmax, Math.abs(PL[2 * j * C2 + c]));
        let up = 0;
        let down = 0;
        const mid = 2 * picks.length;
        for (let c = 0; c < C2; c++) {
          up += seeds[k * C2 + c] * (PL[2 * j * C2 + c] - PL[mid * C2 + c]);
          down += seeds[k * C2 + c] * (PL[mid * C2 + c] - PL[(2 * j + 1) * C2 + c]);
        }
        // a max-pool window switching its maximum within ±h is a kink: the one-sided slopes differ
        if (Math.abs(up - down) / hp > 1e-2 * Math.abs(g) + 8e-7 * lmax / hp) return;
        // float32 logits: rounding ~1e-7·|logit| in each of the two evaluations
        expect(Math.abs(fd - g), `${c.id} k=${k} position ${i}: ${fd} vs ${g}`).toBeLessThanOrEqual(2e-2 * Math.abs(g) + 4e-7 * lmax / hp);
        checked++;
      });
      expect(checked).toBeGreaterThanOrEqual(picks.length / 2);
    }, 60_000);
  }
});
