// "Your own classifier" through the CLI (issue 18): --model-file with a minimal spec (the input name,
// size and output come from the graph), the project's own model JSON forms as the spec (a manifest
// entry, ../shared/models/*/model.json found beside the ONNX file), and errors that name what is missing.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeModel, encodeModel } from '../../packages/core/src/onnx/proto.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';
import { completeModelSpec, readModelSpecJson } from '../../packages/core/src/model/own-model.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const shared = resolve(root, '../shared');
const images = join(shared, 'data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(join(cache, 'fixtures/vgg11_w8.onnx')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const json = (r: Run) => JSON.parse(r.stdout.trim().split('\n')[0]);
const TORCHVISION = { channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe.skipIf(!ready)('explain --model-file: your own classifier', () => {
  const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
  let work: string;
  let vgg: string;
  let cifar: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'se-own-'));
    // copies with no spec beside them, as a user's own files
    vgg = join(work, 'my-vgg.onnx');
    copyFileSync(join(cache, 'fixtures/vgg11_w8.onnx'), vgg);
    cifar = join(work, 'my-cifar.onnx');
    copyFileSync(join(cache, 'cifar10-tiny/model.onnx'), cifar);
  });

  it('needs only the preprocessing: input name and size, output and labels-by-index come from the graph; maps equal the manifest model\'s', async () => {
    const spec = findModel(manifest, 'vgg11_w8');
    const layer = spec.targetLayer!;
    const [own, ref] = await Promise.all([
      cli('explain', join(images, 'dog_cat.jfif'), '--model-file', vgg, '--input-spec', JSON.stringify(TORCHVISION), '--class', '3', '--layer', layer, '--json', '--no-overlays'),
      cli('explain', join(images, 'dog_cat.jfif'), '--model', 'vgg11_w8', '--class', '3', '--json', '--no-overlays'),
    ]);
    expect(own.code, own.stderr).toBe(0);
    expect(ref.code, ref.stderr).toBe(0);
    expect(own.stderr.trim()).toBe('note: no labels (--labels FILE, or "labels" in the spec): the 1000 classes are called "class 0" … "class 999"');
    const a = json(own);
    const b = json(ref);
    expect(a.model).toBe('my-vgg');
    expect(a.inputShape).toEqual([1, 3, 224, 224]);
    expect(a.maps[0].label).toBe('class 3');
    expect(a.predictions.map((p: { index: number }) => p.index)).toEqual(b.predictions.map((p: { index: number }) => p.index));
    expect(a.predictions[0].score).toBe(b.predictions[0].score);
    // the same spec as the manifest's, so the same numbers exactly
    expect(a.maps[0].raw.values).toEqual(b.maps[0].raw.values);
  }, 120_000);

  it('completes the spec from the graph as the manifest writes it', () => {
    const spec = completeModelSpec(readModelSpecJson(TORCHVISION), readFileSync(vgg), { id: 'my-vgg', file: vgg });
    const m = findModel(manifest, 'vgg11_w8');
    expect(spec.input).toEqual({ ...m.input, scale: 1 / 255 });
    expect(spec.output).toEqual(m.output);
    // a Softmax at the end is found: SqueezeNet's output is probabilities
    const sq = completeModelSpec(readModelSpecJson({ ...TORCHVISION, channelOrder: 'BGR' }), readFileSync(join(cache, 'squeezenet1.0/model-fp16.onnx')), { id: 's', file: 's' });
    expect([sq.input.name, sq.input.height, sq.input.width, sq.output.name, sq.output.kind]).toEqual(['data_0', 224, 224, 'softmaxout_1', 'softmax']);
  });

  it('takes a models/manifest.json entry as the spec (labels and all)', async () => {
    const entry = join(work, 'cifar-entry.json');
    writeFileSync(entry, JSON.stringify(findModel(manifest, 'cifar10-tiny'), null, 1));
    const r = await cli('explain', join(images, 'cat.jpg'), '--model-file', cifar, '--input-spec', entry, '--json', '--no-overlays');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = json(r);
    expect(o.model).toBe('cifar10-tiny');
    expect(o.predictions[0].label).toBe('cat');
  });

  it('takes ../shared/models/*/model.json, given or found beside the ONNX file, with its labels file', async () => {
    const [own, ref, given] = await Promise.all([
      cli('explain', join(images, 'dog.jpg'), '--model-file', join(shared, 'models/squeezenet1.0/model-fp16.onnx'), '--json', '--no-overlays', '--top-k', '2'),
      cli('explain', join(images, 'dog.jpg'), '--model', 'squeezenet1.0', '--json', '--no-overlays', '--top-k', '2'),
      cli('explain', join(images, 'cat.jpg'), '--model-file', cifar, '--input-spec', join(shared, 'models/cifar10-tiny/model.json'), '--json', '--no-overlays'),
    ]);
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    const a = json(own);
    const b = json(ref);
    expect(a.model).toBe('squeezenet1.0');
    expect(a.layer).toBe('fire9/concat_2');
    expect(a.predictions).toEqual(b.predictions);
    expect(a.predictions[0].label).toBe('golden retriever');
    expect(given.code, given.stderr).toBe(0);
    expect(json(given).predictions[0].label).toBe('cat');
  }, 120_000);

  it('says what is missing when the spec lacks what the graph cannot tell (exit 2)', async () => {
    const none = await cli('explain', join(images, 'cat.jpg'), '--model-file', cifar, '--json');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: --model-file .*my-cifar\.onnx \(no --input-spec, and no my-cifar\.json or model\.json beside it\): the model spec is missing what the ONNX graph cannot tell:/);
    for (const field of ['channelOrder', 'scale', 'mean', 'std']) expect(none.stderr).toMatch(new RegExp(`\\n  - ${field}: `));
    expect(none.stderr).not.toMatch(/\n {2}- (height|width|output|input name)/);
    const some = await cli('explain', join(images, 'cat.jpg'), '--model-file', cifar, '--input-spec', '{"channelOrder":"RGB","range":"0-1"}', '--json');
    expect(some.code).toBe(2);
    expect(some.stderr).toMatch(/\n {2}- mean: /);
    expect(some.stderr).toMatch(/\n {2}- std: /);
    expect(some.stderr).not.toMatch(/- (channelOrder|scale):/);
    const wrong = await cli('explain', join(images, 'cat.jpg'), '--model-file', cifar, '--input-spec', JSON.stringify({ ...TORCHVISION, name: 'input' }), '--json');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/input 'input' is not an input of the graph \(its inputs: 'modelInput'\)/);
  });

  it('asks for the size when the graph leaves it open, and runs when it is given', async () => {
    const m = decodeModel(readFileSync(cifar));
    const dims = m.graph!.input!.find((v) => v.name === 'modelInput')!.type!.tensorType!.shape!.dim!;
    dims[2] = { dimParam: 'h' };
    dims[3] = { dimParam: 'w' };
    const open = join(work, 'open-size.onnx');
    writeFileSync(open, encodeModel(m));
    const spec = { channelOrder: 'RGB', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    const r = await cli('explain', join(images, 'cat.jpg'), '--model-file', open, '--input-spec', JSON.stringify(spec), '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/- height: the graph's input 'modelInput' has shape \['batch_size', 3, 'h', 'w'\], its height is not fixed; give "height"/);
    expect(r.stderr).toMatch(/- width: /);
    const ok = await cli('explain', join(images, 'cat.jpg'), '--model-file', open, '--input-spec', JSON.stringify({ ...spec, height: 32, width: 32 }), '--json', '--no-overlays');
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok).inputShape).toEqual([1, 3, 32, 32]);
  });
});
