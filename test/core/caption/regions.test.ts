// Caption facts' geometry worked by hand: the map on the image frame, mass in a box, the strong
// region and its position word, which object the evidence is on, the crop box, the control square.
import { describe, it, expect } from 'vitest';
import { mapOnImage, massInBox, peakInBox, boxPixels } from '../../../packages/core/src/caption/frame.js';
import { positionWord, whereFact } from '../../../packages/core/src/caption/where.js';
import { mainObject, objectFacts } from '../../../packages/core/src/caption/objects.js';
import { cropBox, cropImage } from '../../../packages/core/src/caption/crop.js';
import { controlSquare, squareMask } from '../../../packages/core/src/caption/deletion.js';
import { classRank } from '../../../packages/core/src/caption/rank.js';
import { CaptionError } from '../../../packages/core/src/caption/facts.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';
import type { Box } from '../../../packages/core/src/detect/types.js';
import { rng } from '../../helpers/random.js';

const grid = (w: number, h: number) => ({ width: w, height: h, resize: 'stretch' as const });
const randomMap = (w: number, h: number, seed: number): FloatMap => {
  const r = rng(seed);
  return { width: w, height: h, values: Float32Array.from({ length: w * h }, () => r()) };
};

describe('mass in a box', () => {
  it('sums the raw map over the pixels whose centres lie in the box (image = model grid)', () => {
    const map = randomMap(20, 16, 1);
    const frame = mapOnImage(map, grid(20, 16), 20, 16);
    const box: Box = [3.2, 2.5, 11.6, 9.4];
    // pixel x is inside when 3.2 ≤ x + 0.5 < 11.6 → x = 3..11; y: 2.5 ≤ y + 0.5 < 9.4 → y = 2..8
    let inside = 0, total = 0;
    map.values.forEach((v, i) => {
      const x = i % 20, y = Math.floor(i / 20);
      total += v;
      if (x >= 3 && x <= 11 && y >= 2 && y <= 8) inside += v;
    });
    expect(boxPixels(frame, box)).toEqual({ x0: 3, x1: 12, y0: 2, y1: 9 });
    expect(massInBox(frame, box)).toBeCloseTo(inside / total, 6);
    expect(massInBox(frame, [0, 0, 20, 16])).toBeCloseTo(1, 6);
  });

  it('keeps shares on a larger image through a frame of at most 512 px', () => {
    // a 4×4 map with all its mass in the top-left quarter, on a 2000×1000 image (frame 512×256)
    const values = new Float32Array(16);
    values[0] = values[1] = values[4] = values[5] = 1;
    const frame = mapOnImage({ width: 4, height: 4, values }, grid(4, 4), 2000, 1000);
    expect([frame.map.width, frame.map.height]).toEqual([512, 256]);
    // the frame is f(x)·f(y), f the half-pixel linear interpolation of the profile [1, 1, 0, 0] (cv2 geometry)
    const f = (n: number) => Array.from({ length: n }, (_, x) => {
      const u = Math.min(Math.max((x + 0.5) * 4 / n - 0.5, 0), 3);
      const i = Math.floor(u), t = u - i;
      const p = [1, 1, 0, 0];
      return p[i] * (1 - t) + p[Math.min(i + 1, 3)] * t;
    });
    const fx = f(512), fy = f(256);
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    // image x < 1000 is frame x < 256; image y < 250 is frame y < 64
    expect(massInBox(frame, [0, 0, 1000, 1000])).toBeCloseTo(sum(fx.slice(0, 256)) / sum(fx), 6);
    expect(massInBox(frame, [0, 0, 2000, 250])).toBeCloseTo(sum(fy.slice(0, 64)) / sum(fy), 6);
    expect(massInBox(frame, [0, 0, 2000, 1000])).toBeCloseTo(1, 6);
    expect(peakInBox(frame, [0, 0, 1000, 500])).toBe(true);
    expect(peakInBox(frame, [1000, 0, 2000, 1000])).toBe(false);
  });

  it('refuses a map that is not on the model grid or has negative values', () => {
    expect(() => mapOnImage(randomMap(5, 5, 2), grid(4, 4), 10, 10)).toThrow(CaptionError);
    expect(() => mapOnImage({ width: 2, height: 1, values: Float32Array.from([1, -1]) }, grid(2, 1), 2, 1)).toThrow(/≥ 0/);
  });
});

describe('where', () => {
  it('box, area, centroid and position of the part ≥ half the maximum', () => {
    // 12×9 image = model grid; strong block x 1..3, y 0..1 with values 1 and 0.6; the rest 0.2
    const values = new Float32Array(12 * 9).fill(0.2);
    for (let y = 0; y <= 1; y++) for (let x = 1; x <= 3; x++) values[y * 12 + x] = x === 1 ? 1 : 0.6;
    const w = whereFact(mapOnImage({ width: 12, height: 9, values }, grid(12, 9), 12, 9));
    expect(w.box).toEqual([1, 0, 4, 2]);
    expect(w.area).toBeCloseTo(6 / 108, 12);
    // centroid of centres weighted by value: x (1.5·1 + 2.5·0.6 + 3.5·0.6)·2 / (2.2·2), y 1
    const cx = (1.5 + 2.5 * 0.6 + 3.5 * 0.6) / 2.2;
    expect(w.centroid[0]).toBeCloseTo(cx / 12, 6);
    expect(w.centroid[1]).toBeCloseTo(1 / 9, 6);
    expect(w.position).toBe('top left');
  });

  it('names the thirds, the centre, and most of the image', () => {
    expect(positionWord(0.1, 0.5, 0.1)).toBe('left');
    expect(positionWord(0.9, 0.1, 0.1)).toBe('top right');
    expect(positionWord(0.5, 0.9, 0.1)).toBe('bottom');
    expect(positionWord(0.5, 0.5, 0.1)).toBe('centre');
    expect(positionWord(0.1, 0.1, 0.5)).toBe('most of the image');
  });
});

