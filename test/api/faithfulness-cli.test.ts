// `saliency-explainer faithfulness` and `explain --faithfulness` end to end on SqueezeNet with a real
// photo: the documented JSON shape, Grad-CAM more faithful than a random map (the RISE paper's
// property: lower deletion AUC, higher insertion AUC, more negative ROAD MoRF), a tensor + map file
// giving the image + method result, and typed exit codes.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { preprocess } from '../../packages/core/src/image/preprocess.js';
import { resizeBilinear } from '../../packages/core/src/cam/resize.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/faithfulness-command.js')) && existsSync(resolve(root, 'models/cache/squeezenet1.0')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const writeFloats = (file: string, values: ArrayLike<number>) => {
  writeFileSync(file, Buffer.from(Float32Array.from(values).buffer));
  return file;
};

/** mulberry32 uniform [0, 1) values */
function uniform(seed: number, n: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

describe.skipIf(!ready)('saliency-explainer faithfulness (SqueezeNet, both.png, class 243 bull mastiff)', () => {
  const photo = join(images, 'both.png');
  let work: string;
  let gradcam: Record<string, any>;
  let random: Record<string, any>;
  let tensorFile: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'se-faith-'));
    const spec = findModel(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'squeezenet1.0');
    const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    tensorFile = writeFloats(join(work, 'both.bin'), preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input));
    // a random map as smooth as a CAM: 13×13 uniform values (SqueezeNet's layer size) resized to 224².
    // (Independent per-pixel noise is no fair baseline: deleting 1,792 scattered pixels is a
    // salt-and-pepper attack that drops the class at once; its deletion AUC is ~0.001.)
    const randomMap = writeFloats(join(work, 'random.bin'), resizeBilinear(uniform(1, 13 * 13), 13, 13, 224, 224));
    const [a, b] = await Promise.all([
      cli('faithfulness', photo, '--method', 'gradcam', '--class', '243', '--json'),
      cli('faithfulness', '--input-tensor', tensorFile, '--map', randomMap, '--class', '243', '--json'),
    ]);
    expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    gradcam = JSON.parse(a.stdout);
    random = JSON.parse(b.stdout);
  }, 120_000);

  it('prints the documented object', () => {
    for (const r of [gradcam, random]) {
      expect(Object.keys(r)).toEqual(['deletion', 'insertion', 'road', 'camMult', 'averageDrop', 'increase']);
      for (const c of [r.deletion, r.insertion]) {
        expect(Object.keys(c)).toEqual(['auc', 'scores', 'logits']);
        expect(c.scores).toHaveLength(29);
        expect(c.logits).toHaveLength(29);
      }
      expect(Object.keys(r.road.morf)).toEqual(['20', '40', '60', '80']);
      expect(Object.keys(r.road.lerf)).toEqual(['20', '40', '60', '80']);
      expect(typeof r.road.combined).toBe('number');
      expect(Object.keys(r.camMult)).toEqual(['softmax', 'logit']);
      expect(r.averageDrop).toBeGreaterThanOrEqual(0);
      expect([0, 1]).toContain(r.increase);
    }
    // the curves start at the input's probability and end at the substrate's
    expect(gradcam.deletion.scores[0]).toBeCloseTo(random.deletion.scores[0], 5);
    expect(gradcam.deletion.scores[28]).toBeCloseTo(random.deletion.scores[28], 5);
    expect(gradcam.insertion.scores[28]).toBeCloseTo(gradcam.deletion.scores[0], 5);
    expect(gradcam.deletion.scores[0]).toBeGreaterThan(0.6); // bull mastiff 62 %
  });

  it('Grad-CAM is more faithful than a random map', () => {
    expect(gradcam.deletion.auc).toBeLessThan(random.deletion.auc - 0.02); // 0.015 vs 0.056
    expect(gradcam.insertion.auc).toBeGreaterThan(random.insertion.auc + 0.02); // 0.201 vs 0.126
    expect(gradcam.road.combined).toBeGreaterThan(random.road.combined);
  });

  it('a tensor and a map file give what the image and the method give', async () => {
    const ex = await cli('explain', photo, '--class', '243', '--method', 'gradcam', '--json', '--no-overlays', '--faithfulness');
    expect(ex.code).toBe(0);
    const m = JSON.parse(ex.stdout).maps[0];
    const mapFile = writeFloats(join(work, 'gradcam.bin'), m.map.values);
    const r = await cli('faithfulness', '--input-tensor', tensorFile, '--map', mapFile, '--class', '243', '--json');
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    // explain --faithfulness and faithfulness --method agree exactly (same input, map, seed)
    expect(m.faithfulness).toEqual(gradcam);
    expect(Math.abs(t.deletion.auc - gradcam.deletion.auc)).toBeLessThan(1e-4);
    expect(Math.abs(t.insertion.auc - gradcam.insertion.auc)).toBeLessThan(1e-4);
    expect(Math.abs(t.road.combined - gradcam.road.combined)).toBeLessThan(1e-3);
    expect(Math.abs(t.camMult.softmax - gradcam.camMult.softmax)).toBeLessThan(1e-4);
  }, 120_000);

  it('prints a readable summary without --json', async () => {
    const r = await cli('faithfulness', '--input-tensor', tensorFile, '--map', join(work, 'random.bin'), '--class', '243');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/class 243 \(bull mastiff\)/);
    expect(r.stdout).toMatch(/deletion {2}AUC 0\.\d{4}/);
    expect(r.stdout).toMatch(/ROAD combined -?0\.\d{4}/);
  }, 60_000);

  it('exits 2 on usage errors, 3 on bad inputs, 4 on an unknown model', async () => {
    writeFileSync(join(work, 'short.bin'), Buffer.alloc(40));
    const runs = await Promise.all([
      cli('faithfulness', photo, '--map', join(work, 'short.bin'), '--method', 'gradcam'),
      cli('faithfulness', photo, '--method', 'nope'),
      cli('faithfulness', '--input-tensor', tensorFile, '--map', join(work, 'short.bin'), '--json'),
      cli('faithfulness', '--input-tensor', join(work, 'short.bin'), '--method', 'gradcam'),
      cli('faithfulness', photo, '--class', '5000'),
      cli('faithfulness', photo, '--model', 'no-such-model'),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 3, 3, 3, 4]);
    expect(runs[2].stderr).toMatch(/a 224×224 float32 map needs 200704/);
    for (const r of runs) expect(r.stdout).toBe('');
  }, 60_000);
});

