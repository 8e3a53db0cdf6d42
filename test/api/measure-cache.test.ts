// An engine worker's measures of one image's maps decode and preprocess it once (compute/measure.ts
// keeps the latest images' pixels and inputs): three measures of both.png (two captions at once, then
// a faithfulness report) decode it once, and a caption measured again after the others, from the kept
// image, has the same facts and text as when it was measured first. The built measure.js is used, as
// the server runs it (its detector runs on a worker thread of the built files).
import { describe, it, expect, vi, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Explainer, findModel, parseLabels, parseManifest, preprocess } from '../../packages/core/src/index.js';

const root = resolve(__dirname, '../..');
const models = resolve(root, 'models');
const dist = resolve(root, 'packages/api/dist');
const photo = resolve(root, '../shared/data/images/both.png');
const ready = existsSync(resolve(dist, 'compute/measure.js')) && existsSync(resolve(models, 'cache/squeezenet1.0'))
  && existsSync(resolve(models, 'cache/yolox-nano/model.onnx')) && existsSync(photo);

const decodes = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../packages/api/dist/images/decode.js', async (original) => {
  const actual = await original<typeof import('../../packages/api/src/images/decode.js')>();
  return {
    ...actual,
    decodeImage: (...args: Parameters<typeof actual.decodeImage>) => {
      decodes.count++;
      return actual.decodeImage(...args);
    },
  };
});

describe.skipIf(!ready)('measures of one image', () => {
  let engine: Explainer | undefined;
  afterAll(async () => {
    await engine?.release();
  });

  it('decode it once, and a caption measured again from the kept image is the same caption', async () => {
    const { measure } = await import('../../packages/api/dist/compute/measure.js');
    const manifest = parseManifest(readFileSync(resolve(models, 'manifest.json'), 'utf8'));
    const spec = findModel(manifest, 'squeezenet1.0');
    const labels = parseLabels(readFileSync(resolve(models, 'cache', spec.labels as string), 'utf8'));
    engine = await Explainer.create(ort, readFileSync(resolve(models, 'cache', spec.file)), spec, labels);
    const bytes = new Uint8Array(readFileSync(photo));
    const { decodeImage } = await import('../../packages/api/dist/images/decode.js');
    const { image } = await decodeImage(bytes, 40e6);
    const input = preprocess(image, spec.input);
    const result = await engine.explain(input, { methods: ['gradcam'], classes: [243, 282] });
    const raw = (k: number) => ({ width: result.maps[k].raw.width, height: result.maps[k].raw.height, values: result.maps[k].raw.values });
    const config = { maxImagePixels: 40e6, modelsDir: models, userModelsDir: null };
    const caption = (k: number) => measure(engine!, {
      what: 'caption', bytes, classIndex: result.maps[k].classIndex, raw: raw(k), options: { seed: 0 },
      others: [{ classIndex: result.maps[1 - k].classIndex, raw: raw(1 - k) }],
    }, config) as Promise<{ text: string; facts: { kind: string }[] }>;

    decodes.count = 0;
    // two captions at once (as a batch's measures arrive) wait for one decode
    const [first, other] = await Promise.all([caption(0), caption(1)]);
    await measure(engine, { what: 'faithfulness', bytes, classIndex: 243, raw: raw(0), options: { seed: 0 } }, config);
    const again = await caption(0);
    expect(decodes.count).toBe(1);
    expect(first.text).toMatch(/bull mastiff/);
    expect(other.text).toMatch(/tiger cat/);
    expect(again).toEqual(first);
    // another photo's bytes are another image: decoded
    await measure(engine, { what: 'faithfulness', bytes: new Uint8Array(readFileSync(resolve(root, '../shared/data/images/kitten.jpg'))), classIndex: 281, raw: raw(1), options: { seed: 0 } }, config);
    expect(decodes.count).toBe(2);
  });
});
