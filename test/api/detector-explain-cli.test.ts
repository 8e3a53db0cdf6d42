// `explain --model yolox-nano` end to end through the built bin: the printed boxes, the overlays
// (boxes and labels drawn), one EigenCAM map per image, `--box N` gradient maps equal to core's
// DetectorExplainer in-process (map files = 16-bit PNGs of the same maps), JSON Lines, usage errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { DetectorExplainer } from '../../packages/core/src/detect-explain/explainer.js';
import { findDetector, parseManifest } from '../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../packages/core/src/model/labels.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { ort } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(resolve(cache, 'yolox-nano/model.onnx')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function png16(path: string): Promise<Float32Array> {
  const { data, info } = await sharp(path).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  const v = new Uint16Array(data.buffer, data.byteOffset, info.width * info.height);
  return Float32Array.from(v, (s) => s / 65535);
}

describe.skipIf(!ready)('explain on a detector', () => {
  const work = mkdtempSync(join(tmpdir(), 'se-det-'));
  const spec = findDetector(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'yolox-nano');
  let ex: DetectorExplainer;
  beforeAll(async () => {
    ex = await DetectorExplainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8')));
  });
  afterAll(() => ex?.release());

  it('prints the boxes, writes the detections, the EigenCAM map and box 0\'s maps (equal to core\'s)', async () => {
    const out = join(work, 'a');
    const r = await cli('explain', resolve(images, 'both.png'), '--model', 'yolox-nano', '--box', '0', '--method', 'gradcam,layercam', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/both\.png: 2 objects$/);
    expect(lines[1]).toMatch(/^ {2}#0 dog 0\.897 \[77\.\d, 12\.\d, 165\.\d, 148\.\d\]$/);
    expect(lines[2]).toMatch(/^ {2}#1 cat 0\.724 \[49\.\d, 125\.\d, 186\.\d, 219\.\d\]$/);
    for (const f of ['both.detections.png', 'both.eigencam.png', 'both.gradcam.box0-dog.png', 'both.layercam.box0-dog.png']) {
      expect(r.stdout).toContain(join(out, f));
      const meta = await sharp(join(out, f)).metadata();
      expect([meta.width, meta.height]).toEqual([224, 224]);
    }
    // the detections overlay is the photo with the boxes drawn: pixels on the dog box's left edge changed, far from boxes not
    const photo = (await decodeImage(readFileSync(resolve(images, 'both.png')), 1e8)).image;
    const drawn = await sharp(join(out, 'both.detections.png')).removeAlpha().raw().toBuffer();
    const px = (buf: Uint8Array, x: number, y: number) => Array.from(buf.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3));
    expect(px(drawn, 78, 80)).not.toEqual(px(photo.data, 78, 80));
    expect(px(drawn, 10, 10)).toEqual(px(photo.data, 10, 10));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.model).toBe('yolox-nano');
    expect(report.layers).toEqual(['1028', '1070', '1112']);
    const inp = report.inputs[0];
    expect(inp.detections.map((d: { label: string }) => d.label)).toEqual(['dog', 'cat']);
    expect(inp.maps.map((m: { method: string; box?: number }) => [m.method, m.box])).toEqual([['eigencam', undefined], ['gradcam', 0], ['layercam', 0]]);
    // the same maps as the engine in-process, through the 16-bit PNG (≤ 1/131070 + float rounding)
    const run = await ex.run(photo);
    const eigen = await ex.eigenCam(run);
    const [grad] = await ex.explainBoxes(run, [run.detections[0]], { method: 'gradcam' });
    expect(inp.maps[1].score).toBeCloseTo(run.detections[0].score, 6);
    for (const [file, map] of [[inp.maps[0].map, eigen.map], [inp.maps[1].map, grad.map]] as const) {
      const got = await png16(file);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - map.values[i]));
      expect(worst).toBeLessThanOrEqual(1 / 131070 + 1e-6);
    }
  });

  it('--box all --json: one JSON line per image with every box explained', async () => {
    const r = await cli('explain', resolve(images, 'horses.jpg'), resolve(images, 'coffee.png'), '--model', 'yolox-nano', '--box', 'all', '--json', '--no-overlays', '-o', join(work, 'b'));
    expect(r.code).toBe(0);
    const [horses, coffee] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(horses.detections.filter((d: { label: string }) => d.label === 'horse')).toHaveLength(2);
    expect(coffee.detections.some((d: { label: string }) => d.label === 'cup')).toBe(true);
    expect(horses.maps.map((m: { method: string; box?: number }) => [m.method, m.box])).toEqual([['eigencam', undefined], ...horses.detections.map((d: { index: number }) => ['gradcam', d.index])]);
  });

  it('usage errors: --box with a classifier, a box that was not found, a perturbation method, a tensor input', async () => {
    const img = resolve(images, 'both.png');
    const a = await cli('explain', img, '--model', 'squeezenet1.0', '--box', '0', '-o', join(work, 'c'));
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--box .*detector/);
    const b = await cli('explain', img, '--model', 'yolox-nano', '--box', '5', '-o', join(work, 'c'));
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/--box 5, but the detector found 2 boxes/);
    const c = await cli('explain', img, '--model', 'yolox-nano', '--method', 'scorecam', '-o', join(work, 'c'));
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/scorecam.*not offered for detectors/);
    const d = await cli('explain', img, '--model', 'yolox-nano', '--box', 'x', '-o', join(work, 'c'));
    expect(d.code).toBe(2);
    const e = await cli('explain', img, '--model', 'yolox-nano', '--layer', 'nope', '-o', join(work, 'c'));
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/nope/);
  });
});
