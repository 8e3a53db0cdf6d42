// Object detectors through the API, end to end over HTTP on SQLite (and PostgreSQL where its binaries
// exist): `models` lists YOLOX-Nano as a detection model; explain gives its boxes (`detections`), an
// EigenCAM map of the image and a gradient CAM per asked box, each equal to core's DetectorExplainer
// run in this process; stored and read back bit for bit; the PNG equals core's letterbox-to-photo map
// coloured; identical requests are answered from storage; typed errors for boxes, methods and options.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import {
  applyColormap, DetectorExplainer, findDetector, getCamMethod, letterboxToImage, parseLabels, parseManifest,
  type DetectorMap, type DetectorRun,
} from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { detectorUnits } from '../../packages/api/src/server/cost.js';
import { fittedSize } from '../../packages/api/src/server/detector-fields.js';
import { ort } from '../helpers/ort.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const cache = resolve(root, 'models/cache');
const photoPath = resolve(root, '../shared/data/images/both.png');
const ready = existsSync(photoPath) && existsSync(resolve(cache, 'yolox-nano/model.onnx'));

const EXPLAIN = `mutation($input: ExplainInput!) { explain(input: $input) {
  id cached layer methods model { id task }
  predictions { classIndex label score }
  detections { index classIndex label score box }
  heatmaps { method box classIndex label score width height raw }
} }`;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('detector cost units', () => {
  it('one forward, a head forward per level the boxes sit on, a backward row per box, 0.1 a map', () => {
    const [eigen, grad, pp] = ['eigencam', 'gradcam', 'gradcam++'].map((m) => getCamMethod(m));
    expect(detectorUnits([eigen], 1)).toBeCloseTo(1.1, 12);
    expect(detectorUnits([grad], 1)).toBeCloseTo(1 + 1 + 2 + 0.1, 12);
    expect(detectorUnits([eigen, grad, pp], 5)).toBeCloseTo(1 + 3 + 5 * 2 + 0.1 * (1 + 2 * 5), 12);
  });
});

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason || !ready)(`detector explanations through the API on ${db.provider}`, () => {
    let s: TestServer;
    let ex: DetectorExplainer;
    let run: DetectorRun;
    let eigen: DetectorMap;
    let grads: DetectorMap[];
    let image: { width: number; height: number };
    const b64 = readFileSync(photoPath).toString('base64');

    beforeAll(async () => {
      s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0,yolox-nano', SALIENCY_MAX_IMAGE_BYTES: String(2_000_000), SALIENCY_MAX_REQUEST_BYTES: String(4_000_000) });
      const manifest = parseManifest(JSON.parse(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')));
      const spec = findDetector(manifest, 'yolox-nano');
      const labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
      ex = await DetectorExplainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels);
      // the server's decode of the upload (sharp: alpha flattened on white)
      const decoded = (await decodeImage(readFileSync(photoPath), 1e8)).image;
      image = decoded;
      run = await ex.run(decoded);
      eigen = await ex.eigenCam(run);
      grads = await ex.explainBoxes(run, run.detections.slice(0, 2), { method: 'gradcam' });
    }, 240_000);
    afterAll(async () => {
      await s?.close();
      await ex?.release();
    });

    it('models lists the detector with its task, input, labels and layers', async () => {
      const r = await s.gql('{ models { id task inputWidth inputHeight labelsCount defaultLayer isDefault labels(first: 3) } }');
      expect(r.errors).toBeUndefined();
      const y = r.data!.models.find((m: { id: string }) => m.id === 'yolox-nano');
      expect(y).toEqual({
        id: 'yolox-nano', task: 'detection', inputWidth: 416, inputHeight: 416, labelsCount: 80,
        defaultLayer: ex.defaultLayers.join(','), isDefault: false, labels: ['person', 'bicycle', 'car'],
      });
      expect(r.data!.models.find((m: { id: string }) => m.id === 'squeezenet1.0').task).toBe('classification');
    });

    it('explains the image (EigenCAM) and two boxes (Grad-CAM) as core does, stores them, and reads them back', async () => {
      const r = await s.gql(EXPLAIN, { input: { image: b64, model: 'yolox-nano', methods: ['gradcam', 'eigencam'], boxes: [1, 0] } });
      expect(r.errors).toBeUndefined();
      const e = r.data!.explain;
      expect(e.cached).toBe(false);
      expect(e.model).toEqual({ id: 'yolox-nano', task: 'detection' });
      expect(e.methods).toEqual(['eigencam', 'gradcam']);
      expect(e.layer).toBe(ex.defaultLayers.join(','));
      // , best first, as core finds them
      // the dog (0.90) and the cat (0.72), best first, as YOLOX's own pipeline and core find them (test/core/detect/yolox-photos.test.ts)
      expect(e.detections.map((d: { label: string }) => d.label).slice(0, 2)).toEqual(['dog', 'cat']);
      expect(e.detections[0].score).toBeCloseTo(0.897, 3);
      expect(e.detections[1].score).toBeCloseTo(0.724, 3);
      expect(e.detections).toHaveLength(run.detections.length);
      e.detections.forEach((d: { index: number; classIndex: number; score: number; box: number[] }, k: number) => {
        expect(d.index).toBe(k);
        expect(d.classIndex).toBe(run.detections[k].classIndex);
        expect(Math.abs(d.score - run.detections[k].score)).toBeLessThan(1e-6);
        expect(maxDiff(d.box, run.detections[k].box)).toBeLessThan(1e-3);
      });
      expect(e.predictions.map((p: { label: string }) => p.label)).toEqual(e.detections.map((d: { label: string }) => d.label));
      // one map of the image, then one per box
      expect(e.heatmaps.map((h: { method: string; box: number | null }) => [h.method, h.box])).toEqual([['eigencam', null], ['gradcam', 0], ['gradcam', 1]]);
      const [he, h0, h1] = e.heatmaps;
      expect(he).toMatchObject({ classIndex: -1, label: '', score: 0, width: 416, height: 416 });
      expect(h0).toMatchObject({ classIndex: run.detections[0].classIndex, label: 'dog', width: 416, height: 416 });
      expect(h1).toMatchObject({ classIndex: run.detections[1].classIndex, label: 'cat' });
      expect(Math.abs(h0.score - run.detections[0].score)).toBeLessThan(1e-6);
      // the maps: core's on the letterboxed input (same ONNX Runtime, same image; float32 through JSON)
      const dEigen = maxDiff(he.raw, eigen.inputMap.values);
      const d0 = maxDiff(h0.raw, grads[0].inputMap.values);
      const d1 = maxDiff(h1.raw, grads[1].inputMap.values);
      if (process.env.DEBUG_FD) console.log(`API vs core: eigencam ${dEigen}, gradcam box0 ${d0}, box1 ${d1}`);
      expect(Math.max(dEigen, d0, d1)).toBeLessThan(1e-5);

      // read back from storage: identical
      const back = await s.gql(`{ explanation(id: "${e.id}") { detections { index label score box } heatmaps(first: 3) { method box classIndex raw } } }`);
      expect(back.errors).toBeUndefined();
      expect(back.data!.explanation.detections).toEqual(e.detections.map(({ index, label, score, box }: Record<string, unknown>) => ({ index, label, score, box })));
      expect(back.data!.explanation.heatmaps).toEqual(e.heatmaps.map(({ method, box, classIndex, raw }: Record<string, unknown>) => ({ method, box, classIndex, raw })));

      // the same request again (boxes in another order): stored, nothing computed
      const again = await s.gql('mutation($input: ExplainInput!) { explain(input: $input) { id cached } }', { input: { image: b64, model: 'yolox-nano', methods: ['eigencam', 'gradcam'], boxes: [0, 1] } });
      expect(again.data!.explain).toEqual({ id: e.id, cached: true });
    }, 240_000);

    it('draws a box map on the photo: the PNG is core\'s letterbox-to-photo map, coloured', async () => {
      const r = await s.gql(`mutation($input: ExplainInput!) { explain(input: $input) { heatmaps { box png(size: 300) over: png(size: 200, overlay: true) } } }`,
        { input: { image: b64, model: 'yolox-nano', methods: ['gradcam'] } });
      expect(r.errors).toBeUndefined();
      const [h] = r.data!.explain.heatmaps;
      expect(h.box).toBe(0); // the best box by default
      const png = Buffer.from(h.png.split(',')[1], 'base64');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const W = 300;
      const H = Math.round((image.height * 300) / image.width);
      expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
      const fitted = fittedSize(image.width, image.height, 416, 416);
      expect(fitted).toEqual({ width: run.letterbox.width, height: run.letterbox.height });
      const expected = applyColormap(letterboxToImage(grads[0].inputMap, fitted, W, H), 'jet');
      let off = 0;
      for (let i = 0; i < expected.length; i++) off = Math.max(off, Math.abs(expected[i] - data[i]));
      expect(off).toBeLessThanOrEqual(1); // the map equals core's to 1e-5: a colour level at most
      expect(h.over.startsWith('data:image/png;base64,')).toBe(true);
    }, 120_000);

    it('refuses what a detector does not take, with typed errors, and stores nothing', async () => {
      const code = async (input: Record<string, unknown>) => (await s.gql(EXPLAIN, { input: { image: b64, model: 'yolox-nano', ...input } })).errors?.[0]?.extensions?.code;
      const before = (await s.gql('{ explanations(first: 1) { totalCount } }')).data!.explanations.totalCount;
      expect(await code({ boxes: [99] })).toBe('BAD_BOX');
      expect(await code({ boxes: [-1] })).toBe('BAD_BOX');
      expect(await code({ methods: ['scorecam'] })).toBe('UNKNOWN_METHOD');
      expect(await code({ methods: ['integratedgradients'] })).toBe('UNKNOWN_METHOD');
      expect(await code({ topK: 2 })).toBe('BAD_REQUEST');
      expect(await code({ target: 'PROBABILITY' })).toBe('BAD_REQUEST');
      expect(await code({ layer: 'no-such-layer' })).toBe('BAD_LAYER');
      expect((await s.gql(EXPLAIN, { input: { image: b64, model: 'squeezenet1.0', boxes: [0] } })).errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect((await s.gql('{ explanations(first: 1) { totalCount } }')).data!.explanations.totalCount).toBe(before);
      // classifier-only fields of a detector map
      const stored = await s.gql('{ explanations(modelId: "yolox-nano", first: 1) { edges { node { heatmaps(first: 1) { alignment { scores { metric } } } } } } }');
      expect(stored.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    }, 120_000);
  });
}
