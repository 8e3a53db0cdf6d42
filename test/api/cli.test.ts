// The saliency-explainer command end to end: real models, real photos, the built bin.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { preprocess } from '../../packages/core/src/image/preprocess.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(resolve(root, 'models/cache/squeezenet1.0')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const tmp = () => mkdtempSync(join(tmpdir(), 'se-cli-'));
const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe.skipIf(!ready)('saliency-explainer explain', () => {
  let work: string;
  beforeAll(() => {
    work = tmp();
  });

  it('writes 6 overlays and report.json for both.png, top-2 × 3 methods', async () => {
    const out = join(work, 'both');
    const r = await cli('explain', join(images, 'both.png'), '--top-k', '2', '--method', 'gradcam,gradcam++,scorecam', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toEqual([
      'both.gradcam++.242-boxer.png', 'both.gradcam++.243-bull-mastiff.png',
      'both.gradcam.242-boxer.png', 'both.gradcam.243-bull-mastiff.png',
      'both.scorecam.242-boxer.png', 'both.scorecam.243-bull-mastiff.png',
    ]);
    for (const f of pngs) {
      const meta = await sharp(join(out, f)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.model).toBe('squeezenet1.0');
    expect(report.layer).toBe('fire9/concat_2');
    expect(report.inputs).toHaveLength(1);
    expect(report.inputs[0].maps).toHaveLength(6);
    expect(report.inputs[0].predictions.map((p: { label: string }) => p.label)).toEqual(['bull mastiff', 'boxer']);
    expect(r.stdout).toMatch(/bull mastiff 62\.\d%/);
  });

  it('--json prints one object per input and nothing else, in the documented shape', async () => {
    const r = await cli('explain', join(images, 'cat.jpg'), join(images, 'dog.jpg'), '--model', 'cifar10-tiny', '--top-k', '3',
      '--method', 'gradcam,eigencam', '--json', '--out', join(work, 'json'));
    expect(r.code).toBe(0);
    const objs = lines(r.stdout);
    expect(objs).toHaveLength(2);
    for (const o of objs) {
      expect(Object.keys(o).sort()).toEqual(['input', 'inputShape', 'layer', 'maps', 'model', 'predictions']);
      expect(o.model).toBe('cifar10-tiny');
      expect(o.inputShape).toEqual([1, 3, 32, 32]);
      expect(o.predictions).toHaveLength(3);
      const scores = o.predictions.map((p: { score: number }) => p.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(o.maps).toHaveLength(6);
      for (const m of o.maps) {
        expect(m.raw.values).toHaveLength(m.raw.width * m.raw.height);
        expect(m.raw.values.every((v: number) => v >= 0)).toBe(true);
        expect([m.map.width, m.map.height]).toEqual([32, 32]);
        expect(m.map.values.every((v: number) => v >= 0 && v <= 1)).toBe(true);
        expect(existsSync(m.overlay)).toBe(true);
      }
    }
    expect(objs[0].predictions[0].label).toBe('cat');
    expect(objs[1].predictions[0].label).toBe('dog');
  });

  it('--input-tensor gives the same result as the image it was made from', async () => {
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    const spec = findModel(manifest, 'cifar10-tiny');
    const { data, info } = await sharp(join(images, 'cat.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const t = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
    const file = join(work, 'cat.bin');
    writeFileSync(file, Buffer.from(t.buffer));
    const [a, b] = await Promise.all([
      cli('explain', join(images, 'cat.jpg'), '--model', 'cifar10-tiny', '--json', '--no-overlays', '--method', 'gradcam'),
      cli('explain', file, '--input-tensor', '--model', 'cifar10-tiny', '--json', '--out', join(work, 'tensor'), '--method', 'gradcam'),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [ra] = lines(a.stdout);
    const [rb] = lines(b.stdout);
    expect(rb.predictions[0].index).toBe(ra.predictions[0].index);
    expect(Math.abs(rb.predictions[0].score - ra.predictions[0].score)).toBeLessThan(1e-6);
    ra.maps[0].raw.values.forEach((v: number, i: number) => expect(Math.abs(v - rb.maps[0].raw.values[i])).toBeLessThan(1e-5));
    expect(existsSync(rb.maps[0].overlay)).toBe(true);
  });

  it('expands a directory to its images, with unique output names', async () => {
    const dir = join(work, 'dir');
    mkdirSync(dir);
    copyFileSync(join(images, 'cat.jpg'), join(dir, 'a.jpg'));
    copyFileSync(join(images, 'kitten.jpg'), join(dir, 'b.jpg'));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    const r = await cli('explain', dir, join(dir, 'a.jpg'), '--model', 'cifar10-tiny', '--json', '--out', join(work, 'dir-out'));
    expect(r.code).toBe(0);
    const objs = lines(r.stdout);
    expect(objs.map((o) => o.input)).toEqual([join(dir, 'a.jpg'), join(dir, 'b.jpg'), join(dir, 'a.jpg')]);
    expect(new Set(objs.map((o) => o.maps[0].overlay)).size).toBe(3);
  });

  it('lists models and methods', async () => {
    const m = await cli('models');
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/^squeezenet1\.0 \(default\)\t224×224 BGR\tlayer fire9\/concat_2\tready/m);
    const meth = await cli('methods');
    expect(meth.stdout.trim().split('\n')).toHaveLength(17);
  });
});

describe.skipIf(!ready)('saliency-explainer help', () => {
  it('prints each command\'s own options for <command> --help, and the overview lists every command', async () => {
    // a flag only that command's help names
    const own: Record<string, RegExp> = {
      explain: /--image-weight W/, serve: /--port/, models: /whether its file has been fetched/, methods: /cost class/,
      score: /--other-fixations FILE/, eval: /--resume/, 'import-fixations': /--dataset-name NAME/,
      'export-annotations': /--format/, faithfulness: /--map M\.bin/, 'sanity-check': /--plot FILE\.png/,
      'export-onnx': /--model-file FILE/, site: /--detector/, worker: /--concurrency N/, campaign: /--per-image K/,
      augment: /--mode erase\|inpaint|--inpaint-radius/,
    };
    const outputs = Object.fromEntries(await Promise.all(Object.keys(own).map(async (c) => [c, await cli(c, '--help')] as const)));
    for (const [command, flag] of Object.entries(own)) {
      const r = outputs[command];
      expect([command, r.code], r.stderr).toEqual([command, 0]);
      expect(r.stdout, command).toMatch(flag);
      // and not the options of the others (explain's overlay weight is only explain's)
      if (command !== 'explain') expect(r.stdout, command).not.toMatch(/--image-weight W/);
    }
    const overview = await cli('--help');
    for (const command of Object.keys(own)) expect(overview.stdout).toContain(`saliency-explainer ${command}`);
    expect(overview.stdout).not.toMatch(/--image-weight W/);
  });
});

describe.skipIf(!ready)('saliency-explainer errors and exit codes', () => {
  const cat = join(images, 'cat.jpg');
  const fast = ['--model', 'cifar10-tiny', '--no-overlays', '--json'];

  it('2 for usage errors', async () => {
    for (const args of [['--bogus'], ['--top-k', '2', '--class', '3'], ['--method', 'occlusioncam'], ['--top-k', 'x'], ['--colormap', 'rainbow'], []]) {
      const r = await cli('explain', ...(args.length ? [cat, ...args] : []));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('3 for bad inputs, which do not stop the others', async () => {
    const work = tmp();
    const corrupt = join(work, 'corrupt.png');
    writeFileSync(corrupt, Buffer.from('\x89PNG\r\n\x1a\nthis is not a png'));
    const r = await cli('explain', join(work, 'missing.jpg'), corrupt, cat, ...fast);
    expect(r.code).toBe(3);
    const objs = lines(r.stdout);
    expect(objs.map((o) => o.error?.code ?? 'ok')).toEqual(['NOT_FOUND', 'BAD_IMAGE', 'ok']);
    expect(r.stderr).toMatch(/corrupt\.png: not a readable image/);
  });

  it('3 for a tensor of the wrong size, a class or layer not in the model, too many pixels', async () => {
    const work = tmp();
    writeFileSync(join(work, 'short.bin'), Buffer.alloc(100));
    const t = await cli('explain', join(work, 'short.bin'), '--input-tensor', ...fast);
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(/100 bytes; the model's input \[1, 3, 32, 32\] needs 12288/);
    const c = await cli('explain', cat, '--class', '10', ...fast);
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/class 10 is not in 0\.\.9/);
    const l = await cli('explain', cat, '--layer', 'no-such-tensor', ...fast);
    expect(l.code).toBe(3);
    expect(l.stderr).toMatch(/no-such-tensor/);
    const p = await cli('explain', cat, '--max-image-pixels', '1000', ...fast);
    expect(p.code).toBe(3);
    expect(p.stderr).toMatch(/more pixels than the limit of 1000/);
  });

  it('5 for an --out that cannot be written: through a file (ENOTDIR), a file in the way (EEXIST); one line, no stack', async () => {
    const work = tmp();
    const file = join(work, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const [out, code] of [[join(file, 'out'), 'ENOTDIR'], [file, 'EEXIST']] as const) {
      const r = await cli('explain', cat, '--model', 'cifar10-tiny', '--out', out);
      expect(r.code, out).toBe(5);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^error: cannot write the output folder .*\\(${code}\\)`));
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('4 for an unknown model or a model file that was not fetched', async () => {
    const u = await cli('explain', cat, '--model', 'resnet1000');
    expect(u.code).toBe(4);
    expect(u.stderr).toMatch(/unknown model 'resnet1000' \(known: squeezenet1\.0/);
    const dir = tmp();
    copyFileSync(resolve(root, 'models/manifest.json'), join(dir, 'manifest.json'));
    const m = await cli('explain', cat, '--models-dir', dir);
    expect(m.code).toBe(4);
    expect(m.stderr).toMatch(/is missing; run `npm run models`/);
  });

  it('runs a user model from --model-file with --labels and --input-spec', async () => {
    const work = tmp();
    const labels = join(work, 'labels.txt');
    writeFileSync(labels, 'plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
    const spec = JSON.stringify({ name: 'modelInput', height: 32, width: 32, channelOrder: 'RGB', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], outputName: 'modelOutput' });
    const r = await cli('explain', cat, '--model-file', resolve(root, 'models/cache/cifar10-tiny/model.onnx'), '--labels', labels, '--input-spec', spec, '--json', '--no-overlays');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0].predictions[0].label).toBe('cat');
  });
});
