// The engine on its fused path (one fused-graph run per image) against its unfused path (forward,
// head-gradient session, methods and postprocessing in JS) on every manifest classifier: the same
// predictions, probabilities and maps (1e-5), for top-k and given classes, logit and probability
// targets, several methods in one request and eigen smoothing; requests that do not fuse (Score-CAM,
// pixel attributions) take the unfused path and give the same results as before.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer, FUSED_SESSION_LIMIT } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import type { ExplainOptions, ExplainResult } from '../../../packages/core/src/explain-types.js';
import { ort, randn, rng } from '../../helpers/ort.js';
import { maxAbsDiff } from './plain-ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));

function expectSameResults(fused: ExplainResult, plain: ExplainResult, rawTol = 1e-5): void {
  expect(fused.layer).toBe(plain.layer);
  expect(fused.predictions.map((p) => p.index)).toEqual(plain.predictions.map((p) => p.index));
  expect(maxAbsDiff(fused.probabilities, plain.probabilities)).toBe(0); // both from the same softmax of (nearly) the same logits
  expect(fused.maps.map((m) => [m.method, m.classIndex])).toEqual(plain.maps.map((m) => [m.method, m.classIndex]));
  fused.maps.forEach((m, i) => {
    const p = plain.maps[i];
    expect([m.map.width, m.map.height, m.raw.width, m.raw.height]).toEqual([p.map.width, p.map.height, p.raw.width, p.raw.height]);
    expect(maxAbsDiff(m.map.values, p.map.values), `${m.method} ${m.classIndex} map`).toBeLessThanOrEqual(1e-5);
    const top = Math.max(...p.raw.values, 1e-30);
    expect(maxAbsDiff(m.raw.values, p.raw.values) / top, `${m.method} ${m.classIndex} raw`).toBeLessThanOrEqual(rawTol);
  });
}

const fusedCount = (e: Explainer) => (e as unknown as { fusedSessions: Map<string, unknown> }).fusedSessions.size;

describe.skipIf(!existsSync(resolve(cache, 'fixtures')))('engine: fused path equals the unfused path', () => {
  for (const spec of manifest.models.filter((m) => m.task === 'classification')) {
    it(spec.id, async () => {
      const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
      const bytes = readFileSync(resolve(cache, spec.file));
      const fused = await Explainer.create(ort, bytes, spec, labels);
      const plain = await Explainer.create(ort, bytes, spec, labels, { fused: false });
      try {
        const x = randn(fused.inputShape.reduce((a, b) => a * b, 1), rng(21), 1);
        const requests: [ExplainOptions, number?][] = [
          [{ methods: ['gradcam'], topK: 1 }],
          [{ methods: ['gradcam', 'gradcam++', 'xgradcam', 'hirescam', 'gradcam-elementwise', 'layercam', 'eigencam', 'eigengradcam'], topK: 3 }],
          [{ methods: ['gradcam', 'layercam'], classes: [7, 3, 7] }],
          // probability seeds of a confident class cancel in float32 (see export-tiny.test.ts)
          [{ methods: ['gradcam', 'gradcam++'], topK: 2, target: 'probability' }, 1e-4],
          [{ methods: ['gradcam', 'hirescam'], topK: 2, eigenSmooth: true }],
        ];
        for (const [options, rawTol] of requests) expectSameResults(await fused.explain(x, options), await plain.explain(x, options), rawTol);
        expect(fusedCount(fused)).toBe(requests.length);
        expect(fusedCount(plain)).toBe(0);
        // not fusable: the unfused path, no fused session
        const mixed = { methods: ['gradcam', 'saliency'], topK: 1 };
        const a = await fused.explain(x, mixed);
        const b = await plain.explain(x, mixed);
        expect(fusedCount(fused)).toBe(requests.length); // decided from the method list: nothing built
        expect(a.maps.map((m) => Array.from(m.map.values))).toEqual(b.maps.map((m) => Array.from(m.map.values)));
        // explainMany: fused and unfused requests together, each with its own result
        const many = await fused.explainMany([{ input: x, options: { methods: ['gradcam'], topK: 2 } }, { input: x, options: mixed }, { input: x.subarray(1) }]);
        expect(many.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
        if (many[0].status === 'fulfilled') expectSameResults(many[0].value, await plain.explain(x, { methods: ['gradcam'], topK: 2 }));
      } finally {
        await fused.release();
        await plain.release();
      }
    }, 120_000);
  }

  it(`keeps at most ${FUSED_SESSION_LIMIT} fused sessions (least recently used released), with the same maps`, async () => {
    const spec = findModel(manifest, 'cifar10-tiny');
    const labels = spec.labels as string[];
    const bytes = readFileSync(resolve(cache, spec.file));
    const fused = await Explainer.create(ort, bytes, spec, labels);
    const plain = await Explainer.create(ort, bytes, spec, labels, { fused: false });
    try {
      const x = randn(fused.inputShape.reduce((a, b) => a * b, 1), rng(8), 1);
      for (const round of [0, 1]) {
        for (let k = 1; k <= 10; k++) {
          const options = { methods: [round ? 'layercam' : 'gradcam'], topK: k };
          expectSameResults(await fused.explain(x, options), await plain.explain(x, options));
          expect(fusedCount(fused)).toBe(Math.min(round * 10 + k, FUSED_SESSION_LIMIT));
        }
      }
      // a released session is built again when asked for
      expectSameResults(await fused.explain(x, { methods: ['gradcam'], topK: 1 }), await plain.explain(x, { methods: ['gradcam'], topK: 1 }));
    } finally {
      await fused.release();
      await plain.release();
    }
  });
});
