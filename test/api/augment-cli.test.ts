// `augment` end to end through the built bin, on real OSIE images and the real YOLOX-nano: which images
// change and why, the mask (= core's topPercentMask of the detector's EigenCAM map, recomputed here),
// erase exactness (masked pixels = the fill, every other byte = the decoded original), inpainting
// (OpenCV's own Telea output inside the mask, the original's bytes outside), the manifest's schema and
// accuracy table, the predicted-density fallback, a classifier, and bad inputs with their exit codes
// and nothing half-written. No timing is asserted anywhere.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { DetectorExplainer } from '../../packages/core/src/detect-explain/explainer.js';
import { findDetector, parseManifest } from '../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../packages/core/src/model/labels.js';
import { topPercentMask, dilateMask, eraseImage } from '../../packages/core/src/augment/selective.js';
import { densityMap } from '../../packages/core/src/fixations/density.js';
import { parseOsie } from '../../packages/core/src/fixations/osie.js';
import { mae } from '../../packages/core/src/metrics/mae.js';
import type { RgbImage } from '../../packages/core/src/image/types.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { teleaRaw } from '../../packages/api/src/cli/augment-inpaint.js';
import { ort } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const osie = resolve(root, '../shared/data/osie');
const photos = resolve(root, '../shared/data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(resolve(cache, 'yolox-nano/model.onnx'))
  && existsSync(join(osie, 'fixations.json')) && existsSync(photos);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'augment', ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function decoded(path: string): Promise<RgbImage> {
  return (await decodeImage(readFileSync(path), 1e8)).image;
}

async function rawRgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

async function readMask(path: string): Promise<Uint8Array> {
  expect((await sharp(path).metadata()).channels).toBe(1); // written as an 8-bit grey PNG
  const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  expect([...new Set(data)].sort((a, b) => a - b).every((v) => v === 0 || v === 255)).toBe(true);
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
}

const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

interface Entry {
  input: string; width: number; height: number; reference: string; referenceSource: string; mae: number | null; iou: number | null;
  changed: boolean; reason: string; erasedPixels: number; erasedFraction: number; mask: string | null; output: string | null;
  before: unknown; after: unknown; explained: string | null; threshold: number | null;
}

describe.skipIf(!ready)('augment', () => {
  const work = mkdtempSync(join(tmpdir(), 'se-augment-'));
  const spec = findDetector(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'yolox-nano');
  const fixations = parseOsie(JSON.parse(readFileSync(join(osie, 'fixations.json'), 'utf8')));
  let ex: DetectorExplainer;
  const erased = join(work, 'erase');
  let run: Run;
  beforeAll(async () => {
    ex = await DetectorExplainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8')));
    // 1001: EigenCAM far from the fixations (MAE 0.129); 1036: close (0.093); coffee.png: no eye tracking
    run = await cli(join(osie, 'stimuli/1001.jpg'), join(osie, 'stimuli/1036.jpg'), join(photos, 'coffee.png'), '--model', 'yolox-nano', '-o', erased);
  });
  afterAll(() => ex?.release());

  it('erases the images whose map disagrees with people, and says why for each', async () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const m = JSON.parse(readFileSync(join(erased, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      schema: 'saliency-explainer/augment@1', model: 'yolox-nano', task: 'detection', method: 'eigencam', reference: 'human',
      gate: { kind: 'mae', threshold: 0.1 }, top: 2.5, mode: 'erase', fill: 'black', inpainter: null, labelScore: 0.5,
    });
    expect(m.layers).toEqual(ex.defaultLayers);
    expect(m.notes.join(' ')).toMatch(/DeepGaze IIE .* cannot be obtained/);
    const [a, b, c] = m.images as Entry[];
    expect(a).toMatchObject({ reference: 'human', changed: true, erasedFraction: 0.025, erasedPixels: 12000 });
    expect(a.referenceSource).toMatch(/1001\.jpg, 15 observers/);
    expect(a.mae).toBeGreaterThan(0.1);
    expect(a.reason).toMatch(/^MAE 0\.\d{3} > 0\.1: the map disagrees/);
    expect(b).toMatchObject({ reference: 'human', changed: false, mask: null, output: null, after: null });
    expect(b.mae).toBeLessThanOrEqual(0.1);
    expect(b.reason).toMatch(/≤ 0\.1: the map agrees/);
    expect(c.reference).toBe('predicted');
    expect(c.referenceSource).toMatch(/spectral residual/);
    expect(m.summary).toEqual({ images: 3, failed: 0, changed: m.images.filter((e: Entry) => e.changed).length, unchanged: 3 - m.images.filter((e: Entry) => e.changed).length, human: 2, predicted: 1 });
    for (const e of m.images as Entry[]) {
      for (const k of ['input', 'width', 'height', 'explained', 'reference', 'referenceSource', 'mae', 'iou', 'changed', 'reason', 'threshold', 'erasedPixels', 'erasedFraction', 'mask', 'output', 'before', 'after']) expect(e).toHaveProperty(k);
    }
    // the table: all images, then the changed ones; before is 1 by construction
    expect(m.accuracy.map((r: { set: string }) => r.set)).toEqual(['all', 'changed']);
    expect(m.accuracy[0].before).toBe(1);
    expect(m.accuracy[0].after).toBeGreaterThanOrEqual(0);
    expect(m.accuracy[0].after).toBeLessThanOrEqual(1);
    expect(run.stdout).toMatch(/\| all \| 3 \| \d+ \| 1\.000 \| [01]\.\d{3} \|/);
    expect(run.stdout).toContain(`manifest: ${join(erased, 'manifest.json')}`);
    expect(readdirSync(erased).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('recomputes: the MAE against the pooled fixations and the mask = the top 2.5 % of EigenCAM', async () => {
    const m = JSON.parse(readFileSync(join(erased, 'manifest.json'), 'utf8'));
    const e = m.images[0] as Entry;
    const image = await decoded(join(osie, 'stimuli/1001.jpg'));
    const map = (await ex.eigenCam(await ex.run(image))).map;
    const im = fixations.find((f) => f.file === '1001.jpg')!;
    expect(e.mae).toBeCloseTo(mae(map, densityMap(im.observers.flat(), 800, 600, { sigma: 24, outOfBounds: 'drop' })), 12);
    const sel = topPercentMask(map, 2.5);
    expect(e.threshold).toBe(sel.threshold);
    expect(await readMask(e.mask!)).toEqual(sel.mask);
  });

  it('erased pixels equal the fill, every other byte equals the decoded original', async () => {
    const e = JSON.parse(readFileSync(join(erased, 'manifest.json'), 'utf8')).images[0] as Entry;
    const orig = await decoded(join(osie, 'stimuli/1001.jpg'));
    const out = await rawRgb(e.output!);
    const mask = await readMask(e.mask!);
    expect(count(mask)).toBe(e.erasedPixels);
    let wrong = 0;
    for (let i = 0; i < mask.length; i++) {
      for (let c = 0; c < 3; c++) {
        const want = mask[i] ? 0 : orig.data[i * 3 + c];
        if (out.data[i * 3 + c] !== want) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it('inpaints with OpenCV\'s Telea inside the mask and leaves the rest byte-identical', async () => {
    const out = join(work, 'inpaint');
    const r = await cli(join(osie, 'stimuli/1001.jpg'), '--model', 'yolox-nano', '--mode', 'inpaint', '--inpaint-radius', '5', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ mode: 'inpaint', fill: null, inpainter: 'opencv-telea(radius=5)' });
    const e = m.images[0] as Entry;
    expect(e.output).toBe(join(out, '1001.inpaint.png'));
    const orig = await decoded(join(osie, 'stimuli/1001.jpg'));
    const got = await rawRgb(e.output!);
    const mask = await readMask(e.mask!);
    // OpenCV's whole output, unpasted: it changes nothing outside the mask dilated by the radius
    const opencv = await teleaRaw(orig, mask, 5);
    const near = dilateMask(mask, 800, 600, 5);
    let outsideNear = 0;
    let outsideMask = 0;
    let insideChanged = 0;
    let insideNotOpenCv = 0;
    for (let i = 0; i < mask.length; i++) {
      for (let c = 0; c < 3; c++) {
        const k = i * 3 + c;
        if (!near[i] && opencv.data[k] !== orig.data[k]) outsideNear++;
        if (mask[i]) {
          if (got.data[k] !== orig.data[k]) insideChanged++;
          if (got.data[k] !== opencv.data[k]) insideNotOpenCv++;
        } else if (got.data[k] !== orig.data[k]) {
          outsideMask++;
        }
      }
    }
    expect(outsideNear).toBe(0);
    expect(outsideMask).toBe(0);
    expect(insideNotOpenCv).toBe(0);
    expect(insideChanged).toBeGreaterThan(mask.length * 0.025); // most of the 12000 × 3 values change
    // Telea never reads the masked pixels: inpainting the original = inpainting the erased image (the
    // study inpaints the erased one), so nothing of the erased content leaks into the fill
    const fromErased = await teleaRaw(eraseImage(orig, mask, 'black'), mask, 5);
    expect(Buffer.compare(Buffer.from(fromErased.data), Buffer.from(opencv.data))).toBe(0);
  });

  it('--reference predicted, --iou-threshold and --json; a classifier\'s table', async () => {
    const out = join(work, 'classifier');
    const r = await cli(join(osie, 'stimuli/1001.jpg'), '--model', 'squeezenet1.0', '--reference', 'predicted', '--iou-threshold', '1', '--fill', 'mean', '--json', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const m = JSON.parse(lines[0]);
    expect(m).toMatchObject({ task: 'classification', method: 'gradcam', reference: 'predicted', fixations: null, gate: { kind: 'iou', threshold: 1 }, fill: 'mean', labelScore: null });
    const e = m.images[0] as Entry;
    expect(e).toMatchObject({ reference: 'predicted', changed: true });
    expect(e.explained).toMatch(/^class \d+ /);
    expect(m.accuracy[1]).toHaveProperty('top5After');
    const px = await rawRgb(e.output!);
    const mask = await readMask(e.mask!);
    const i = mask.indexOf(1);
    expect([...px.data.subarray(i * 3, i * 3 + 3)]).toEqual([124, 116, 104]);
  });

  it('bad inputs: clear message, the CLI\'s exit code, nothing written', async () => {
    const img = join(osie, 'stimuli/1001.jpg');
    const cases: [string[], number, RegExp][] = [
      [[img, '--model', 'no-such-model'], 4, /unknown model 'no-such-model'/],
      [[img, '--model', 'yolox-nano', '--top', '0'], 2, /--top must be a percentage in \(0, 100\], not '0'/],
      [[img, '--model', 'yolox-nano', '--top', '150'], 2, /--top must be a percentage/],
      [[img, '--model', 'yolox-nano', '--top', 'lots'], 2, /--top must be a percentage/],
      [[img, '--model', 'yolox-nano', '--mode', 'blur'], 2, /--mode must be erase or inpaint/],
      [[img, '--model', 'yolox-nano', '--reference', 'deepgaze'], 2, /--reference must be human or predicted/],
      [[img, '--model', 'yolox-nano', '--mae-threshold', '0.1', '--iou-threshold', '0.1'], 2, /not both/],
      [[img, '--model', 'yolox-nano', '--method', 'scorecam'], 2, /not offered for detectors/],
      [[img, '--model', 'squeezenet1.0', '--layer', 'no/such/layer'], 2, /--layer: /],
      [[img, '--model', 'yolox-nano', '--layer', 'no_such_layer'], 2, /--layer: /],
      [[img, '-o', 'x'], 2, /needs --model/],
    ];
    for (const [args, code, message] of cases) {
      const out = join(work, `bad-${code}-${Math.random().toString(36).slice(2)}`);
      const r = await cli(...args, ...(args.includes('-o') ? [] : ['-o', out]));
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(existsSync(out), `${args.join(' ')} wrote ${out}`).toBe(false);
    }
    const noOut = await cli(img, '--model', 'yolox-nano');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/needs -o DIR/);
    // a models folder without the files: the manifest's detector is missing → exit 4, no folder
    const models = join(work, 'models-empty');
    mkdirSync(models);
    copyFileSync(resolve(root, 'models/manifest.json'), join(models, 'manifest.json'));
    const missing = join(work, 'missing-out');
    const r4 = await cli(img, '--model', 'yolox-nano', '--models-dir', models, '-o', missing);
    expect(r4.code).toBe(4);
    expect(r4.stderr).toMatch(/missing/);
    expect(existsSync(missing)).toBe(false);
    // -o through a file → exit 5
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const r5 = await cli(img, '--model', 'yolox-nano', '-o', join(file, 'out'));
    expect(r5.code).toBe(5);
    expect(r5.stderr).toMatch(/cannot write .*a-file/);
  });

  it('an unreadable image fails alone (exit 3): the others run and the manifest lists it', async () => {
    const dir = join(work, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broken.jpg'), 'not a jpeg');
    copyFileSync(join(osie, 'stimuli/1001.jpg'), join(dir, '1001.jpg'));
    const out = join(work, 'mixed-out');
    const r = await cli(dir, '--model', 'yolox-nano', '-o', out);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: .*broken\.jpg/m);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.summary).toMatchObject({ images: 2, failed: 1, changed: 1 });
    expect(m.images[1]).toMatchObject({ input: join(dir, 'broken.jpg'), error: { code: expect.any(String), message: expect.stringMatching(/broken\.jpg/) } });
    expect(readdirSync(out).sort()).toEqual(['1001.erase.png', '1001.mask.png', 'manifest.json']);
  });
});
