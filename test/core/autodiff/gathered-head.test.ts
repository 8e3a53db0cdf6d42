// The class-gathered head gradient equals the matching rows of the full head gradient.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelAnalysis } from '../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels, buildForwardModel, SEEDS, GRADIENTS } from '../../../packages/core/src/autodiff/compile.js';
import { buildGatheredHeadGradient, findHeadChain, CLASSES } from '../../../packages/core/src/autodiff/gathered-head.js';
import { session, run, rng, randn, ort } from '../../helpers/ort.js';

const shared = resolve(__dirname, '../../../../shared/models');
const cases = [
  { file: 'squeezenet1.0/model-fp16.onnx', layer: 'fire9/concat_2', mixer: 'Conv' },
  { file: 'mobilenet_v1_0.75/model.onnx', layer: 'conv_pw_13_relu', mixer: 'Conv' },
  { file: 'cifar10-tiny/model.onnx', layer: undefined, mixer: 'Gemm' },
  { file: 'fixtures/resnet18.onnx', layer: '/layer3/layer3.1/relu_1/Relu_output_0', mixer: 'Gemm' },
  { file: 'fixtures/vgg11_w8.onnx', layer: '/features/features.20/MaxPool_output_0', mixer: 'Gemm' },
];

describe.skipIf(!existsSync(shared))('class-gathered head gradients', () => {
  for (const c of cases) {
    it(c.file, async () => {
      const analysis = new ModelAnalysis(readFileSync(resolve(shared, c.file)));
      const layer = c.layer ?? analysis.defaultLayer();
      expect(findHeadChain(analysis, layer)?.mixer.opType).toBe(c.mixer);
      const head = buildHeadModels(analysis, layer);
      const fwd = await session(buildForwardModel(analysis, [layer, ...head.sideInputs]));
      const x = randn(analysis.inputShape.reduce((a, b) => a * b, 1), rng(3));
      const out = await run(fwd, { [analysis.input]: { data: x, dims: analysis.inputShape } });
      const classes = [5, 7, analysis.numClasses - 1];
      const K = classes.length;
      const seeds = new Float32Array(K * analysis.numClasses);
      classes.forEach((cl, k) => (seeds[k * analysis.numClasses + cl] = 1));
      const full = (await run(await session(head.gradient), { [layer]: out[layer], [SEEDS]: { data: seeds, dims: [K, analysis.numClasses] } }))[GRADIENTS].data;
      const gm = buildGatheredHeadGradient(analysis, layer, K)!;
      const gs = await session(gm);
      const feeds = { [layer]: new ort.Tensor('float32', out[layer].data, out[layer].dims), [CLASSES]: new ort.Tensor('int64', BigInt64Array.from(classes.map(BigInt)), [K]) };
      const got = (await gs.run(feeds))[GRADIENTS].data as Float32Array;
      expect(got.length).toBe(full.length);
      let maxAbs = 0;
      for (const v of full) maxAbs = Math.max(maxAbs, Math.abs(v));
      expect(maxAbs).toBeGreaterThan(0);
      for (let i = 0; i < full.length; i++) expect(Math.abs(got[i] - full[i])).toBeLessThanOrEqual(1e-5 * maxAbs);
    });
  }
});
