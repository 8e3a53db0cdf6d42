// Pixel attributions through the API: explain computes them like the CAMs, a heatmap holds the
// channel-summed |attribution| at the model's input resolution (what core's ClassMap.raw is for these
// methods), equal to the engine's own run here; the methods list says their kind and cost class.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Explainer, preprocess } from '../../packages/core/src/index.js';
import { loadManifestModel } from '../../packages/api/src/cli/model-loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const photo = readFileSync(resolve(root, '../shared/data/images/dog.jpg'));
const db = testDatabases().find((d) => !d.skipReason)!;

describe('pixel attributions through the API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0' });
  }, 120_000);
  afterAll(() => s?.close());

  it('explains with saliency and input × gradient: raw maps at the input resolution, equal to the engine', async () => {
    const r = await s.gql('mutation($d: String!) { explain(input: { image: $d, methods: ["saliency", "inputxgradient"] }) { heatmaps { method classIndex width height raw png(size: 112) } } }', { d: photo.toString('base64') });
    expect(r.errors).toBeUndefined();
    const heatmaps = r.data!.explain.heatmaps;
    expect(heatmaps.map((h: { method: string }) => h.method)).toEqual(['saliency', 'inputxgradient']);
    const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
    const engine = await Explainer.create(ort, m.bytes, m.spec, m.labels);
    try {
      const want = await engine.explain(preprocess((await decodeImage(photo, 1e8)).image, m.spec.input), { methods: ['saliency', 'inputxgradient'] });
      heatmaps.forEach((h: { method: string; classIndex: number; width: number; height: number; raw: number[]; png: string }, i: number) => {
        const w = want.maps[i];
        expect([h.method, h.classIndex, h.width, h.height]).toEqual([w.method, w.classIndex, 224, 224]);
        const max = Math.max(...w.raw.values);
        const worst = h.raw.reduce((a, v, k) => Math.max(a, Math.abs(v - w.raw.values[k])), 0);
        expect(worst / max).toBeLessThan(1e-5);
        expect(h.png).toMatch(/^data:image\/png;base64,/);
      });
    } finally {
      await engine.release();
    }
  }, 180_000);
});
