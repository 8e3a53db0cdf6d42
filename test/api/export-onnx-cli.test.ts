// `saliency-explainer export-onnx`: the written file, loaded by plain onnxruntime-node
// (InferenceSession.create on the file, run — no project code in the loop), gives the engine's
// classes, scores and maps (its unfused path) to 1e-5: SqueezeNet from the manifest on a real photo,
// and a user's own tiny classifier given with --model-file and --input-spec. Bad flags are usage
// errors (2), a layer not in the model an input error (3), an output that cannot be written exit 5.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { main } from '../../packages/api/src/cli/main.js';
import { Explainer } from '../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../packages/core/src/model/labels.js';
import { preprocess } from '../../packages/core/src/image/preprocess.js';
import type { ModelSpec } from '../../packages/core/src/model/spec.js';
import type { ExplainResult } from '../../packages/core/src/explain-types.js';
import { tinyClassifier } from '../helpers/tiny-models.js';
import { randn, rng } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');
const cache = resolve(root, 'models/cache');
const photo = resolve(root, '../shared/data/images/both.png');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false });
  return { code, out, err: err.join('\n') };
}

/** The file as a user runs it, and the engine's result for the same input, compared. */
async function expectFileEqualsEngine(file: string, inputName: string, x: Float32Array, shape: number[], r: ExplainResult, method: string, K: number) {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ [inputName]: new ort.Tensor('float32', x, shape) });
  await session.release();
  const classes = Array.from(out.classes.data as BigInt64Array, Number);
  expect(classes).toEqual(r.predictions.slice(0, K).map((p) => p.index));
  const scores = out.scores.data as Float32Array;
  classes.forEach((c, k) => expect(Math.abs(scores[k] - r.probabilities[c])).toBeLessThanOrEqual(1e-6));
  const maps = out.maps.data as Float32Array;
  const [H, W] = shape.slice(2);
  expect(out.maps.dims).toEqual([K, H, W]);
  let worst = 0;
  classes.forEach((c, k) => {
    const m = r.maps.find((q) => q.method === method && q.classIndex === c)!;
    for (let i = 0; i < H * W; i++) worst = Math.max(worst, Math.abs(maps[k * H * W + i] - m.map.values[i]));
  });
  expect(worst).toBeLessThanOrEqual(1e-5);
  return out;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'saliency-export-onnx-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!existsSync(photo) || !existsSync(resolve(cache, 'squeezenet1.0')))('export-onnx on SqueezeNet', () => {
  it('writes a file whose maps, classes and scores equal the engine\'s (Grad-CAM++ top-3 with raw; Grad-CAM top-1)', async () => {
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    const spec = findModel(manifest, 'squeezenet1.0');
    const labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    const engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels, { fused: false });
    const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const x = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
    try {
      const file = join(work, 'squeezenet-gradcampp.onnx');
      const r = await cli('export-onnx', '--model', 'squeezenet1.0', '--method', 'gradcam++', '--top-k', '3', '--raw', '-o', file, '--json');
      expect(r.code, r.err).toBe(0);
      const described = JSON.parse(r.out[0]);
      expect(described.input).toEqual({ name: 'data_0', type: 'float32', shape: [1, 3, 224, 224] });
      expect(described.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape])).toEqual([
        ['classes', [3]], ['scores', [3]], ['maps', [3, 224, 224]], ['raw', [3, 13, 13]]]);
      const out = await expectFileEqualsEngine(file, 'data_0', x, [1, 3, 224, 224], await engine.explain(x, { methods: ['gradcam++'], topK: 3 }), 'gradcam++', 3);
      expect(out.raw.dims).toEqual([3, 13, 13]);

      const top1 = join(work, 'squeezenet-gradcam.onnx');
      const r1 = await cli('export-onnx', '-m', 'squeezenet1.0', '-o', top1);
      expect(r1.code, r1.err).toBe(0);
      expect(r1.out.join('\n')).toMatch(/gradcam top-1 at fire9\/concat_2[\s\S]*output maps float32 \[1, 224, 224\]/);
      await expectFileEqualsEngine(top1, 'data_0', x, [1, 3, 224, 224], await engine.explain(x, { methods: ['gradcam'], topK: 1 }), 'gradcam', 1);
    } finally {
      await engine.release();
    }
  });
});

