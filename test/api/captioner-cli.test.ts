// `explain --caption --captioner DIR` end to end (the built bin, SqueezeNet and YOLOX-Nano on
// both.png, the tiny random-weight captioner of test/helpers/tiny-captioner.ts): each map's caption
// gains `captioner: { model, text }` and one quoted sentence after the facts, whose numbers stay the
// facts'; the facts are those of a run without it; --captioner without --caption is a usage error
// (exit 2), a folder that is missing or incomplete a model error (exit 4).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CaptionerPhrase, CaptionFact } from '../../packages/core/src/caption/facts.js';
import { numbersIn, renderings } from '../core/caption/numbers.js';
import { TINY_WORDS, writeTinyCaptioner } from '../helpers/tiny-captioner.js';

const root = resolve(__dirname, '../..');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const images = resolve(root, '../shared/data/images');
const ready = existsSync(resolve(root, 'packages/api/dist/models/captioner.js')) && existsSync(resolve(root, 'models/cache/squeezenet1.0'))
  && existsSync(resolve(root, 'models/cache/yolox-nano/model.onnx')) && existsSync(images);

interface Run { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface MapCaption { text: string; facts: CaptionFact[]; captioner?: CaptionerPhrase }

describe.skipIf(!ready)('explain --caption --captioner', () => {
  let work: string;
  let dir: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'se-captioner-cli-'));
    dir = writeTinyCaptioner(work).dir;
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('quotes the captioner apart from the measured facts', async () => {
    const args = ['explain', join(images, 'both.png'), '--class', '243,282', '--caption', '--json', '--no-overlays'];
    const [plain, withCaptioner] = await Promise.all([cli(...args), cli(...args, '--captioner', dir)]);
    expect(withCaptioner.stderr).toBe('');
    expect(withCaptioner.code).toBe(0);
    const maps = (r: Run): MapCaption[] => JSON.parse(r.stdout.trim()).maps.map((m: { caption: MapCaption }) => m.caption);
    const without = maps(plain);
    const captions = maps(withCaptioner);
    expect(captions).toHaveLength(2);
    captions.forEach((c, i) => {
      expect(c.facts).toEqual(without[i].facts);
      expect(without[i].captioner).toBeUndefined();
      expect(c.captioner?.model).toBe('tiny-captioner');
      const said = c.captioner!.text;
      for (const w of said.split(' ').filter(Boolean)) expect(TINY_WORDS).toContain(w);
      const quoted = said ? ` A captioner describes the region as "${said}".` : '';
      expect(c.text).toBe(without[i].text + quoted);
      const allowed = renderings(c.facts);
      for (const n of numbersIn(without[i].text)) expect(allowed).toContain(n);
    });
  });

  it('refuses --captioner without --caption (exit 2) and a bad folder (exit 4)', async () => {
    const alone = await cli('explain', join(images, 'both.png'), '--captioner', dir, '--json');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/use it with --caption/);
    const missing = await cli('explain', join(images, 'both.png'), '--caption', '--captioner', join(work, 'nowhere'), '--json', '--no-overlays');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/does not exist/);
    const empty = mkdtempSync(join(work, 'empty-'));
    const incomplete = await cli('explain', join(images, 'both.png'), '--caption', '--captioner', empty, '--json', '--no-overlays');
    expect(incomplete.code).toBe(4);
    expect(incomplete.stderr).toMatch(/lacks config\.json/);
  });
});
