// The API end to end over HTTP, on SQLite and on PostgreSQL: upload → explain → read back, the PNG
// against the engine's own map, the stored-explanation cache, the heatmap cache, coalescing,
// micro-batching, pagination, every error code, and "a failing request writes nothing".
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { get } from 'node:http';
import sharp from 'sharp';
import { applyColormap, Explainer, findModel, parseLabels, parseManifest, postprocess, resizeForModel, spectralResidual, toTensor } from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { ort } from '../helpers/ort.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const BOTH = readFileSync(resolve(root, '../shared/data/images/both.png'));
const BOTH_B64 = BOTH.toString('base64');
const BOTH_SHA = createHash('sha256').update(BOTH).digest('hex');

const EXPLAIN = `mutation($input: ExplainInput!) { explain(input: $input) {
  id cached computeMs layer target methods model { id }
  image { id }
  predictions { classIndex label score }
  heatmaps { method classIndex label score width height raw }
} }`;

/** Distinct images for batching tests: both.png flipped, rotated, cropped. */
async function variants(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let img = sharp(BOTH);
    if (i % 2) img = img.flop();
    img = img.extract({ left: 2 * i, top: 3 * i, width: 200, height: 180 });
    out.push((await img.png().toBuffer()).toString('base64'));
  }
  return out;
}

async function stats(s: TestServer) {
  const r = await s.gql('{ health { stats { explainRequests storedHits coalesced heatmapCacheHits computedHeatmaps batches batchedRequests largestBatch } } }');
  return r.data!.health.stats as Record<string, number>;
}

