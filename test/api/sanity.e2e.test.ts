// Query.sanityCheck through the API: the cascading randomisation computed on an engine worker equals
// core's cascadingRandomisation run here on the same image and model (seeded weights: the same
// numbers); identical requests are answered from memory; bad arguments are refused before any work.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cascadingRandomisation, preprocess } from '../../packages/core/src/index.js';
import { loadManifestModel } from '../../packages/api/src/models/loader.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const photo = readFileSync(resolve(root, '../shared/data/images/both.png'));
const SANITY = `query($id: ID!, $layers: Int, $methods: [String!]) { sanityCheck(imageId: $id, methods: $methods, layers: $layers) {
  model classIndex label layers passThreshold computeMs cached curves { method spearman ssim passes } } }`;
const db = testDatabases().find((d) => !d.skipReason)!;

describe('Query.sanityCheck', () => {
  let s: TestServer;
  let imageId: string;
  beforeAll(async () => {
    s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0' });
    imageId = (await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: photo.toString('base64') })).data!.uploadImage.id;
  }, 120_000);
  afterAll(() => s?.close());

  it('randomises the top layers and compares the maps as core does', async () => {
    const r = await s.gql(SANITY, { id: imageId, layers: 2, methods: ['gradcam', 'eigencam'] });
    expect(r.errors).toBeUndefined();
    const got = r.data!.sanityCheck;
    expect(got).toMatchObject({ model: 'squeezenet1.0', passThreshold: 0.5, cached: false });
    expect(got.layers).toHaveLength(2);

    const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
    const input = preprocess((await decodeImage(photo, 1e8)).image, m.spec.input);
    const want = await cascadingRandomisation(ort, m.bytes, m.spec, m.labels, input, got.classIndex, { methods: ['gradcam', 'eigencam'], layers: 2, seed: 0 });
    expect(got.label).toBe(m.labels[got.classIndex]);
    expect(got.layers).toEqual(want.layers);
    got.curves.forEach((c: { method: string; spearman: number[]; ssim: number[]; passes: boolean }, i: number) => {
      expect(c.method).toBe(want.curves[i].method);
      expect(c.passes).toBe(want.curves[i].passes);
      c.spearman.forEach((v, k) => expect(v).toBeCloseTo(want.curves[i].spearman[k], 5));
      c.ssim.forEach((v, k) => expect(v).toBeCloseTo(want.curves[i].ssim[k], 5));
    });

    const again = (await s.gql(SANITY, { id: imageId, layers: 2, methods: ['eigencam', 'gradcam'] })).data!.sanityCheck;
    expect(again.cached).toBe(true);
    expect(again.computeMs).toBe(got.computeMs);
  }, 240_000);

  it('runs the pixel methods with the attribution options given, keyed by them, as core does', async () => {
    const Q = `query($id: ID!, $a: AttributionInput) { sanityCheck(imageId: $id, methods: ["integratedgradients"], layers: 1, attribution: $a) {
      classIndex cached curves { method spearman ssim } } }`;
    const four = (await s.gql(Q, { id: imageId, a: { steps: 4 } })).data!.sanityCheck;
    const m = loadManifestModel(resolve(root, 'models'), 'squeezenet1.0');
    const input = preprocess((await decodeImage(photo, 1e8)).image, m.spec.input);
    const want = await cascadingRandomisation(ort, m.bytes, m.spec, m.labels, input, four.classIndex, { methods: ['integratedgradients'], layers: 1, seed: 0, attribution: { steps: 4 } });
    four.curves[0].spearman.forEach((v: number, k: number) => expect(v).toBeCloseTo(want.curves[0].spearman[k], 5));
    four.curves[0].ssim.forEach((v: number, k: number) => expect(v).toBeCloseTo(want.curves[0].ssim[k], 5));
    const eight = (await s.gql(Q, { id: imageId, a: { steps: 8 } })).data!.sanityCheck;
    expect(eight.cached).toBe(false);
    expect(eight.curves[0].spearman).not.toEqual(four.curves[0].spearman);
    // options IG does not read: the kept result
    expect((await s.gql(Q, { id: imageId, a: { steps: 4, samples: 7 } })).data!.sanityCheck.cached).toBe(true);
    expect(await s.errorCode(Q, { id: imageId, a: { steps: 501 } })).toBe('BAD_ATTRIBUTION_OPTION');
  }, 240_000);

  it('refuses bad arguments before any work', async () => {
    expect(await s.errorCode(SANITY, { id: imageId, layers: 0 })).toBe('BAD_REQUEST');
    expect(await s.errorCode(SANITY, { id: imageId, layers: 27 })).toBe('BAD_REQUEST'); // SqueezeNet has 26 Conv layers
    expect(await s.errorCode(SANITY, { id: imageId, methods: ['nosuchcam'] })).toBe('UNKNOWN_METHOD');
    expect(await s.errorCode(SANITY, { id: 'f'.repeat(64) })).toBe('NOT_FOUND');
    expect(await s.errorCode('query($id: ID!) { sanityCheck(imageId: $id, classIndex: 1000) { classIndex } }', { id: imageId })).toBe('BAD_CLASS');
    expect(await s.errorCode('query($id: ID!) { sanityCheck(imageId: $id, layer: "nope") { classIndex } }', { id: imageId })).toBe('BAD_LAYER');
  });
});
