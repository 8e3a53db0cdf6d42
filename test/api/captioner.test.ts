// The free-text captioner loader (api/src/models/captioner.ts) on a tiny random-weight model in the
// Optimum VisionEncoderDecoder layout that the test writes (test/helpers/tiny-captioner.ts): the text
// it generates is the greedy decode computed here in float64 from the same weights, token by token;
// a crop of another size goes through the processor's resize; a bad folder is a typed error.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptionerError, checkCaptionerDir, loadCaptioner, type LoadedCaptioner } from '../../packages/api/src/models/captioner.js';
import { greedy, pixelValues, TINY_VOCAB, TINY_WORDS, writeTinyCaptioner, type TinyCaptioner } from '../helpers/tiny-captioner.js';

/** The text a greedy decode's ids make: special tokens dropped, words joined by spaces (WordLevel, no decoder). */
const words = (ids: number[]) => ids.filter((i) => i > 2).map((i) => TINY_VOCAB[i]).join(' ');

describe('loadCaptioner (transformers.js on a tiny VisionEncoderDecoder export)', () => {
  let parent: string;
  let tiny: TinyCaptioner;
  let captioner: LoadedCaptioner;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'se-captioner-'));
    tiny = writeTinyCaptioner(parent);
    captioner = await loadCaptioner(tiny.dir, { maxNewTokens: tiny.maxNewTokens });
  });
  afterAll(async () => {
    await captioner?.release();
    rmSync(parent, { recursive: true, force: true });
  });

  it('is named by its folder', () => {
    expect(captioner.model).toBe('tiny-captioner');
    expect(captioner.dir).toBe(tiny.dir);
  });

  it('generates the greedy decode of the weights, step by step through the key/value cache', async () => {
    let a = 17;
    const byte = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) >>> 24;
    let ended = 0;
    let long = 0;
    for (let k = 0; k < 8; k++) {
      const rgb = Uint8Array.from({ length: tiny.size * tiny.size * 3 }, byte);
      const want = greedy(tiny, pixelValues(tiny, rgb));
      // float32 in ONNX Runtime against float64 here: no step may be closer than this to a tie
      expect(want.minGap).toBeGreaterThan(1e-3);
      const text = await captioner.describe({ data: rgb, width: tiny.size, height: tiny.size, channels: 3 });
      expect(text).toBe(words(want.ids));
      if (want.ids.at(-1) === 2) ended++;
      if (want.ids.length >= 3) long++;
    }
    // the cases cover decodes that stop at the end token and decodes of several steps
    expect(ended).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(0);
  });

  it('describes a crop of any size and RGBA pixels (the processor resizes; the alpha is dropped)', async () => {
    const w = 21;
    const h = 13;
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
    const text = await captioner.describe({ data: rgba, width: w, height: h, channels: 4 });
    for (const word of text.split(' ').filter(Boolean)) expect(TINY_WORDS).toContain(word);
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
    expect(await captioner.describe({ data: rgb, width: w, height: h, channels: 3 })).toBe(text);
  });

  it('refuses a missing folder, missing files and a broken model with typed errors', async () => {
    const code = async (f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        expect(e).toBeInstanceOf(CaptionerError);
        return (e as CaptionerError).code;
      }
      return 'no error';
    };
    expect(await code(() => checkCaptionerDir(join(parent, 'nowhere')))).toBe('CAPTIONER_NOT_FOUND');
    const partial = writeTinyCaptioner(parent, 'partial');
    unlinkSync(join(partial.dir, 'onnx', 'decoder_model_merged.onnx'));
    expect(await code(() => loadCaptioner(partial.dir))).toBe('CAPTIONER_FILES_MISSING');
    const broken = writeTinyCaptioner(parent, 'broken');
    writeFileSync(join(broken.dir, 'onnx', 'encoder_model.onnx'), 'not an onnx model');
    expect(await code(() => loadCaptioner(broken.dir))).toBe('BAD_CAPTIONER');
    expect(await code(() => loadCaptioner(tiny.dir, { maxNewTokens: 0 }))).toBe('BAD_CAPTIONER');
  });
});