describe.skipIf(!ready)('saliency-explainer sanity-check (SqueezeNet, both.png)', () => {
  it('prints per-layer curves as JSON, writes the plot, and Grad-CAM changes once conv10 is random while EigenCAM cannot', async () => {
    const work = mkdtempSync(join(tmpdir(), 'se-sanity-'));
    const plot = join(work, 'sanity.png');
    const r = await cli('sanity-check', join(images, 'both.png'), '--method', 'gradcam,eigencam', '--layers', '2', '--class', '243', '--plot', plot, '--json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const o = JSON.parse(r.stdout);
    expect(o.model).toBe('squeezenet1.0');
    expect(o.classIndex).toBe(243);
    expect(o.layers).toEqual(['conv10_w_0', 'fire9/expand3x3_w_0']); // SqueezeNet's top Conv, then the last fire module's
    const [grad, eigen] = o.curves;
    expect([grad.method, eigen.method]).toEqual(['gradcam', 'eigencam']);
    // EigenCAM reads fire9/concat_2's activations only: randomising conv10 above it changes nothing
    expect(eigen.spearman[0]).toBeCloseTo(1, 9);
    expect(eigen.ssim[0]).toBeCloseTo(1, 9);
    expect(grad.spearman[0]).toBeLessThan(0.8);
    expect(eigen.spearman[1]).toBeLessThan(0.95);
    const meta = await sharp(plot).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1000, 520]);
    const bad = await cli('sanity-check', join(images, 'both.png'), '--layers', '0');
    expect(bad.code).toBe(2);
  }, 120_000);
});
