// core/model/own-model.ts: the project's three JSON forms read into one partial spec, and what the
// graph completes (or cannot).
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { completeModelSpec, graphFacts, ModelSpecError, readModelSpecJson } from '../../packages/core/src/model/own-model.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';

const root = resolve(__dirname, '../..');
const shared = resolve(root, '../shared/models');
const ready = existsSync(resolve(shared, 'squeezenet1.0/model.json')) && existsSync(resolve(root, 'models/cache/squeezenet1.0/model-fp16.onnx'));

describe.skipIf(!ready)('own-model specs', () => {
  const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
  const squeezenet = readFileSync(resolve(root, 'models/cache/squeezenet1.0/model-fp16.onnx'));

  it('reads ../shared/models model.json: shape, channel_order, range, std null, "is" softmax, logits_tensor, target_layers', () => {
    const given = readModelSpecJson(JSON.parse(readFileSync(resolve(shared, 'squeezenet1.0/model.json'), 'utf8')));
    const spec = completeModelSpec(given, squeezenet, { id: 'x', file: 'x' });
    const m = findModel(manifest, 'squeezenet1.0');
    expect(spec.input).toEqual(m.input);
    expect(spec.output).toEqual(m.output);
    expect(spec.targetLayer).toBe(m.targetLayer);
    expect(spec.id).toBe('squeezenet1.0');
    // the fixtures' form: "scale": "pixel/255", "is": "logits (no softmax)", target_layer.onnx_tensor
    const vgg = readModelSpecJson(JSON.parse(readFileSync(resolve(shared, 'fixtures/vgg11_w8.json'), 'utf8')));
    expect([vgg.input.scale, vgg.output.kind, vgg.targetLayer]).toEqual([1 / 255, 'logits', '/features/features.20/MaxPool_output_0']);
  });

  it('reads a manifest entry unchanged', () => {
    for (const m of manifest.models.filter((x) => existsSync(resolve(root, 'models/cache', x.file)))) {
      const spec = completeModelSpec(readModelSpecJson(JSON.parse(JSON.stringify(m))), readFileSync(resolve(root, 'models/cache', m.file)), { id: 'x', file: m.file });
      expect(spec.input, m.id).toEqual(m.input);
      expect(spec.output, m.id).toEqual(m.output);
    }
  });

  it('finds the graph\'s only input and output and a final Softmax', () => {
    const f = graphFacts(squeezenet);
    expect(f.inputs).toEqual([{ name: 'data_0', dims: [1, 3, 224, 224] }]);
    expect(f.outputs.map((o) => o.name)).toEqual(['softmaxout_1']);
    expect(f.softmax.get('softmaxout_1')).toBe(true);
  });

  it('refuses bad values and a whole manifest, and says what is missing', () => {
    expect(() => readModelSpecJson({ channelOrder: 'RGBA' })).toThrow(/channelOrder must be "RGB" or "BGR"/);
    expect(() => readModelSpecJson({ mean: [1, 2] })).toThrow(/mean must be 3 numbers/);
    expect(() => readModelSpecJson({ range: '0-100' })).toThrow(/range must be a number/);
    expect(() => readModelSpecJson({ layout: 'NHWC' })).toThrow(/NHWC is not supported/);
    expect(() => readModelSpecJson(manifest)).toThrow(/whole manifest/);
    try {
      completeModelSpec(readModelSpecJson({ channelOrder: 'BGR', height: 300 }), squeezenet, { id: 'x', file: 'x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelSpecError);
      expect((e as Error).message).toBe(`"height": 300 does not match the graph's input 'data_0' [1, 3, 224, 224]`);
      expect((e as ModelSpecError).missing.map((l) => l.split(':')[0])).toEqual(['scale', 'mean', 'std']);
    }
  });
});