describe('export-onnx of a user\'s own classifier (--model-file, --input-spec)', () => {
  it('exports a tiny CNN built here; the file equals the engine', async () => {
    const tiny = await tinyClassifier([3, 12, 10], (b, x) => b.op('Relu', [b.op('Conv', [x, b.weight([5, 3, 3, 3], 0.5), b.weight([5], 0.1)], { pads: [1, 1, 1, 1] })]), { classes: 6, seed: 4 });
    const modelFile = join(work, 'tiny.onnx');
    writeFileSync(modelFile, tiny.bytes);
    const inputSpec = { name: 'x', height: 12, width: 10, channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
    const labelsFile = join(work, 'tiny-labels.txt');
    writeFileSync(labelsFile, Array.from({ length: 6 }, (_, i) => `class ${i}`).join('\n'));
    const file = join(work, 'tiny-layercam.onnx');
    const r = await cli('export-onnx', '--model-file', modelFile, '--labels', labelsFile, '--input-spec', JSON.stringify(inputSpec), '--method', 'layercam', '-k', '2', '-o', file);
    expect(r.code, r.err).toBe(0);
    const spec: ModelSpec = {
      id: 'tiny', task: 'classification', file: modelFile, labels: [],
      input: { ...inputSpec, layout: 'NCHW', resize: 'stretch' } as ModelSpec['input'], output: { name: 'logits', kind: 'logits' },
    };
    const engine = await Explainer.create(ort, tiny.bytes, spec, Array.from({ length: 6 }, (_, i) => `class ${i}`), { fused: false });
    try {
      for (const seed of [1, 2, 3]) {
        const x = randn(3 * 12 * 10, rng(seed));
        await expectFileEqualsEngine(file, 'x', x, [1, 3, 12, 10], await engine.explain(x, { methods: ['layercam'], topK: 2 }), 'layercam', 2);
      }
    } finally {
      await engine.release();
    }
  });
});

describe('export-onnx errors', () => {
  it('help, usage errors (2), a missing layer (3), an unwritable output (5)', async () => {
    const help = await cli('export-onnx', '--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toMatch(/classes int64 \[K\][\s\S]*maps float32 \[K, H, W\]/);
    expect((await cli('export-onnx', '-m', 'cifar10-tiny')).code).toBe(2); // no -o
    const score = await cli('export-onnx', '-m', 'cifar10-tiny', '--method', 'scorecam', '-o', join(work, 'x.onnx'));
    expect(score.code).toBe(2);
    expect(score.err).toMatch(/does not fuse/);
    expect((await cli('export-onnx', '-m', 'cifar10-tiny', '--target', 'softmax', '-o', join(work, 'x.onnx'))).code).toBe(2);
    expect((await cli('export-onnx', '-m', 'cifar10-tiny', '-k', '0', '-o', join(work, 'x.onnx'))).code).toBe(2);
    if (existsSync(resolve(cache, 'cifar10-tiny'))) {
      expect((await cli('export-onnx', '-m', 'cifar10-tiny', '--layer', 'nope', '-o', join(work, 'x.onnx'))).code).toBe(3);
      expect((await cli('export-onnx', '-m', 'cifar10-tiny', '-k', '11', '-o', join(work, 'x.onnx'))).code).toBe(3);
      writeFileSync(join(work, 'a-file'), '');
      const unwritable = await cli('export-onnx', '-m', 'cifar10-tiny', '-o', join(work, 'a-file', 'x.onnx'));
      expect(unwritable.code).toBe(5);
      expect(unwritable.err).toMatch(/ENOTDIR/);
    }
  });
});
