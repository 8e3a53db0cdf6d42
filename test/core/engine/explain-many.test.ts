// explainMany (the API's micro-batching): one batched forward run for several inputs gives each
// input the maps and predictions of its own explain() call, and one bad request fails alone.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer, ExplainError } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { closeness, ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));

for (const id of ['squeezenet1.0', 'resnet18']) {
  const spec = findModel(manifest, id);
  describe.skipIf(!existsSync(resolve(cache, spec.file)))(`explainMany on ${id}`, () => {
    let engine: Explainer;
    beforeAll(async () => {
      const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
      engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels);
    });
    afterAll(() => engine.release());

    it('a batch of 4 gives each input the result of its own explain()', async () => {
      const n = engine.inputShape.reduce((a, b) => a * b, 1);
      const inputs = [1, 2, 3, 4].map((s) => randn(n, rng(s), 1));
      const options = [
        { methods: ['gradcam', 'eigencam'], topK: 2 },
        { methods: ['gradcam++'], classes: [1, 7, 500] },
        { methods: ['layercam'], target: 'probability' as const },
        { methods: ['xgradcam', 'hirescam'], topK: 3 },
      ];
      const batched = await engine.explainMany(inputs.map((input, i) => ({ input, options: options[i] })));
      for (const [i, input] of inputs.entries()) {
        const r = batched[i];
        if (r.status !== 'fulfilled') throw r.reason;
        const single = await engine.explain(input, options[i]);
        expect(r.value.predictions.map((p) => p.index)).toEqual(single.predictions.map((p) => p.index));
        expect(closeness(r.value.predictions.map((p) => p.score), single.predictions.map((p) => p.score), 1e-6, 1e-4)).toBeLessThanOrEqual(1);
        expect(r.value.maps.map((m) => `${m.method}/${m.classIndex}`)).toEqual(single.maps.map((m) => `${m.method}/${m.classIndex}`));
        for (const [k, m] of r.value.maps.entries()) {
          const ref = single.maps[k].raw.values;
          const top = Math.max(...ref, 1e-12);
          // a batched forward run may sum in another order: float32 rounding only
          expect(closeness(m.raw.values, ref, 1e-4 * top, 1e-3), `${m.method}/${m.classIndex}`).toBeLessThanOrEqual(1);
        }
      }
    });

    it('a bad class, method or layer fails only its own request', async () => {
      const n = engine.inputShape.reduce((a, b) => a * b, 1);
      const x = randn(n, rng(5), 1);
      const res = await engine.explainMany([
        { input: x, options: { classes: [engine.numClasses] } },
        { input: x, options: { methods: ['nope'] } },
        { input: x, options: { layer: 'no_such_tensor' } },
        { input: x },
      ]);
      const codes = res.map((r) => (r.status === 'rejected' ? (r.reason as ExplainError).code : 'ok'));
      expect(codes).toEqual(['BAD_CLASS', 'UNKNOWN_METHOD', 'BAD_LAYER', 'ok']);
    });
  });
}
