// Exported fused files of MobileNet v1 (real weights) and the ResNet-18 / VGG-11 / MobileNetV2
// fixtures (random weights, real architectures: residual heads, a Gemm after flatten, depthwise
// convolutions), run by plain onnxruntime-node, against the engine's unfused path to 1e-5.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { ort, randn, rng } from '../../helpers/ort.js';
import { expectSameAsEngine, runExported } from './plain-ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));

describe.skipIf(!existsSync(resolve(cache, 'fixtures')))('exported fused graphs of other architectures in plain onnxruntime-node', () => {
  for (const id of ['mobilenet_v1_0.75', 'resnet18', 'vgg11_w8', 'mobilenet_v2']) {
    it(id, async () => {
      const spec = findModel(manifest, id);
      const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
      const bytes = readFileSync(resolve(cache, spec.file));
      const engine = await Explainer.create(ort, bytes, spec, labels, { fused: false });
      try {
        const x = randn(engine.inputShape.reduce((a, b) => a * b, 1), rng(13), 1);
        for (const [method, topK] of [['gradcam', 5], ['gradcam++', 3], ['eigengradcam', 2]] as const) {
          const exported = Explainer.exportOnnx(bytes, spec, { method, topK, raw: true });
          expect(exported.layer).toBe(engine.defaultLayer);
          const got = await runExported(exported.bytes, exported.input, x, engine.inputShape);
          expectSameAsEngine(got, await engine.explain(x, { methods: [method], topK }), method);
        }
      } finally {
        await engine.release();
      }
    }, 120_000);
  }
});