describe('objects', () => {
  const det = (label: string, box: Box, score = 0.9) => ({ classIndex: 0, label, score, box });

  it('orders by mass and puts the evidence on a nested box holding at least half as much', () => {
    // a 10×10 map: 1 inside x,y 3..6 (the cup), 0.1 elsewhere
    const values = new Float32Array(100).fill(0.1);
    for (let y = 3; y <= 6; y++) for (let x = 3; x <= 6; x++) values[y * 10 + x] = 1;
    const frame = mapOnImage({ width: 10, height: 10, values }, grid(10, 10), 10, 10);
    const facts = objectFacts(frame, [det('dining table', [0, 0, 10, 10]), det('cup', [3, 3, 7, 7]), det('cat', [8, 0, 10, 2])]);
    const total = 16 + 84 * 0.1;
    expect(facts.map((f) => f.label)).toEqual(['cup', 'dining table', 'cat']);
    expect(facts.map((f) => f.main)).toEqual([true, false, false]);
    expect(facts[0].mass).toBeCloseTo(16 / total, 6);
    expect(facts[1].mass).toBeCloseTo(1, 6);
    expect(facts[2].mass).toBeCloseTo(0.4 / total, 6);
    expect(facts.map((f) => f.hit)).toEqual([true, true, false]);
  });

  it('keeps the box with most mass when a nested one holds less than half, or boxes only overlap', () => {
    expect(mainObject([{ box: [0, 0, 10, 10], mass: 0.9 }, { box: [1, 1, 3, 3], mass: 0.4 }])).toBe(0);
    expect(mainObject([{ box: [0, 0, 10, 10], mass: 0.9 }, { box: [1, 1, 3, 3], mass: 0.45 }])).toBe(1);
    // overlapping, not nested (40 % of the smaller box inside the larger)
    expect(mainObject([{ box: [0, 0, 10, 10], mass: 0.5 }, { box: [8, 0, 13, 4], mass: 0.45 }])).toBe(0);
  });
});

describe('crop', () => {
  it('pads by a tenth of the box per side, rounds out to whole pixels, stays inside the image', () => {
    // box 20 wide, 10 high → pad 2 and 1
    expect(cropBox([10.5, 5.2, 30.5, 15.2], 100, 100)).toEqual([8, 4, 33, 17]);
    expect(cropBox([0, 0, 50, 50], 52, 100)).toEqual([0, 0, 52, 55]);
    const img = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3, channels: 3 as const };
    const c = cropImage(img, [1, 1, 3, 3]);
    // rows 1..2, columns 1..2: pixel (x, y) starts at byte (y·4 + x)·3
    expect(Array.from(c.data)).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });
});

describe('control square', () => {
  it('is k pixels around the drawn centre, pushed inwards at the border', () => {
    const inner = squareMask(20, 20, 10, 10, 25);
    expect(inner.region).toEqual([8, 8, 13, 13]);
    expect(inner.mask.reduce((a, b) => a + b, 0)).toBe(25);
    // 30 pixels: the 5×5 square (x, y 8..12) and the first 5 of the next ring in row-major order (y 7, x 7..11)
    const ragged = squareMask(20, 20, 10, 10, 30);
    expect(ragged.mask.reduce((a, b) => a + b, 0)).toBe(30);
    expect(ragged.region).toEqual([7, 7, 13, 13]);
    expect(Array.from({ length: 7 }, (_, i) => ragged.mask[7 * 20 + 7 + i])).toEqual([1, 1, 1, 1, 1, 0, 0]);
    const corner = squareMask(20, 20, 0, 0, 16);
    expect(corner.region).toEqual([0, 0, 4, 4]);
  });

  it('takes the first draw sharing at most the fraction with the salient pixels', () => {
    const top = new Uint8Array(400);
    for (let i = 0; i < 80; i++) top[i] = 1; // the top 4 rows of 20×20
    const c = controlSquare(top, 20, 20, 80, 0.2, 7);
    let shared = 0;
    c.mask.forEach((m, i) => { if (m && top[i]) shared++; });
    expect(c.mask.reduce((a, b) => a + b, 0)).toBe(80);
    expect(c.overlap).toBeCloseTo(shared / 80, 12);
    expect(c.overlap).toBeLessThanOrEqual(0.2);
  });
});

it('ranks a class with ties going to the lower index', () => {
  const p = [0.1, 0.3, 0.3, 0.2, 0.1];
  expect([0, 1, 2, 3, 4].map((c) => classRank(p, c))).toEqual([4, 1, 2, 3, 5]);
});
