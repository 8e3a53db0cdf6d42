// The exported fused file of the real SqueezeNet, run by plain onnxruntime-node on a real photo
// (both.png: a bulldog above a tabby cat), gives the engine's classes, scores and maps (the engine on
// its unfused path: forward, head-gradient session, methods and postprocessing in JS) to 1e-5.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { preprocess } from '../../../packages/core/src/image/preprocess.js';
import { FUSED_METHODS } from '../../../packages/core/src/fused/methods.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { ort } from '../../helpers/ort.js';
import { expectSameAsEngine, runExported } from './plain-ort.js';

const root = resolve(__dirname, '../../..');
const photo = resolve(root, '../shared/data/images/both.png');
const cache = resolve(root, 'models/cache');

describe.skipIf(!existsSync(photo) || !existsSync(resolve(cache, 'squeezenet1.0')))('exported fused SqueezeNet in plain onnxruntime-node', () => {
  let engine: Explainer;
  let spec: ModelSpec;
  let bytes: Uint8Array;
  let input: Float32Array;
  beforeAll(async () => {
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    spec = findModel(manifest, 'squeezenet1.0');
    const labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    bytes = readFileSync(resolve(cache, spec.file));
    engine = await Explainer.create(ort, bytes, spec, labels, { fused: false });
    const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    input = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
  });
  afterAll(() => engine?.release());

  for (const method of FUSED_METHODS) {
    it(`${method}, top-5, with raw maps`, async () => {
      const exported = Explainer.exportOnnx(bytes, spec, { method, topK: 5, raw: true });
      expect(exported.input).toBe('data_0');
      expect(exported.layer).toBe('fire9/concat_2');
      expect(exported.gathered).toBe(method !== 'eigencam');
      const got = await runExported(exported.bytes, exported.input, input, [1, 3, 224, 224]);
      const r = await engine.explain(input, { methods: [method], topK: 5 });
      expect(r.predictions[0].label).toBe('bull mastiff');
      expectSameAsEngine(got, r, method);
    });
  }

  it('Grad-CAM top-1 without raw, and a non-default layer (fire7)', async () => {
    const top1 = Explainer.exportOnnx(bytes, spec, { method: 'grad-cam', topK: 1 });
    const got = await runExported(top1.bytes, top1.input, input, [1, 3, 224, 224]);
    expect(got.raw).toBeUndefined();
    expectSameAsEngine(got, await engine.explain(input, { methods: ['gradcam'], topK: 1 }), 'gradcam');
    const fire7 = Explainer.exportOnnx(bytes, spec, { method: 'gradcam++', topK: 2, layer: 'fire7/concat_1', raw: true });
    const got7 = await runExported(fire7.bytes, fire7.input, input, [1, 3, 224, 224]);
    expect(got7.rawDims).toEqual([2, 13, 13]);
    expectSameAsEngine(got7, await engine.explain(input, { methods: ['gradcam++'], topK: 2, layer: 'fire7/concat_1' }), 'gradcam++');
  });

  it('probability targets (seeds p_c(e_c − p) in the graph, full head)', async () => {
    const exported = Explainer.exportOnnx(bytes, spec, { method: 'gradcam', topK: 3, target: 'probability', raw: true });
    expect(exported.gathered).toBe(false);
    const got = await runExported(exported.bytes, exported.input, input, [1, 3, 224, 224]);
    expectSameAsEngine(got, await engine.explain(input, { methods: ['gradcam'], topK: 3, target: 'probability' }), 'gradcam');
  });

  it('refuses what does not fuse', () => {
    expect(() => Explainer.exportOnnx(bytes, spec, { method: 'scorecam', topK: 1 })).toThrow(/does not fuse/);
    expect(() => Explainer.exportOnnx(bytes, spec, { method: 'integratedgradients', topK: 1 })).toThrow(/does not fuse/);
    expect(() => Explainer.exportOnnx(bytes, spec, { method: 'nope', topK: 1 })).toThrow(/unknown method/);
    expect(() => Explainer.exportOnnx(bytes, spec, { method: 'gradcam', topK: 1, layer: 'nope' })).toThrow(/no tensor named/);
    expect(() => Explainer.exportOnnx(bytes, spec, { method: 'gradcam', topK: 1001 })).toThrow(/top-k/);
  });
});
