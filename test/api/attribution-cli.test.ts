// `explain --method saliency,integratedgradients,…` end to end through the built bin: the JSON shape of
// pixel maps (raw = the signed [C, H, W] attribution, IG's convergence delta), the same numbers as the
// engine in-process, overlays in both views, the flags and their usage errors, the methods listing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Explainer } from '../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../packages/core/src/model/labels.js';
import type { ModelSpec } from '../../packages/core/src/model/spec.js';
import { closeness, ort, randn, rng } from '../helpers/ort.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(resolve(cache, 'squeezenet1.0')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!ready)('explain with pixel attributions', () => {
  const work = mkdtempSync(join(tmpdir(), 'se-attr-'));
  const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
  const spec = findModel(manifest, 'squeezenet1.0') as ModelSpec;
  let engine: Explainer;
  beforeAll(async () => {
    engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8')));
  });
  afterAll(() => engine.release());

  it('--json: raw is the signed [C, H, W] attribution, equal to the engine in-process; IG has its convergence delta', async () => {
    const x = randn(3 * 224 * 224, rng(31), 1);
    const file = join(work, 'x.bin');
    writeFileSync(file, Buffer.from(x.buffer));
    const r = await cli('explain', file, '--input-tensor', '--json', '--no-overlays', '--method', 'saliency,integratedgradients,gradcam',
      '--steps', '4', '--integration', 'riemann_trapezoid', '--class', '7');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const [sal, ig, cam] = report.maps;
    expect([sal.method, ig.method, cam.method]).toEqual(['saliency', 'integratedgradients', 'gradcam']);
    for (const m of [sal, ig]) {
      expect([m.raw.channels, m.raw.height, m.raw.width, m.raw.values.length]).toEqual([3, 224, 224, 3 * 224 * 224]);
      expect([m.map.width, m.map.height, m.map.values.length]).toEqual([224, 224, 224 * 224]);
    }
    expect(typeof ig.convergenceDelta).toBe('number');
    expect(sal.convergenceDelta).toBeUndefined();
    // the CAMs keep their layer-sized raw map
    expect([cam.raw.width, cam.raw.height, cam.raw.channels]).toEqual([13, 13, undefined]);
    const ref = await engine.explain(x, { methods: ['saliency', 'integratedgradients'], classes: [7], attribution: { steps: 4, integration: 'riemann_trapezoid' } });
    for (const [k, m] of [sal, ig].entries()) {
      const want = ref.maps[k].attribution!.values;
      let top = 0;
      for (const v of want) top = Math.max(top, Math.abs(v));
      expect(closeness(m.raw.values, want, 1e-6 * top, 1e-6)).toBeLessThanOrEqual(1);
    }
    expect(ig.convergenceDelta).toBeCloseTo(ref.maps[1].convergenceDelta!, 6);
    expect(sal.raw.values.every((v: number) => v >= 0)).toBe(true);
  }, 120_000);

  it('overlays: heat (inferno) by default, gradient × image with --pixel-view masked', async () => {
    const photo = join(images, 'dog.jpg');
    const heat = await cli('explain', photo, '--method', 'guidedbackprop', '--out', join(work, 'heat'), '--no-progress');
    const masked = await cli('explain', photo, '--method', 'guidedbackprop', '--pixel-view', 'masked', '--out', join(work, 'masked'), '--no-progress');
    expect([heat.code, masked.code]).toEqual([0, 0]);
    const file = 'dog.guidedbackprop.207-golden-retriever.png';
    const a = await sharp(join(work, 'heat', file)).raw().toBuffer({ resolveWithObject: true });
    const b = await sharp(join(work, 'masked', file)).raw().toBuffer({ resolveWithObject: true });
    // on the photo at its own size (dog.jpg is 1080 × 1080; --frame model would give the model's 224 × 224)
    expect([a.info.width, a.info.height, b.info.width, b.info.height]).toEqual([1080, 1080, 1080, 1080]);
    const mean = (buf: Buffer) => buf.reduce((s, v) => s + v, 0) / buf.length;
    // masked: the photo only where the attribution is (most pixels near black); heat: the photo half-blended
    expect(mean(b.data)).toBeLessThan(0.5 * mean(a.data));
    const dark = (buf: Buffer) => {
      let n = 0;
      for (let i = 0; i < buf.length; i += 3) if (buf[i] + buf[i + 1] + buf[i + 2] < 30) n++;
      return n / (buf.length / 3);
    };
    expect(dark(b.data)).toBeGreaterThan(0.5);
    expect(dark(a.data)).toBeLessThan(0.1);
  }, 120_000);

  it('bad pixel flags are usage errors (exit 2) before any model runs', async () => {
    const x = join(images, 'cat.jpg');
    for (const flags of [['--steps', '0'], ['--integration', 'simpson'], ['--samples', '-3'], ['--noise', 'x'], ['--pixel-view', 'both'],
      ['--steps', '1', '--integration', 'riemann_trapezoid']]) {
      const r = await cli('explain', x, '--method', 'integratedgradients', ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: .*(--|Option)/);
    }
  });

  it('methods lists the seven pixel methods with their kind and cost class', async () => {
    const r = await cli('methods');
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    const pixel = rows.filter((c) => c[4] === 'attribution');
    expect(pixel.map((c) => c[0])).toEqual(['saliency', 'inputxgradient', 'integratedgradients', 'smoothgrad', 'guidedbackprop', 'deconvolution', 'guidedgradcam']);
    expect(pixel.every((c) => c[3] === 'gradient-input')).toBe(true);
  });
});
