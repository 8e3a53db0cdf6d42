// Issue 18 (3, 4): explain's overlays on the photo as given (a 284×177 photo gives 284×177; the
// model's square only with --frame model), report.json referencing compact map files instead of
// holding floats, and `score` reading the 16-bit map exactly while refusing a colour overlay.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { findModel, parseManifest } from '../../packages/core/src/model/manifest.js';
import { mapToImage } from '../../packages/core/src/image/map-to-image.js';
import { alignmentReference } from '../../packages/core/src/metrics/reference.js';
import { scoreAll } from '../../packages/core/src/metrics/registry.js';
import { readNpyMap } from '../../packages/api/src/cli/map-files.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const photo = resolve(root, '../shared/data/images/dog_cat.jfif'); // 284 × 177
const ready = existsSync(resolve(root, 'packages/api/dist/cli/main.js')) && existsSync(resolve(root, 'models/cache/squeezenet1.0')) && existsSync(photo);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!ready)('explain geometry, map files and score round trip', () => {
  const spec = findModel(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'squeezenet1.0');
  let work: string;
  let out: string;
  let line: {
    maps: { method: string; overlay: string; mapFile: string; rawFile: string; map: { width: number; height: number; values: number[] }; raw: { width: number; height: number; channels?: number; values: number[] } }[];
  };
  let report: {
    inputs: { image: { width: number; height: number }; maps: { overlay: string; map: { file: string; format: string; width: number; height: number; frame: string }; raw: { file: string; format: string; dtype: string; shape: number[] } }[] }[];
  };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'se-geom-'));
    out = join(work, 'out');
    // --json and files at once: the stdout line keeps the floats, report.json references the files
    const r = await cli('explain', photo, '--method', 'gradcam,saliency', '--class', '243', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    line = JSON.parse(r.stdout);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  }, 120_000);

  it('writes overlays at the photo\'s own size and aspect (284×177), the model\'s square only with --frame model', async () => {
    for (const m of line.maps) {
      const meta = await sharp(m.overlay).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([284, 177, 3]);
    }
    const sq = await cli('explain', photo, '--method', 'gradcam', '--class', '243', '--frame', 'model', '--out', join(work, 'square'));
    expect(sq.code, sq.stderr).toBe(0);
    const meta = await sharp(join(work, 'square', 'dog_cat.gradcam.243-bull-mastiff.png')).metadata();
    expect([meta.width, meta.height]).toEqual([224, 224]);
    const sqReport = JSON.parse(readFileSync(join(work, 'square', 'report.json'), 'utf8'));
    expect(sqReport.inputs[0].maps[0].map).toMatchObject({ width: 224, height: 224, frame: 'model' });
    const bad = await cli('explain', photo, '--frame', 'square');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--frame must be 'image' or 'model'/);
  }, 120_000);

  it('report.json holds no floats of maps: each map is a 16-bit grey PNG and its raw map a float32 .npy', async () => {
    const text = readFileSync(join(out, 'report.json'), 'utf8');
    expect(text).not.toMatch(/"values"/);
    expect(text.length).toBeLessThan(4000);
    const input = report.inputs[0];
    expect(input.image).toEqual({ width: 284, height: 177 });
    for (const [k, m] of input.maps.entries()) {
      expect(m.map).toEqual({ file: join(out, 'maps', `dog_cat.${line.maps[k].method}.243-bull-mastiff.map.png`), format: 'png16', width: 284, height: 177, frame: 'image' });
      expect(m.map.file).toBe(line.maps[k].mapFile);
      const meta = await sharp(m.map.file).metadata();
      expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([284, 177, 1, 'ushort']);
      // the raw map, exactly the --json floats
      expect(m.raw.file).toBe(line.maps[k].rawFile);
      const raw = line.maps[k].raw;
      const shape = raw.channels ? [raw.channels, raw.height, raw.width] : [raw.height, raw.width];
      expect(m.raw).toMatchObject({ format: 'npy', dtype: 'float32', shape });
      const bytes = readFileSync(m.raw.file);
      expect(bytes.length).toBeLessThan(128 + 4 * raw.values.length + 1);
      const body = new Float32Array(bytes.buffer.slice(bytes.byteOffset + bytes.length - 4 * raw.values.length, bytes.byteOffset + bytes.length));
      expect(Array.from(body)).toEqual(raw.values.map(Math.fround));
      expect(statSync(m.map.file).size).toBeLessThan(284 * 177 * 2 + 1000);
    }
    // the CAM's .npy read as a map is its raw map
    expect(Array.from(readNpyMap(readFileSync(input.maps[0].raw.file)).values)).toEqual(line.maps[0].raw.values.map(Math.fround));
  });

  it('the 16-bit map PNG is the in-memory map on the photo to 1/131070; score of it gives the in-memory map\'s NSS (< 1e-3)', async () => {
    const points = { width: 284, height: 177, fixations: [{ x: 70, y: 90 }, { x: 95, y: 60 }, { x: 200, y: 100 }, { x: 230, y: 70 }, { x: 150, y: 150 }] };
    const pointsFile = join(work, 'points.json');
    writeFileSync(pointsFile, JSON.stringify(points));
    for (const [k, m] of line.maps.entries()) {
      const modelMap = { width: m.map.width, height: m.map.height, values: Float32Array.from(m.map.values) };
      const onPhoto = mapToImage(modelMap, spec.input, 284, 177);
      const { data } = await sharp(report.inputs[0].maps[k].map.file).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const samples = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
      expect(samples.length).toBe(284 * 177);
      let worst = 0;
      for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i] / 65535 - onPhoto.values[i]));
      expect(worst).toBeLessThanOrEqual(0.5 / 65535 + 1e-7);
      const want = scoreAll(onPhoto, alignmentReference(points.fixations, 284, 177, { sigma: 24 }), { metrics: ['nss', 'cc', 'auc-judd'] });
      const r = await cli('score', m.mapFile, '--fixations', pointsFile, '--metrics', 'nss,cc,auc-judd', '--json');
      expect(r.code, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout).metrics;
      expect(got.nss).not.toBeNull();
      expect(Math.abs(got.nss - want.find((s) => s.id === 'nss')!.value!)).toBeLessThan(1e-3);
      expect(Math.abs(got.cc - want.find((s) => s.id === 'cc')!.value!)).toBeLessThan(1e-3);
      expect(Math.abs(got['auc-judd'] - want.find((s) => s.id === 'auc-judd')!.value!)).toBeLessThan(1e-3);
    }
  }, 120_000);

  it('score refuses the colour overlay (exit 3, COLOUR_IMAGE) and names the map file to score instead', async () => {
    const pointsFile = join(work, 'points.json');
    const m = line.maps[0];
    const r = await cli('score', m.overlay, '--fixations', pointsFile, '--json');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is a colour image \(\d+\.\d % of its pixels have R, G and B apart\), most likely a colour-mapped overlay/);
    expect(r.stderr).toContain(`score the plain map explain wrote beside it instead: ${m.mapFile}`);
    // --luma reads it anyway (and gives another NSS than the map: the trap)
    const luma = await cli('score', m.overlay, '--fixations', pointsFile, '--metrics', 'nss', '--json', '--luma');
    const plain = await cli('score', m.mapFile, '--fixations', pointsFile, '--metrics', 'nss', '--json');
    expect([luma.code, plain.code]).toEqual([0, 0]);
    expect(Math.abs(JSON.parse(luma.stdout).metrics.nss - JSON.parse(plain.stdout).metrics.nss)).toBeGreaterThan(0.05);
  }, 60_000);
});
