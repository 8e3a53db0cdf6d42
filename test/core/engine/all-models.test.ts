// Every layer CAM method through the engine on every manifest model (pixel attributions: test/core/attribution): the right shapes, finite values,
// final maps scaled to [0, 1]; Score-CAM where the layer is narrow enough for a test.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { layerCamMethods } from '../../../packages/core/src/cam/registry.js';
import { ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));

describe.skipIf(!existsSync(resolve(cache, 'fixtures')))('all methods on all models', () => {
  for (const spec of manifest.models) {
    it(spec.id, async () => {
      const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
      const engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels, { batchSize: 64 });
      try {
        const [, C, h, w] = engine.analysis.checkLayer(engine.defaultLayer);
        const methods = layerCamMethods.map((m) => m.id).filter((id) => id !== 'scorecam' || C <= 128);
        const x = randn(engine.inputShape.reduce((a, b) => a * b, 1), rng(9), 1);
        const r = await engine.explain(x, { methods, topK: 2 });
        expect(r.maps).toHaveLength(2 * methods.length);
        for (const m of r.maps) {
          expect([m.raw.width, m.raw.height], m.method).toEqual([w, h]);
          expect(m.raw.values.every((v) => Number.isFinite(v) && v >= 0), m.method).toBe(true);
          expect([m.map.width, m.map.height]).toEqual([spec.input.width, spec.input.height]);
          expect(m.map.values.every((v) => v >= 0 && v <= 1), m.method).toBe(true);
        }
        // after the layer, ResNet-18 and MobileNetV2 have a global-average-pool → linear head: the
        // gradient is constant over positions, so Grad-CAM and HiResCAM coincide
        if (spec.id === 'resnet18' || spec.id === 'mobilenet_v2') {
          for (const k of r.predictions.map((p) => p.index)) {
            const a = r.maps.find((m) => m.method === 'gradcam' && m.classIndex === k)!.raw.values;
            const b = r.maps.find((m) => m.method === 'hirescam' && m.classIndex === k)!.raw.values;
            const top = Math.max(...a, 1e-12);
            a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-4 * top));
          }
        }
      } finally {
        await engine.release();
      }
    }, 60_000);
  }
});
