// The real SqueezeNet on a real photo (both.png: a bulldog above a tabby cat): Grad-CAM for
// "tiger cat" peaks on the cat, for "bull mastiff" on the dog.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { preprocess } from '../../../packages/core/src/image/preprocess.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';
import { ort } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const photo = resolve(root, '../shared/data/images/both.png');
const cache = resolve(root, 'models/cache');
const TIGER_CAT = 282;
const BULL_MASTIFF = 243;

function peak(m: FloatMap): { x: number; y: number } {
  let best = 0;
  m.values.forEach((v, i) => { if (v > m.values[best]) best = i; });
  return { x: best % m.width, y: Math.floor(best / m.width) };
}

describe.skipIf(!existsSync(photo) || !existsSync(resolve(cache, 'squeezenet1.0')))('SqueezeNet on both.png', () => {
  let engine: Explainer;
  let input: Float32Array;
  beforeAll(async () => {
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    const spec = findModel(manifest, 'squeezenet1.0');
    const labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labels);
    const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    input = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
  });
  afterAll(() => engine?.release());

  it('sees a dog first', async () => {
    const r = await engine.explain(input, { topK: 2 });
    expect(r.predictions[0].label).toBe('bull mastiff');
    expect(r.predictions[0].score).toBeGreaterThan(0.5);
  });

  it('puts the tiger-cat map on the cat (lower half) and the bull-mastiff map on the dog (upper half)', async () => {
    const r = await engine.explain(input, { methods: ['gradcam'], classes: [TIGER_CAT, BULL_MASTIFF] });
    const cat = peak(r.maps[0].map);
    const dog = peak(r.maps[1].map);
    expect(r.maps[0].label).toBe('tiger cat');
    // in both.png the dog's head is at about (110, 60) and the cat's at about (165, 175) of 224×224
    expect(cat.y).toBeGreaterThan(140);
    expect(dog.y).toBeLessThan(100);
    expect(Math.hypot(cat.x - dog.x, cat.y - dog.y)).toBeGreaterThan(80);
    // the two maps differ: their correlation is far from 1 (SqueezeNet sees some cat in the dog too: 0.62)
    const a = r.maps[0].map.values;
    const b = r.maps[1].map.values;
    const mean = (v: Float32Array) => v.reduce((s, q) => s + q, 0) / v.length;
    const ma = mean(a), mb = mean(b);
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < a.length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
    expect(sab / Math.sqrt(saa * sbb)).toBeLessThan(0.8);
  });

  it('runs every method on a non-default layer (fire7)', async () => {
    const r = await engine.explain(input, { methods: ['gradcam', 'gradcam++', 'layercam', 'eigencam', 'scorecam'], classes: [TIGER_CAT], layer: 'fire7/concat_1' });
    expect(r.layer).toBe('fire7/concat_1');
    for (const m of r.maps) {
      expect([m.raw.width, m.raw.height]).toEqual([13, 13]);
      expect(Math.max(...m.map.values)).toBeCloseTo(1, 4);
    }
  });
});
