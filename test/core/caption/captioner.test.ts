// The captioner slot of captionMap: a captioner (here a plain object) sees the crop fact's region of
// the image, its phrase comes back as `captioner: { model, text }` and as one quoted sentence after
// the facts' text; the facts are the same with or without it, and no crop means no phrase.
import { describe, it, expect } from 'vitest';
import { captionMap } from '../../../packages/core/src/caption/caption.js';
import type { Captioner } from '../../../packages/core/src/caption/captioner.js';
import { renderEnglish } from '../../../packages/core/src/caption/render-en.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';
import { numbersIn, renderings } from './numbers.js';
import { labels, S, spec, tinyLinear } from './tiny-linear.js';

const W = 40;
const H = 24;
const { image, input, logitsOf } = tinyLinear(5, W, H);
const score = async (batch: Float32Array, n: number) => {
  const out = new Float32Array(n * 3);
  for (let j = 0; j < n; j++) out.set(logitsOf(batch, j * 3 * S * S), j * 3);
  return out;
};
const subject = { image, spec, input, probabilities: Float32Array.of(0.2, 0.7, 0.1), labels };
const map = { width: S, height: S, values: Float32Array.from({ length: S * S }, (_, i) => Math.exp(-(((i % S) - 11) ** 2 + (Math.floor(i / S) - 4) ** 2) / 6)) };

/** A captioner that records what it was shown and describes it by its size and first pixel. */
function recorder(): Captioner & { seen: RgbImage[] } {
  const seen: RgbImage[] = [];
  return {
    model: 'my-captioner', seen,
    describe: async (img) => {
      seen.push(img);
      return `  a region of ${img.width} by ${img.height}\n whose first red is ${img.data[0]} `;
    },
  };
}

describe('captionMap with a captioner', () => {
  it('describes the crop fact\'s region and quotes the phrase apart from the facts', async () => {
    const plain = await captionMap(score, subject, { classIndex: 1, map });
    const c = recorder();
    const caption = await captionMap(score, subject, { classIndex: 1, map }, [], { captioner: c });
    expect(caption.facts).toEqual(plain.facts);
    const crop = caption.facts.find((f) => f.kind === 'crop');
    if (crop?.kind !== 'crop') throw new Error('no crop fact');
    const [x0, y0, x1, y1] = crop.box;
    expect(c.seen).toHaveLength(1);
    const seen = c.seen[0];
    expect([seen.width, seen.height, seen.channels]).toEqual([x1 - x0, y1 - y0, 3]);
    // the region's pixels, row by row
    for (let y = 0; y < seen.height; y++) for (let x = 0; x < seen.width; x++) for (let k = 0; k < 3; k++) {
      expect(seen.data[(y * seen.width + x) * 3 + k]).toBe(image.data[((y0 + y) * W + x0 + x) * 3 + k]);
    }
    const text = `a region of ${x1 - x0} by ${y1 - y0}\n whose first red is ${image.data[(y0 * W + x0) * 3]}`;
    expect(caption.captioner).toEqual({ model: 'my-captioner', text });
    // one sentence after the facts' own text, whitespace folded, quoted
    expect(caption.text).toBe(`${plain.text} A captioner describes the region as "${text.replace(/\s+/g, ' ')}".`);
    expect(caption.text).toBe(renderEnglish(caption.facts, caption.captioner));
    // the facts' numbers are all in the text before the quote
    const facts = renderings(caption.facts);
    for (const n of numbersIn(plain.text)) expect(facts).toContain(n);
  });

  it('asks nothing when the map has no strong region, and quotes nothing for an empty phrase', async () => {
    const c = recorder();
    const flat = await captionMap(score, subject, { classIndex: 1, map: { width: S, height: S, values: new Float32Array(S * S) } }, [], { captioner: c });
    expect(c.seen).toHaveLength(0);
    expect(flat.captioner).toBeUndefined();
    const silent: Captioner = { model: 'quiet', describe: async () => '   ' };
    const caption = await captionMap(score, subject, { classIndex: 1, map }, [], { captioner: silent });
    expect(caption.captioner).toEqual({ model: 'quiet', text: '' });
    expect(caption.text).toBe(renderEnglish(caption.facts));
  });
});
