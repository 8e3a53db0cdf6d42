// Acceptance on real photos: SqueezeNet's Grad-CAM captions with YOLOX-Nano objects name the object
// the evidence is on (both.png: the dog for bull mastiff with the cat holding little, the cat for
// tiger cat; horses.jpg a horse; coffee.png the cup; dog.jpg the dog; kitten.jpg the cat). Masses are
// recomputed from the raw map and the box, deletion and crop from a second engine run, and every
// number in the text is a fact's.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { Explainer } from '../../../packages/core/src/engine.js';
import { Detector } from '../../../packages/core/src/detect/detector.js';
import { captionMap } from '../../../packages/core/src/caption/caption.js';
import type { Caption, CaptionFact } from '../../../packages/core/src/caption/facts.js';
import { findDetector, findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { preprocess } from '../../../packages/core/src/image/preprocess.js';
import { mapToImage } from '../../../packages/core/src/image/map-to-image.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { ort } from '../../helpers/ort.js';
import { numbersIn, renderings } from './numbers.js';
import { blur11, replaced, topIndices } from './reference.js';

const root = resolve(__dirname, '../../..');
const images = resolve(root, '../shared/data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(images) && existsSync(resolve(cache, 'yolox-nano/model.onnx')) && existsSync(resolve(cache, 'squeezenet1.0'));

const pick = <K extends CaptionFact['kind']>(facts: CaptionFact[], kind: K) => facts.filter((f): f is Extract<CaptionFact, { kind: K }> => f.kind === kind);

describe.skipIf(!ready)('captions of SqueezeNet maps on photos', () => {
  let engine: Explainer;
  let detector: Detector;
  let spec: ModelSpec;
  let labels: string[];
  beforeAll(async () => {
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    spec = findModel(manifest, 'squeezenet1.0');
    labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels);
    const d = findDetector(manifest, 'yolox-nano');
    detector = await Detector.create(ort, readFileSync(resolve(cache, d.file)), d, parseLabels(readFileSync(resolve(cache, d.labels as string), 'utf8')));
  });
  afterAll(async () => {
    await engine?.release();
    await detector?.release();
  });

  async function photo(name: string): Promise<RgbImage> {
    const { data, info } = await sharp(resolve(images, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  }

  /** Captions of the Grad-CAM maps of `classes` (each contrasted with the others), checked against independent values. */
  async function captions(name: string, classes: number[]): Promise<Caption[]> {
    const image = await photo(name);
    const input = preprocess(image, spec.input);
    const r = await engine.explain(input, { classes });
    const detections = await detector.detect(image);
    const maps = r.maps.map((m) => ({ classIndex: m.classIndex, map: m.map }));
    const subject = { image, spec: spec.input, input, probabilities: r.probabilities, labels, detections };
    const out: Caption[] = [];
    for (const m of maps) {
      const caption = await captionMap((b, n) => engine.forwardInputs(b, n), subject, m, maps.filter((o) => o !== m));
      const { facts, text } = caption;
      // every number in the text is one of the facts' values, rounded
      const allowed = renderings(facts);
      for (const n of numbersIn(text)) expect(allowed, `${n} in: ${text}`).toContain(n);
      // mass in a box: the map on the ≤ 512 px frame, summed over the pixels whose centres are in the box
      const s = Math.min(1, 512 / Math.max(image.width, image.height));
      const fw = Math.round(image.width * s), fh = Math.round(image.height * s);
      const onImage = mapToImage(m.map, spec.input, fw, fh);
      const total = onImage.values.reduce((a, v) => a + v, 0);
      for (const o of pick(facts, 'object')) {
        let inside = 0;
        onImage.values.forEach((v, i) => {
          const cx = ((i % fw) + 0.5) * image.width / fw, cy = (Math.floor(i / fw) + 0.5) * image.height / fh;
          if (cx >= o.box[0] && cx < o.box[2] && cy >= o.box[1] && cy < o.box[3]) inside += v;
        });
        expect(o.mass).toBeCloseTo(inside / total, 4);
      }
      // deletion and crop from a second engine run on inputs made here
      const [del] = pick(facts, 'deletion');
      const plane = spec.input.width * spec.input.height;
      const top = topIndices(m.map.values, Math.round(0.2 * plane));
      const deleted = replaced(input, blur11(input, 3, spec.input.width, spec.input.height), top, 3, plane);
      expect(del.before).toBeCloseTo(r.probabilities[m.classIndex], 6);
      expect(del.after).toBeCloseTo((await engine.predict(deleted))[m.classIndex], 4);
      const [crop] = pick(facts, 'crop');
      const [x0, y0, x1, y1] = crop.box;
      const { data, info } = await sharp(resolve(images, name)).removeAlpha().extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
        .raw().toBuffer({ resolveWithObject: true });
      const cropped = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
      expect(crop.probability).toBeCloseTo((await engine.predict(cropped))[m.classIndex], 4);
      out.push(caption);
    }
    return out;
  }

  const main = (c: Caption) => pick(c.facts, 'object').find((o) => o.main)!;

  it('both.png: bull mastiff on the dog, the cat holding little; tiger cat on the cat', async () => {
    const [mastiff, tiger] = await captions('both.png', [243, 282]);
    expect(main(mastiff).label).toBe('dog');
    const cat = pick(mastiff.facts, 'object').find((o) => o.label === 'cat')!;
    expect(cat.mass).toBeLessThan(0.2);
    expect(main(mastiff).mass).toBeGreaterThan(cat.mass * 3);
    expect(mastiff.text).toMatch(/Its evidence lies on the dog\b/);
    expect(mastiff.text).toMatch(/the cat's only \d+ %/);
    expect(main(tiger).label).toBe('cat');
    expect(tiger.text).toMatch(/the cat's box holds the largest share|lies on the cat/);
    // the deletion of the dog's most salient pixels costs the bull mastiff more than the control does
    const [d] = pick(mastiff.facts, 'deletion');
    const [c] = pick(mastiff.facts, 'control');
    expect(d.after).toBeLessThan(c.after);
  });

  it.each([
    ['horses.jpg', 339, 'horse'],
    ['coffee.png', 967, 'cup'],
    ['dog.jpg', 207, 'dog'],
    ['kitten.jpg', 281, 'cat'],
  ])('%s, class %i: the evidence is on the %s', async (name, cls, label) => {
    const [c] = await captions(name, [cls]);
    expect(main(c).label).toBe(label);
    expect(c.text).toMatch(new RegExp(`(lies on |; )the (left |right |leftmost |rightmost |\\w+-from-left )?${label}\\b`));
  });
});
