// Issue 18 (2, 3) through the API: a folder of the user's own classifiers (SALIENCY_USER_MODELS_DIR /
// serve --user-models: NAME.onnx + NAME.json with only the preprocessing + NAME.labels.txt) served and
// explained over GraphQL like the manifest's models, and Heatmap.png of a non-square photo on the
// photo's aspect (size = its longer side), the map put back by core mapToImage.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { applyColormap, Explainer, findModel, mapToImage, parseLabels, parseManifest, postprocess, preprocess } from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import { startServer } from '../../packages/api/src/server/start.js';
import { ort } from '../helpers/ort.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const cache = resolve(root, 'models/cache');
const PHOTO = readFileSync(resolve(root, '../shared/data/images/dog_cat.jfif')); // 284 × 177
const db = testDatabases()[0];
const SPEC = { channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const pngOf = (url: string) => Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');

describe('the user\'s own models over GraphQL, and PNGs on the photo\'s aspect', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'se-user-models-'));
    copyFileSync(join(cache, 'fixtures/vgg11_w8.onnx'), join(dir, 'my-vgg.onnx'));
    writeFileSync(join(dir, 'my-vgg.json'), JSON.stringify(SPEC));
    copyFileSync(join(cache, 'labels/imagenet_synset.txt'), join(dir, 'my-vgg.labels.txt'));
    s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'cifar10-tiny', SALIENCY_USER_MODELS_DIR: dir });
  }, 120_000);
  afterAll(() => s?.close());

  it('lists the folder\'s model, with what the graph told (input 224 × 224) and its labels', async () => {
    const r = await s.gql('{ models { id inputWidth inputHeight labelsCount defaultLayer } health { models } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.health.models).toEqual(['cifar10-tiny', 'my-vgg']);
    expect(r.data!.models.find((m: { id: string }) => m.id === 'my-vgg')).toMatchObject({ inputWidth: 224, inputHeight: 224, labelsCount: 1000 });
    // the browser's local engines get it too: listed in the served manifest, its file under /models/files/user/
    const manifest = await (await fetch(`${s.url}/models/manifest.json`)).json();
    const entry = manifest.models.find((m: { id: string }) => m.id === 'my-vgg');
    expect(entry).toMatchObject({ file: 'user/my-vgg.onnx', input: { name: 'input', width: 224, height: 224, channelOrder: 'RGB' }, output: { name: 'logits', kind: 'logits' } });
    const file = await fetch(`${s.url}/models/files/user/my-vgg.onnx`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(readFileSync(join(dir, 'my-vgg.onnx')))).toBe(true);
    expect((await fetch(`${s.url}/models/files/user/my-vgg.json`)).status).toBe(404);
  });

  it('explains a photo with it: the engine\'s map in-process; png keeps the photo\'s aspect (284 × 177 → 448 × 279, default 224 × 140)', async () => {
    const r = await s.gql(`mutation($d: String!) { explain(input: { image: $d, model: "my-vgg", classes: [243] }) {
      model { id } layer predictions { classIndex label score }
      heatmaps { classIndex label width height raw big: png(size: 448) small: png over: png(size: 448, overlay: true) } } }`, { d: PHOTO.toString('base64') });
    expect(r.errors).toBeUndefined();
    const e = r.data!.explain;
    expect(e.model.id).toBe('my-vgg');
    const h = e.heatmaps[0];
    expect([h.classIndex, h.label]).toEqual([243, 'bull mastiff']);
    // the same numbers as core with the manifest's spec of this file (the same preprocessing)
    const spec = findModel(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'vgg11_w8');
    const engine = await Explainer.create(ort, readFileSync(join(cache, spec.file)), spec, parseLabels(readFileSync(join(cache, 'labels/imagenet_synset.txt'), 'utf8')));
    try {
      const want = await engine.explain(preprocess((await decodeImage(PHOTO, 1e8)).image, spec.input), { classes: [243], layer: e.layer });
      const top = Math.max(...want.maps[0].raw.values);
      expect(top).toBeGreaterThan(0);
      expect([h.width, h.height]).toEqual([want.maps[0].raw.width, want.maps[0].raw.height]);
      h.raw.forEach((v: number, i: number) => expect(Math.abs(v - want.maps[0].raw.values[i])).toBeLessThanOrEqual(1e-5 * top));
      expect(e.predictions[0].classIndex).toBe(want.predictions[0].index);
    } finally {
      await engine.release();
    }
    const sizes = await Promise.all([h.big, h.small, h.over].map(async (u: string) => {
      const m = await sharp(pngOf(u)).metadata();
      return [m.width, m.height];
    }));
    expect(sizes).toEqual([[448, 279], [224, 140], [448, 279]]);
    // the plain PNG is the map put back on the photo (mapToImage), coloured
    const { data } = await sharp(pngOf(h.big)).raw().toBuffer({ resolveWithObject: true });
    const { map } = postprocess(Float32Array.from(h.raw), h.height, h.width, 224, 224);
    const expected = applyColormap(mapToImage(map, spec.input, 448, 279), 'jet');
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(data[i] - expected[i]);
      worst = Math.max(worst, d);
      sum += d;
    }
    expect(sum / expected.length).toBeLessThan(0.05); // equal up to float rounding at colour-bin edges
    expect(worst).toBeLessThanOrEqual(8);
  }, 120_000);

  it('a user model whose spec lacks the preprocessing stops the server, naming the file and what is missing', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'se-user-bad-'));
    copyFileSync(join(cache, 'cifar10-tiny/model.onnx'), join(bad, 'tiny.onnx'));
    writeFileSync(join(bad, 'tiny.json'), JSON.stringify({ channelOrder: 'RGB' }));
    const settings = settingsFromEnv({ SALIENCY_MODELS: 'cifar10-tiny', SALIENCY_USER_MODELS_DIR: bad, DATABASE_URL: await db.url() });
    settings.port = 0;
    await expect(startServer(settings)).rejects.toThrow(/user model 'tiny' \(.*se-user-bad-.*\): the spec .*tiny\.json: the model spec is missing what the ONNX graph cannot tell:\n {2}- scale: .*\n {2}- mean: .*\n {2}- std: /);
  });
});
