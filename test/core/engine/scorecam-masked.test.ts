// The engine's Score-CAM forward (the input times a batch of masks, multiplied inside ONNX Runtime)
// scores exactly what the plain forward scores on the same masked inputs made in JS.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));

describe.skipIf(!existsSync(resolve(cache, 'squeezenet1.0')))('masked forward', () => {
  for (const id of ['squeezenet1.0', 'cifar10-tiny']) {
    it(`${id}: forwardMaskedInputs = forwardInputs of the masked batch, bit for bit`, async () => {
      const spec = findModel(manifest, id);
      const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
      const engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels);
      try {
        const [, ch, H, W] = engine.inputShape;
        const n = H * W;
        const x = randn(ch * n, rng(3), 1);
        const masks = Float32Array.from(randn(3 * n, rng(4), 1), (v) => Math.abs(v) / 3);
        masks.fill(0, 2 * n); // a zero mask too (Score-CAM's constant channels)
        const batch = new Float32Array(3 * ch * n);
        for (let i = 0; i < 3; i++) for (let c = 0; c < ch; c++) for (let p = 0; p < n; p++) batch[(i * ch + c) * n + p] = x[c * n + p] * masks[i * n + p];
        const viaRuntime = await engine.forwardMaskedInputs(x, masks, 3);
        const viaJs = await engine.forwardInputs(batch, 3);
        expect(Array.from(viaRuntime)).toEqual(Array.from(viaJs));
      } finally {
        await engine.release();
      }
    });
  }
});