async function counts(s: TestServer) {
  const r = await s.gql('{ explanations(first: 1) { totalCount } }');
  return r.data!.explanations.totalCount as number;
}

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`API end to end on ${db.provider}`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(await db.url(), {
        SALIENCY_MAX_IMAGE_BYTES: String(1_000_000),
        SALIENCY_MAX_REQUEST_BYTES: String(2_000_000),
        SALIENCY_BATCH_WINDOW_MS: '5',
      });
    }, 120_000);
    afterAll(() => s?.close());

    it('health, models and methods', async () => {
      const r = await s.gql('{ health { ok database executionProvider models } models { id task inputWidth inputHeight labelsCount defaultLayer targetLayers executionProvider isDefault } methods { name displayName aliases needsGradients costClass kind } }');
      expect(r.errors).toBeUndefined();
      expect(r.data!.health).toMatchObject({ ok: true, database: db.provider, executionProvider: 'cpu', models: ['squeezenet1.0', 'resnet18'] });
      const sq = r.data!.models.find((m: { id: string }) => m.id === 'squeezenet1.0');
      expect(sq).toMatchObject({ task: 'classification', inputWidth: 224, inputHeight: 224, labelsCount: 1000, isDefault: true, executionProvider: 'cpu' });
      expect(sq.targetLayers).toContain(sq.defaultLayer);
      expect(r.data!.methods.map((m: { name: string }) => m.name)).toContain('scorecam');
      expect(r.data!.methods.find((m: { name: string }) => m.name === 'gradcam++')).toMatchObject({ needsGradients: true, costClass: 'GRADIENT', kind: 'CAM' });
      expect(r.data!.methods.find((m: { name: string }) => m.name === 'integratedgradients')).toMatchObject({ costClass: 'GRADIENT_INPUT', kind: 'ATTRIBUTION' });
      const h = await fetch(`${s.url}/health`);
      expect(h.status).toBe(200);
      expect(await h.json()).toMatchObject({ ok: true, database: db.provider, defaultModel: 'squeezenet1.0' });
      const page = await fetch(`${s.url}/`);
      expect(await page.text()).toContain('/graphql');
    });

    it('static files for the browser: the served models, ONNX Runtime Web, sample photos; nothing else', async () => {
      const m = await fetch(`${s.url}/models/manifest.json`);
      const manifest = (await m.json()) as { default: string; models: { id: string; file: string; labels: string }[] };
      expect(manifest.default).toBe('squeezenet1.0');
      expect(manifest.models.map((x) => x.id)).toEqual(['squeezenet1.0', 'resnet18']);
      const sq = manifest.models[0];
      const file = await fetch(`${s.url}/models/files/${sq.file}`);
      expect(file.status).toBe(200);
      const bytes = Buffer.from(await file.arrayBuffer());
      expect(bytes.equals(readFileSync(resolve(root, 'models/cache', sq.file)))).toBe(true);
      expect(Number(file.headers.get('content-length'))).toBe(bytes.length);
      const etag = file.headers.get('etag')!;
      // (fetch would add cache-control: no-cache to a conditional request, so a plain http.get)
      const status = await new Promise<number | undefined>((ok, fail) =>
        get(`${s.url}/models/files/${sq.file}`, { headers: { 'if-none-match': etag } }, (r) => (r.resume(), ok(r.statusCode))).on('error', fail));
      expect(status).toBe(304);
      expect((await fetch(`${s.url}/models/files/${sq.labels}`)).status).toBe(200);
      // browsers ask every page for a favicon: no content rather than a 404 in the console
      expect((await fetch(`${s.url}/favicon.ico`)).status).toBe(204);
      // the object detector of captions, for widgets that compute them in the browser
      const detectors = (manifest as unknown as { detectors: { id: string; file: string; labels: string; sha256: string }[] }).detectors;
      expect(detectors.map((d) => d.id)).toEqual(['yolox-nano']);
      const yolox = Buffer.from(await (await fetch(`${s.url}/models/files/${detectors[0].file}`)).arrayBuffer());
      expect(createHash('sha256').update(yolox).digest('hex')).toBe(detectors[0].sha256);
      expect((await fetch(`${s.url}/models/files/${detectors[0].labels}`)).status).toBe(200);
      // files of models this server does not serve, and paths out of the folder, are not there
      expect((await fetch(`${s.url}/models/files/mobilenet_v1_0.75/model.onnx`)).status).toBe(404);
      expect((await fetch(`${s.url}/models/files/..%2Fmanifest.json`)).status).toBe(404);
      expect((await fetch(`${s.url}/models/files/%E0%A4%A`)).status).toBe(404);
      const wasm = await fetch(`${s.url}/ort/ort-wasm-simd-threaded.wasm`, { method: 'HEAD' });
      expect([wasm.status, wasm.headers.get('content-type')]).toEqual([200, 'application/wasm']);
      const mjs = await fetch(`${s.url}/ort/ort.wasm.min.mjs`, { method: 'HEAD' });
      expect(mjs.headers.get('content-type')).toMatch(/javascript/);
      // transformers.js and its own ONNX Runtime Web build, for a widget's free-text captioner; nothing else of its folders
      const library = await fetch(`${s.url}/transformers/transformers.min.js`, { method: 'HEAD' });
      expect([library.status, library.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
      const jsepWasm = await fetch(`${s.url}/transformers/ort-wasm-simd-threaded.asyncify.wasm`, { method: 'HEAD' });
      expect([jsepWasm.status, jsepWasm.headers.get('content-type')]).toEqual([200, 'application/wasm']);
      expect((await fetch(`${s.url}/transformers/transformers.node.mjs`)).status).toBe(404);
      expect((await fetch(`${s.url}/transformers/..%2Fpackage.json`)).status).toBe(404);
      const photo = await fetch(`${s.url}/images/both.png`);
      expect(Buffer.from(await photo.arrayBuffer()).equals(BOTH)).toBe(true);
      expect((await fetch(`${s.url}/images/../../package.json`)).status).toBe(404);
      expect((await fetch(`${s.url}/console`)).headers.get('content-type')).toMatch(/text\/html/);
    });

    it('upload → explain → read back; the PNG is the engine\'s map', async () => {
      const up = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id width height format byteLength } }', { d: `data:image/png;base64,${BOTH_B64}` });
      expect(up.errors).toBeUndefined();
      expect(up.data!.uploadImage).toEqual({ id: BOTH_SHA, width: 224, height: 224, format: 'png', byteLength: BOTH.length });
      const again = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: BOTH_B64 });
      expect(again.data!.uploadImage.id).toBe(BOTH_SHA);

      const r = await s.gql(EXPLAIN, { input: { imageId: BOTH_SHA, methods: ['gradcam'], topK: 2 } });
      expect(r.errors).toBeUndefined();
      const e = r.data!.explain;
      expect(e).toMatchObject({ cached: false, target: 'LOGIT', methods: ['gradcam'], model: { id: 'squeezenet1.0' }, image: { id: BOTH_SHA } });
      expect(e.heatmaps).toHaveLength(2);

      // the engine alone on the same bytes
      const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
      const spec = findModel(manifest, 'squeezenet1.0');
      const labels = parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels as string), 'utf8'));
      const engine = await Explainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, labels);
      const view = resizeForModel((await decodeImage(BOTH, 1e8)).image, spec.input);
      const ref = await engine.explain(toTensor(view, spec.input), { methods: ['gradcam'], topK: 2 });
      await engine.release();
      expect(e.predictions.map((p: { classIndex: number }) => p.classIndex)).toEqual(ref.predictions.map((p) => p.index));
      for (const [k, h] of e.heatmaps.entries()) {
        const m = ref.maps[k];
        expect([h.method, h.classIndex, h.label]).toEqual([m.method, m.classIndex, m.label]);
        expect([h.width, h.height]).toEqual([m.raw.width, m.raw.height]);
        const top = Math.max(...m.raw.values);
        h.raw.forEach((v: number, i: number) => expect(Math.abs(v - m.raw.values[i])).toBeLessThanOrEqual(1e-5 * top));
        expect(h.score).toBeCloseTo(ref.predictions[k].score, 5);
      }

      // read back, with the PNG rendered on request
      const back = await s.gql(`query($id: ID!) { explanation(id: $id) { id heatmaps(classIndex: ${ref.maps[0].classIndex}) { classIndex png } } }`, { id: e.id });
      expect(back.errors).toBeUndefined();
      const png = Buffer.from(back.data!.explanation.heatmaps[0].png.replace(/^data:image\/png;base64,/, ''), 'base64');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([224, 224, 3]);
      const expected = applyColormap(ref.maps[0].map, 'jet');
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < expected.length; i++) {
        const d = Math.abs(data[i] - expected[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      expect(sum / expected.length).toBeLessThan(0.05); // equal up to float rounding at colour-bin edges
      expect(worst).toBeLessThanOrEqual(8);

      // an overlay at another size, and the image with its explanations
      const ov = await s.gql('query($id: ID!) { explanation(id: $id) { heatmaps { png(overlay: true, colormap: TURBO, size: 112) } } }', { id: e.id });
      const meta = await sharp(Buffer.from(ov.data!.explanation.heatmaps[0].png.split(',')[1], 'base64')).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([112, 112, 'png']);
      const img = await s.gql(`query($id: ID!) { image(id: $id) { id dataUrl explanations { totalCount edges { node { id } } } } }`, { id: BOTH_SHA });
      expect(img.data!.image.explanations.edges.map((x: { node: { id: string } }) => x.node.id)).toContain(e.id);
      expect(Buffer.from(img.data!.image.dataUrl.split(',')[1], 'base64').equals(BOTH)).toBe(true);
    });

    it('alignment with human attention: scores against the predicted fixation density', async () => {
      // one map: a list's maps are priced at the largest served input (the detector's 416²), so all of them with raw would be refused
      const r = await s.gql(`query($id: ID!) { image(id: $id) { explanations(first: 1) { edges { node { heatmaps(first: 1) {
        raw width height alignment { reference source scores { metric name higherIsBetter value reason } } } } } } } }`, { id: BOTH_SHA });
      expect(r.errors).toBeUndefined();
      const h = r.data!.image.explanations.edges[0].node.heatmaps[0];
      expect(h.alignment.reference).toBe('PREDICTED');
      expect(h.alignment.scores.map((x: { metric: string }) => x.metric)).toEqual(['cc', 'sim', 'kl', 'mae', 'iou']);
      for (const x of h.alignment.scores) expect(Number.isFinite(x.value), x.metric).toBe(true);
      // CC by the textbook formula on the same two maps
      const spec = findModel(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'squeezenet1.0');
      const view = resizeForModel((await decodeImage(BOTH, 1e8)).image, spec.input);
      const a = postprocess(Float32Array.from(h.raw), h.height, h.width, 224, 224).map.values;
      const b = spectralResidual(view).values;
      const mean = (v: ArrayLike<number>) => Array.prototype.reduce.call(v, (p: number, q: number) => p + q, 0) as number / v.length;
      const ma = mean(a);
      const mb = mean(b);
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let i = 0; i < a.length; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) ** 2;
        sbb += (b[i] - mb) ** 2;
      }
      const cc = h.alignment.scores.find((x: { metric: string }) => x.metric === 'cc').value;
      expect(Math.abs(cc - sab / Math.sqrt(saa * sbb))).toBeLessThan(1e-6);
      // a fixation metric needs fixations: reported as undefined, with the reason
      const nss = await s.gql(`query($id: ID!) { image(id: $id) { explanations(first: 1) { edges { node { heatmaps { alignment(metrics: ["nss"]) { scores { value reason } } } } } } } }`, { id: BOTH_SHA });
      const score = nss.data!.image.explanations.edges[0].node.heatmaps[0].alignment.scores[0];
      expect(score.value).toBeNull();
      expect(score.reason).toMatch(/fixation/);
      expect(await s.errorCode(`{ explanations(first: 1) { edges { node { heatmaps { alignment(metrics: ["nope"]) { reference } } } } } }`)).toBe('BAD_REQUEST');
    });

    it('an identical request is answered from storage; a subset of cached maps computes nothing', async () => {
      const before = await stats(s);
      const a = await s.gql(EXPLAIN, { input: { imageId: BOTH_SHA, methods: ['gradcam'], topK: 2 } });
      expect(a.data!.explain.cached).toBe(true);
      const mid = await stats(s);
      expect(mid.storedHits - before.storedHits).toBe(1);
      expect(mid.computedHeatmaps).toBe(before.computedHeatmaps);
      // the top class alone: a new explanation, from the memory cache of heatmaps
      const top = a.data!.explain.predictions[0].classIndex;
      const b = await s.gql(EXPLAIN, { input: { imageId: BOTH_SHA, methods: ['grad-cam'], classes: [top] } });
      expect(b.errors).toBeUndefined();
      expect(b.data!.explain.cached).toBe(false);
      expect(b.data!.explain.id).not.toBe(a.data!.explain.id);
      expect(b.data!.explain.heatmaps[0].raw).toEqual(a.data!.explain.heatmaps[0].raw);
      const after = await stats(s);
      expect(after.computedHeatmaps).toBe(before.computedHeatmaps);
      expect(after.heatmapCacheHits - mid.heatmapCacheHits).toBe(1);
    });

    it('identical concurrent requests coalesce into one computation', async () => {
      const before = await stats(s);
      const input = { imageId: BOTH_SHA, methods: ['layercam'], topK: 1, target: 'PROBABILITY' };
      const rs = await Promise.all(Array.from({ length: 6 }, () => s.gql(EXPLAIN, { input })));
      const ids = new Set(rs.map((r) => r.data!.explain.id));
      expect(ids.size).toBe(1);
      const after = await stats(s);
      expect(after.computedHeatmaps - before.computedHeatmaps).toBe(1);
      expect(after.coalesced - before.coalesced + after.storedHits - before.storedHits).toBe(5);
      expect(await counts(s)).toBeGreaterThan(0);
    });

    it('concurrent requests for different images share micro-batches', async () => {
      const before = await stats(s);
      const images = await variants(8);
      const rs = await Promise.all(images.map((image) => s.gql(EXPLAIN, { input: { image, methods: ['gradcam'] } })));
      for (const r of rs) expect(r.errors).toBeUndefined();
      const after = await stats(s);
      const runs = after.batches - before.batches;
      expect(after.batchedRequests - before.batchedRequests).toBe(8);
      expect(runs).toBeLessThan(8);
      expect(after.largestBatch).toBeGreaterThan(1);
    });

    it('pagination: newest first, cursors, totalCount, filters', async () => {
      const methods = ['hirescam', 'xgradcam', 'gradcam++', 'eigencam', 'gradcam-elementwise'];
      for (const m of methods) expect((await s.gql(EXPLAIN, { input: { imageId: BOTH_SHA, methods: [m], model: 'resnet18' } })).errors).toBeUndefined();
      const q = `query($after: String) { explanations(imageId: "${BOTH_SHA}", modelId: "resnet18", first: 2, after: $after) {
        totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id methods model { id } } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      const sizes: number[] = [];
      for (;;) {
        const r = await s.gql(q, { after });
        expect(r.errors).toBeUndefined();
        const c = r.data!.explanations;
        expect(c.totalCount).toBe(5);
        sizes.push(c.edges.length);
        for (const e of c.edges) seen.push(e.node.methods[0]);
        if (!c.pageInfo.hasNextPage) break;
        expect(c.pageInfo.endCursor).toBe(c.edges.at(-1).cursor);
        after = c.pageInfo.endCursor;
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual([...methods].reverse());
      const other = await s.gql(`{ explanations(modelId: "squeezenet1.0", first: 100) { totalCount edges { node { model { id } } } } }`);
      expect(other.data!.explanations.edges.every((e: { node: { model: { id: string } } }) => e.node.model.id === 'squeezenet1.0')).toBe(true);
    });

    it('every client mistake gets its typed code, and writes nothing', async () => {
      const before = await counts(s);
      const tiny = (await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3a6' } }).png().toBuffer()).toString('base64');
      const tinySha = createHash('sha256').update(Buffer.from(tiny, 'base64')).digest('hex');
      const cases: [string, Record<string, unknown>][] = [
        ['UNKNOWN_MODEL', { image: tiny, model: 'no-such-model' }],
        ['UNKNOWN_METHOD', { image: tiny, methods: ['gradcam', 'magic'] }],
        ['BAD_LAYER', { image: tiny, layer: 'no_such_tensor' }],
        ['BAD_CLASS', { image: tiny, classes: [1000] }],
        ['BAD_CLASS', { image: tiny, topK: 0 }],
        ['BAD_CLASS', { image: tiny, topK: 11 }],
        ['BAD_REQUEST', { image: tiny, imageId: BOTH_SHA }],
        ['BAD_REQUEST', {}],
        ['BAD_REQUEST', { image: tiny, methods: Array(11).fill('gradcam') }],
        ['NOT_FOUND', { imageId: '0'.repeat(64) }],
        ['BAD_IMAGE', { image: 'bm90IGFuIGltYWdl' }],
      ];
      // each a 4xx with its code: 404 for NOT_FOUND, 400 for the rest
      for (const [code, input] of cases) {
        const r = await s.gql(EXPLAIN, { input });
        expect([r.status, r.errors?.[0]?.extensions?.code], JSON.stringify(input).slice(0, 80)).toEqual([code === 'NOT_FOUND' ? 404 : 400, code]);
      }
      expect(await counts(s)).toBe(before);
      expect((await s.gql(`{ image(id: "${tinySha}") { id } }`)).data!.image).toBeNull();

      const statusAndCode = async (query: string) => {
        const r = await s.gql(query);
        return [r.status, r.errors?.[0]?.extensions?.code];
      };
      expect(await statusAndCode('{ explanations(after: "garbage!") { totalCount } }')).toEqual([400, 'BAD_CURSOR']);
      expect(await statusAndCode('{ explanations(first: 1000) { totalCount } }')).toEqual([400, 'BAD_REQUEST']);
      expect((await s.gql('{ explanation(id: "nope") { id } image(id: "nope") { id } }')).data).toEqual({ explanation: null, image: null });
      const deep = '{ explanations { edges { node { image { explanations { edges { node { image { explanations { edges { node { id } } } } } } } } } } } }';
      expect(await statusAndCode(deep)).toEqual([400, 'QUERY_TOO_DEEP']);
      const costly = '{ explanations(first: 100) { edges { node { heatmaps { png } image { explanations(first: 100) { totalCount } } } } } }';
      expect(await statusAndCode(costly)).toEqual([400, 'QUERY_TOO_COMPLEX']);
      expect(await statusAndCode('{ nope }')).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
      const bad = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
      expect((await s.gql('{ health { ok } }')).data!.health.ok).toBe(true);
    });
  });
}

describe('rate limit', () => {
  it('more requests than SALIENCY_RATE_LIMIT per minute get RATE_LIMITED (HTTP 429), then the server still serves others', async () => {
    const db = testDatabases()[0];
    const s = await startTestServer(await db.url(), { SALIENCY_RATE_LIMIT: '3', SALIENCY_MODELS: 'squeezenet1.0' });
    try {
      for (let i = 0; i < 3; i++) expect((await s.gql('{ health { ok } }')).status).toBe(200);
      const r = await s.gql('{ health { ok } }');
      expect(r.status).toBe(429);
      expect(r.errors![0].extensions!.code).toBe('RATE_LIMITED');
      expect((await fetch(`${s.url}/health`)).status).toBe(200); // /health is not rate limited
    } finally {
      await s.close();
    }
  });
});
