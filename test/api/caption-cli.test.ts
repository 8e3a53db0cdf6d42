// `saliency-explainer explain --caption` end to end (the built bin, SqueezeNet and YOLOX-Nano on
// both.png): per map `caption: { text, facts }` in --json and report.json, the text printed, every
// number of the text one of the facts'; usage and model errors typed.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CaptionFact } from '../../packages/core/src/caption/facts.js';
import { numbersIn, renderings } from '../core/caption/numbers.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const ready = existsSync(resolve(root, 'packages/api/dist/cli/captions.js')) && existsSync(resolve(root, 'models/cache/squeezenet1.0'))
  && existsSync(resolve(root, 'models/cache/yolox-nano/model.onnx')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface JsonMapReport { classIndex: number; label: string; caption: { text: string; facts: CaptionFact[] } }

describe.skipIf(!ready)('explain --caption', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'se-caption-'));
  });

  it('--json gives each map caption { text, facts } in the documented shape', async () => {
    const r = await cli('explain', join(images, 'both.png'), '--class', '243,282', '--caption', '--json', '--no-overlays');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const maps: JsonMapReport[] = JSON.parse(lines[0]).maps;
    expect(maps.map((m) => m.classIndex)).toEqual([243, 282]);
    for (const m of maps) {
      const { text, facts } = m.caption;
      const kinds = facts.map((f) => f.kind);
      expect(kinds.slice(0, 2)).toEqual(['prediction', 'where']);
      for (const k of ['object', 'crop', 'deletion', 'control', 'contrast']) expect(kinds).toContain(k);
      for (const f of facts) {
        if (f.kind === 'object') {
          expect(typeof f.label).toBe('string');
          expect(f.score).toBeGreaterThan(0);
          expect(f.box).toHaveLength(4);
          expect(f.box[2]).toBeGreaterThan(f.box[0]);
          expect(f.box[3]).toBeLessThanOrEqual(224); // both.png is 224×224: image pixels
          expect(f.mass).toBeGreaterThanOrEqual(0);
          expect(f.mass).toBeLessThanOrEqual(1);
        }
        if (f.kind === 'deletion' || f.kind === 'control') {
          expect(f.fraction).toBe(0.2);
          for (const v of [f.before, f.after]) expect(v >= 0 && v <= 1).toBe(true);
        }
      }
      const allowed = renderings(facts);
      for (const n of numbersIn(text)) expect(allowed, `${n} in: ${text}`).toContain(n);
    }
    expect(maps[0].caption.text).toMatch(/^The model sees a bull mastiff \(62 %\)\. Its evidence lies on the dog\b/);
    const dog = maps[0].caption.facts.find((f) => f.kind === 'object' && f.label === 'dog')!;
    expect(maps[0].caption.text).toContain(`${Math.round(100 * (dog as { mass: number }).mass)} % of the map is inside the dog's box`);
    expect(maps[1].caption.text).toMatch(/the cat's box holds the largest share|lies on the cat/);
  });

  it('prints the captions and writes them into report.json', async () => {
    const out = join(work, 'text');
    const r = await cli('explain', join(images, 'coffee.png'), '--caption', '--no-overlays', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {2}gradcam 967 \(espresso\): The model sees an espresso \(\d+ %\)\. Its evidence lies on the cup\b/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const { caption } = report.inputs[0].maps[0];
    expect(r.stdout).toContain(caption.text);
    expect(caption.facts.find((f: CaptionFact) => f.kind === 'object' && f.main).label).toBe('cup');
  });

  it('refuses --caption with tensor inputs (usage, exit 2) and without a detector (model, exit 4)', async () => {
    const bin32 = join(work, 'x.bin');
    writeFileSync(bin32, Buffer.alloc(4 * 3 * 224 * 224));
    const tensor = await cli('explain', bin32, '--input-tensor', '--caption', '--json');
    expect(tensor.code).toBe(2);
    expect(tensor.stderr).toMatch(/--caption needs images/);
    const dir = mkdtempSync(join(tmpdir(), 'se-caption-models-'));
    const manifest = JSON.parse(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    delete manifest.detectors;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    symlinkSync(resolve(root, 'models/cache'), join(dir, 'cache'));
    const none = await cli('explain', join(images, 'both.png'), '--caption', '--json', '--models-dir', dir);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/lists none/);
    expect(none.stdout).toBe('');
  });
});
