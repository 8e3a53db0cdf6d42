// parseOsie on the real OSIE file (../shared/data/osie/fixations.json) and on malformed input.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OsieFormatError, parseOsie } from '../../../packages/core/src/fixations/osie.js';

const file = resolve(__dirname, '../../../../shared/data/osie/fixations.json');

describe.skipIf(!existsSync(file))('parseOsie on OSIE', () => {
  const images = parseOsie(JSON.parse(readFileSync(file, 'utf8')));
  it('has 700 images of 800×600 with 15 observers each and every fixation', () => {
    expect(images).toHaveLength(700);
    expect(images[0].file).toBe('1001.jpg');
    expect(images[699].file).toBe('1700.jpg');
    for (const img of images) {
      expect([img.width, img.height, img.observers.length]).toEqual([800, 600, 15]);
    }
    // counted independently with Python: 98 321 fixations in the file
    expect(images.reduce((n, img) => n + img.observers.reduce((m, o) => m + o.length, 0), 0)).toBe(98321);
  });
  it('converts MATLAB 1-based coordinates to 0-based and keeps durations and observers', () => {
    // first fixation of observer 1 on 1001.jpg in the file: x 395.5, y 265.7, 246 ms
    const f = images[0].observers[0][0];
    expect(f.x).toBeCloseTo(394.5, 10);
    expect(f.y).toBeCloseTo(264.7, 10);
    expect(f.duration).toBe(246);
    expect(f.observer).toBe(0);
    expect(images[0].observers[3][0].observer).toBe(3);
    let minX = Infinity;
    let maxX = -Infinity;
    for (const img of images) for (const o of img.observers) for (const p of o) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
    }
    // 1-based range in the file: 1.2 … 799.2
    expect(minX).toBeCloseTo(0.2, 10);
    expect(maxX).toBeCloseTo(798.2, 10);
  });
});

describe('parseOsie on malformed input', () => {
  const image = (subjects: unknown) => ({ images: [{ image: 'a.jpg', width: 4, height: 3, subjects }] });
  it('names the place of the problem', () => {
    expect(() => parseOsie(null)).toThrow(OsieFormatError);
    expect(() => parseOsie({ images: [{ image: 'a.jpg', width: 0, height: 3, subjects: [] }] })).toThrow(/\$\.images\[0\]\.width/);
    expect(() => parseOsie(image([{ x: [1, 'a'], y: [1, 1] }]))).toThrow(/subjects\[0\]\.x\[1\]/);
    expect(() => parseOsie(image([{ x: [1, 2], y: [1] }]))).toThrow(/differ in length/);
    expect(() => parseOsie(image([{ x: [1], y: [1], duration_ms: [] }]))).toThrow(/differ in length/);
  });
  it('refuses fixations off the image (1-based x must be in [0.5, width + 0.5))', () => {
    expect(parseOsie(image([{ x: [0.5, 4.49], y: [3.4, 1] }]))[0].observers[0].map((f) => [f.x, f.y])).toEqual([[-0.5, 2.4], [3.49, 0]]);
    expect(() => parseOsie(image([{ x: [4.5], y: [1] }]))).toThrow(/outside the 4×3 image/);
    expect(() => parseOsie(image([{ x: [1], y: [0.4] }]))).toThrow(OsieFormatError);
  });
  it('accepts observers without fixations and without durations', () => {
    const [img] = parseOsie(image([{ x: [], y: [] }, { x: [2], y: [2] }]));
    expect(img.observers[0]).toEqual([]);
    expect(img.observers[1]).toEqual([{ x: 1, y: 1, observer: 1 }]);
  });
});
