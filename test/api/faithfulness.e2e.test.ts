// Heatmap.faithfulness through the API: computed on an engine worker on first request, stored, read
// back (cached: true) with the same numbers, another seed another report. The curves are anchored to
// numbers computed here with a separate engine: deletion starts at the class probability the
// explanation reports and ends at the model's answer to an all-zero input; insertion starts at its
// answer to the blurred input and ends at the class probability again.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { blurChw, chwShape, Explainer, preprocess } from '../../packages/core/src/index.js';
import { loadManifestModel } from '../../packages/api/src/models/loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const photo = readFileSync(resolve(root, '../shared/data/images/both.png'));
const FAITHFULNESS = `query($id: ID!, $seed: Int) { explanation(id: $id) { heatmaps { classIndex score faithfulness(seed: $seed) {
  deletion { auc scores logits } insertion { auc scores logits } road { morf { percent value } lerf { percent value } combined }
  camMult { softmax logit } averageDrop increase computeMs cached
} } } }`;

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`Heatmap.faithfulness on ${db.provider}`, () => {
    let s: TestServer;
    let explanationId: string;
    let engine: Explainer;
    beforeAll(async () => {
      s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0' });
      const ex = await s.gql('mutation($d: String!) { explain(input: { image: $d, classes: [243] }) { id } }', { d: photo.toString('base64') });
      explanationId = ex.data!.explain.id;
      const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
      engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
    }, 120_000);
    afterAll(async () => {
      await engine?.release();
      await s?.close();
    });

    it('computes the report once, stores it, and reads it back with the same numbers', async () => {
      const first = await s.gql(FAITHFULNESS, { id: explanationId });
      expect(first.errors).toBeUndefined();
      const h = first.data!.explanation.heatmaps[0];
      const f = h.faithfulness;
      expect(f.cached).toBe(false);
      expect(f.deletion.scores).toHaveLength(29);
      expect(f.insertion.logits).toHaveLength(29);
      expect(f.road.morf.map((p: { percent: number }) => p.percent)).toEqual([20, 40, 60, 80]);
      expect(f.road.combined).toBeCloseTo(f.road.morf.reduce((a: number, p: { value: number }, i: number) => a + (f.road.lerf[i].value - p.value) / 2, 0) / 4, 9);

      // anchors from a separate engine in this process
      const image = (await decodeImage(photo, 1e8)).image;
      const input = preprocess(image, engine.spec.input);
      const probability = (await engine.predict(input))[243];
      expect(h.score).toBeCloseTo(probability, 5);
      expect(f.deletion.scores[0]).toBeCloseTo(probability, 5);
      expect(f.insertion.scores[28]).toBeCloseTo(probability, 5);
      expect(f.deletion.scores[28]).toBeCloseTo((await engine.predict(new Float32Array(input.length)))[243], 5);
      expect(f.insertion.scores[0]).toBeCloseTo((await engine.predict(blurChw(input, chwShape(engine.inputShape))))[243], 5);
      // Grad-CAM of the bull mastiff points at the dog: deleting it first hurts more than inserting it
      expect(f.deletion.auc).toBeLessThan(f.insertion.auc);

      const again = await s.gql(FAITHFULNESS, { id: explanationId });
      const g = again.data!.explanation.heatmaps[0].faithfulness;
      expect(g.cached).toBe(true);
      expect({ ...g, cached: false }).toEqual(f);
      const stored = await s.server.services.storage.getHeatmapResult({ explanationId, position: 0, kind: 'faithfulness', optionsKey: (await import('../../packages/api/src/compute/heatmap-results.js')).resultOptionsKey('faithfulness', { seed: 0 }) });
      expect(stored?.computeMs).toBe(f.computeMs);
    }, 120_000);

    it('keeps one report per seed, shares concurrent requests, and refuses a bad seed', async () => {
      const [a, b] = await Promise.all([s.gql(FAITHFULNESS, { id: explanationId, seed: 7 }), s.gql(FAITHFULNESS, { id: explanationId, seed: 7 })]);
      const fa = a.data!.explanation.heatmaps[0].faithfulness;
      const fb = b.data!.explanation.heatmaps[0].faithfulness;
      // one of the two computed it, the other waited for that computation
      expect([fa.cached, fb.cached].sort()).toEqual([false, true]);
      expect({ ...fa, cached: null }).toEqual({ ...fb, cached: null });
      const seed0 = (await s.gql(FAITHFULNESS, { id: explanationId })).data!.explanation.heatmaps[0].faithfulness;
      // the seed only moves ROAD's imputation noise
      expect(fa.deletion).toEqual(seed0.deletion);
      expect(fa.road.morf).not.toEqual(seed0.road.morf);
      expect(await s.errorCode(FAITHFULNESS, { id: explanationId, seed: -1 })).toBe('BAD_REQUEST');
    }, 120_000);

    it('counts faithfulness and captions in the query cost: a page of them is refused up front, with nothing computed', async () => {
      const storage = s.server.services.storage;
      const before = await Promise.all([0, 1].map(() => storage.getHeatmapResult({ explanationId, position: 0, kind: 'caption', optionsKey: 'x' })));
      expect(before).toEqual([null, null]);
      for (const field of ['faithfulness { deletion { auc } }', 'caption { text }']) {
        const res = await fetch(`${s.url}/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ explanations(first: 50) { edges { node { heatmaps { ${field} } } } } }` }),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      }
      // one heatmap's report is within the default limit
      const one = await s.gql('query($id: ID!) { explanation(id: $id) { heatmaps(first: 1) { faithfulness { road { combined } } } } }', { id: explanationId });
      expect(one.errors).toBeUndefined();
    }, 120_000);
  });
}
