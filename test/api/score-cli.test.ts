// `saliency-explainer score` end to end: the built bin on real OSIE fixations, JSON maps and images,
// checked against the library's scoreAll, and its typed errors / exit codes.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { parseOsie } from '../../packages/core/src/fixations/osie.js';
import { resampleMap } from '../../packages/core/src/fixations/resample.js';
import { alignmentReference } from '../../packages/core/src/metrics/reference.js';
import { scoreAll } from '../../packages/core/src/metrics/registry.js';
import type { FloatMap } from '../../packages/core/src/cam/types.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const osieFile = resolve(root, '../shared/data/osie/fixations.json');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/score-command.js')) && existsSync(osieFile);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A smooth off-centre blob plus a ramp: distinct values, not a centre bias. */
function blob(width: number, height: number): FloatMap {
  const v = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      v[y * width + x] = Math.exp(-0.5 * (((x - 0.4 * width) / (0.2 * width)) ** 2 + ((y - 0.45 * height) / (0.2 * height)) ** 2)) + (0.1 * x) / width;
    }
  }
  return { width, height, values: v };
}
const toJson = (m: FloatMap) => JSON.stringify({ width: m.width, height: m.height, values: Array.from(m.values) });

describe.skipIf(!ready)('saliency-explainer score', () => {
  let work: string;
  let points: { x: number; y: number }[];
  let others: { x: number; y: number }[];
  const f = (name: string) => join(work, name);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'se-score-'));
    const images = parseOsie(JSON.parse(readFileSync(osieFile, 'utf8')));
    points = images[0].observers.flat().map(({ x, y }) => ({ x, y }));
    others = images.slice(1, 11).flatMap((i) => i.observers.flat()).map(({ x, y }) => ({ x, y }));
    writeFileSync(f('points.json'), JSON.stringify(points));
    writeFileSync(f('points-sized.json'), JSON.stringify({ width: 800, height: 600, fixations: points }));
    writeFileSync(f('others.json'), JSON.stringify(others));
    writeFileSync(f('map-800.json'), toJson(blob(800, 600)));
    writeFileSync(f('map-80.json'), toJson(blob(80, 60)));
  });

  it('prints every metric as a table, with shuffled AUC given other images\' fixations', async () => {
    const r = await cli('score', f('map-800.json'), '--fixations', f('points-sized.json'), '--other-fixations', f('others.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`saliency   ${f('map-800.json')} (800×600)`);
    expect(lines[1]).toMatch(/141 fixations on 800×600, density sigma 24 px, 1383 fixations of other images$/);
    const names = lines.slice(2).map((l) => l.split(/\s{2,}/)[0]);
    expect(names).toEqual(['AUC-Judd', 'AUC-Borji', 'shuffled AUC', 'NSS', 'CC', 'SIM', 'KL', 'MAE', 'IoU top 10%']);
    for (const l of lines.slice(2)) expect(l).toMatch(/ -?\d+\.\d{4}  (higher|lower) is better$/);
  });

  it('--json prints one object whose scores equal the library\'s scoreAll', async () => {
    const r = await cli('score', f('map-800.json'), '--fixations', f('points.json'), '--size', '800x600',
      '--other-fixations', f('others.json'), '--json', '--seed', '3', '--top-p', '5');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(out)).toEqual(['saliency', 'reference', 'options', 'metrics', 'skipped']);
    expect(out.reference).toEqual({ path: f('points.json'), kind: 'fixations', width: 800, height: 600, fixations: 141, sigma: 24, otherFixations: 1383 });
    expect(out.skipped).toEqual({});
    const ref = alignmentReference(points, 800, 600, { sigma: 24, otherFixations: others });
    const expected = Object.fromEntries(scoreAll(blob(800, 600), ref, { seed: 3, topP: 5 }).map((s) => [s.id, s.value]));
    expect(out.metrics).toEqual(expected);
    expect(out.metrics['auc-judd']).toBeGreaterThan(0.5);
  });

  it('resamples a map of another size to the reference\'s size (bilinear)', async () => {
    const r = await cli('score', f('map-80.json'), '--fixations', f('points-sized.json'), '--json', '--metrics', 'cc,nss,kl', '--sigma', '30');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.saliency).toEqual({ path: f('map-80.json'), width: 80, height: 60, resampledTo: [800, 600] });
    const ref = alignmentReference(points, 800, 600, { sigma: 30 });
    const expected = scoreAll(resampleMap(blob(80, 60), 800, 600), ref, { metrics: ['cc', 'nss', 'kl'] });
    expect(out.metrics).toEqual(Object.fromEntries(expected.map((s) => [s.id, s.value])));
  });

  it('refuses a colour image (an overlay is not a map); with --luma reads it as Rec. 601 gray: an RGB PNG scores as the JSON map of its luma', async () => {
    // 40×30 RGB pixels with varied channels, and the same map as JSON: (299 R + 587 G + 114 B)/1000
    const w = 40;
    const h = 30;
    const rgb = Buffer.alloc(w * h * 3);
    const luma: number[] = [];
    for (let i = 0; i < w * h; i++) {
      const [r, g, b] = [(i * 7) % 256, (i * 13) % 256, (i * 29) % 256];
      rgb.set([r, g, b], i * 3);
      luma.push((299 * r + 587 * g + 114 * b) / 1000);
    }
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(f('rgb.png'));
    writeFileSync(f('luma.json'), JSON.stringify({ width: w, height: h, values: luma }));
    writeFileSync(f('small-points.json'), JSON.stringify({ width: w, height: h, fixations: [{ x: 3, y: 4 }, { x: 20.4, y: 11 }, { x: 39.4, y: 29 }] }));
    const refused = await cli('score', f('rgb.png'), '--fixations', f('small-points.json'), '--sigma', '2', '--json');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/rgb\.png is a colour image .* \(or --luma to read it as its luma anyway\)/);
    const a = await cli('score', f('rgb.png'), '--fixations', f('small-points.json'), '--sigma', '2', '--json', '--luma');
    const b = await cli('score', f('luma.json'), '--fixations', f('small-points.json'), '--sigma', '2', '--json');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(a.stdout).metrics).toEqual(JSON.parse(b.stdout).metrics);
  });

  it('keeps the 16 bits of a 16-bit PNG density map: it scores as its floats do, an 8-bit copy does not', async () => {
    // a density map of 15 OSIE observers as floats (JSON), as a 16-bit gray PNG and as an 8-bit one
    const d = alignmentReference(points, 800, 600, { sigma: 24, normalize: 'max' }).density;
    const max = d.values.reduce((a, b) => Math.max(a, b), 0);
    const u16 = new Uint16Array(d.values.length);
    const floats: number[] = [];
    d.values.forEach((v, i) => {
      u16[i] = Math.round((65535 * v) / max);
      floats.push(u16[i] / 257); // the same value on the 8-bit scale, as score reads it
    });
    // a Uint16Array is read by sharp as 16-bit samples
    await sharp(u16, { raw: { width: 800, height: 600, channels: 1 } }).toColourspace('grey16').png().toFile(f('density16.png'));
    expect((await sharp(f('density16.png')).metadata()).depth).toBe('ushort');
    await sharp(f('density16.png')).toColourspace('b-w').png().toFile(f('density8.png'));
    writeFileSync(f('density16.json'), JSON.stringify({ width: 800, height: 600, values: floats }));
    const score = async (ref: string) => {
      const r = await cli('score', f('map-800.json'), '--fixations', f(ref), '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).metrics as Record<string, number | null>;
    };
    const [png16, json, png8] = [await score('density16.png'), await score('density16.json'), await score('density8.png')];
    for (const m of ['cc', 'sim', 'kl', 'mae', 'iou']) expect(Math.abs(png16[m]! - json[m]!), m).toBeLessThan(1e-5);
    // 8 bits lose the density's tails: KL moves by far more than 16-bit rounding
    expect(Math.abs(png8.kl! - json.kl!)).toBeGreaterThan(1e-3);
  });

  it('takes a density-map image as the reference: map-to-map metrics only, the others skipped with reasons', async () => {
    // the reference: a grayscale PNG of the 15 observers' density map (max 255, as OSIE's recipe)
    const d = alignmentReference(points, 800, 600, { sigma: 24, normalize: 'max' }).density;
    await sharp(Buffer.from(Array.from(d.values, (v) => Math.round(255 * v))), { raw: { width: 800, height: 600, channels: 1 } }).png().toFile(f('density.png'));
    const r = await cli('score', f('map-80.json'), '--fixations', f('density.png'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reference).toEqual({ path: f('density.png'), kind: 'density', width: 800, height: 600 });
    expect(out.skipped).toEqual({
      'auc-judd': 'needs fixation points', 'auc-borji': 'needs fixation points', sauc: 'needs fixation points', nss: 'needs fixation points',
    });
    for (const id of ['cc', 'sim', 'kl', 'mae', 'iou']) expect(typeof out.metrics[id]).toBe('number');
    // the density image against itself scores perfectly
    const self = JSON.parse((await cli('score', f('density.png'), '--fixations', f('density.png'), '--json')).stdout);
    expect(self.metrics.cc).toBeCloseTo(1, 10);
    expect(self.metrics.sim).toBeCloseTo(1, 10);
    expect(self.metrics.iou).toBe(1);
    const table = await cli('score', f('map-80.json'), '--fixations', f('density.png'));
    expect(table.stdout).toMatch(/^NSS\s+—\s+skipped: needs fixation points \(--fixations gave a density map\)$/m);
  });

  it('answers usage errors with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [[f('map-800.json')], /needs --fixations/],
      [[f('map-800.json'), f('map-80.json'), '--fixations', f('points.json')], /one saliency map/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--metrics', 'auc'], /unknown metric 'auc'/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--top-p', '0'], /--top-p must be a percentage/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--sigma', '-1'], /--sigma/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--size', '800by600'], /--size must be WIDTHxHEIGHT/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--metrics', 'sauc'], /sauc needs --other-fixations/],
      [[f('map-800.json'), '--fixations', f('map-80.json'), '--metrics', 'nss'], /nss needs fixation points/],
      [[f('map-800.json'), '--fixations', f('map-80.json'), '--other-fixations', f('others.json')], /--other-fixations needs --fixations as points/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--bogus'], /Unknown option '--bogus'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli('score', ...args)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stdout).toBe('');
    });
  });

  it('answers bad inputs with exit 3 and a message naming the file', async () => {
    writeFileSync(f('broken.json'), '{"width": 2, "height": 2, "values": [1, 2, 3');
    writeFileSync(f('short.json'), JSON.stringify({ width: 2, height: 2, values: [1, 2, 3] }));
    writeFileSync(f('nan.json'), '{"width": 1, "height": 2, "values": [1, "x"]}');
    writeFileSync(f('bad-points.json'), JSON.stringify([{ x: 1 }]));
    writeFileSync(f('not-an-image.png'), 'hello, not a PNG');
    const cases: [string[], RegExp][] = [
      [[f('missing.json'), '--fixations', f('points.json')], /cannot read .*missing\.json: ENOENT/],
      [[f('broken.json'), '--fixations', f('points.json')], /broken\.json is not valid JSON/],
      [[f('short.json'), '--fixations', f('points.json')], /"values" must be an array of 2 × 2 = 4 numbers/],
      [[f('nan.json'), '--fixations', f('points.json')], /values\[1\] is not a finite number/],
      [[f('map-800.json'), '--fixations', f('bad-points.json')], /point 0 is not \{"x": number, "y": number\}/],
      // points recorded on 800×600, no --size: the 80×60 map's size is assumed and they fall outside
      [[f('map-80.json'), '--fixations', f('points.json')], /point 0 \(394\.5, 264\.7\) lies outside the 80×60 image \(the saliency map's size; give --size/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--size', '400x300'], /lies outside the 400×300 image \(--size/],
      [[f('not-an-image.png'), '--fixations', f('points.json')], /not-an-image\.png: not a readable image/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--max-image-bytes', '1000'], /has \d+ bytes; the limit is 1000/],
      [[f('map-800.json'), '--fixations', f('points.json'), '--max-image-pixels', '1000'], /more than the limit of 1000/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli('score', ...args)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(3);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stdout).toBe('');
    });
  });

  it('has help text, also in the command\'s overview', async () => {
    const h = await cli('score', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--other-fixations FILE/);
    expect(h.stdout).toMatch(/auc-judd, auc-borji, sauc, nss, cc, sim, kl, mae, iou/);
    const all = await cli('--help');
    expect(all.stdout).toMatch(/saliency-explainer score <map> --fixations FILE/);
  });
});
