// Itti-Koch-Niebur saliency on pop-out displays that can be checked by eye: an isoluminant red
// square on green (colour pop-out) and a 45° bar among vertical bars (orientation pop-out).
import { describe, it, expect } from 'vitest';
import { ittiKoch, ittiKochMaps, opponentPlanes } from '../../../packages/core/src/bottom-up/itti-koch.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';
import { argmax, barArray, fillRect, stats, uniform } from './stimuli.js';

const dist = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);
/** Centre of map pixel (i, j) at pyramid level `level`, in image pixels. */
const toImage = (p: { x: number; y: number }, level: number) => ({ x: (p.x + 0.5) * 2 ** level - 0.5, y: (p.y + 0.5) * 2 ** level - 0.5 });
const valueAt = (m: FloatMap, x: number, y: number) => m.values[Math.round(y) * m.width + Math.round(x)];

describe('opponent channels (by hand)', () => {
  it('pure red, yellow, grey and a dark pixel', () => {
    // red: I = 1/3, r' = 3 → R = 3, G = B = Y = 0 → RG = 3, BY = 0
    // yellow: I = 2/3, r' = g' = 1.5 → R = G = .75, B = 0, Y = 1.5 → RG = 0, BY = −1.5
    // grey: r' = g' = b' = 1 → all channels 0; dark (I < max/10) → 0 by definition
    const img = { data: Uint8Array.from([255, 0, 0, 255, 255, 0, 128, 128, 128, 20, 0, 0]), width: 4, height: 1, channels: 3 as const };
    const { intensity, rg, by } = opponentPlanes(img);
    expect(Array.from(intensity.values)).toEqual(Array.from(Float32Array.from([1 / 3, 2 / 3, 128 / 255, 20 / 765])));
    expect(Array.from(rg.values)).toEqual([3, 0, 0, 0]);
    expect(Array.from(by.values)).toEqual([0, -1.5, 0, 0]);
  });
});

describe('ittiKoch', () => {
  // 384×288: the saliency map (level 4) is 24×18, one pixel per 16 image pixels
  const field = uniform(384, 288, [0, 255, 0]);
  fillRect(field, 250, 60, 32, 32, [255, 0, 0]);
  const square = { x: 265.5, y: 75.5 };

  it('returns a map at the image resolution with values in [0, 1]', () => {
    const map = ittiKoch(field);
    expect([map.width, map.height, map.values.length]).toEqual([384, 288, 384 * 288]);
    const s = stats(map);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBe(1);
    const odd = ittiKoch(uniform(203, 151, [10, 200, 30]));
    expect([odd.width, odd.height]).toEqual([203, 151]);
  });

  it('handles tiny images (down to 1×1): finite values, the image size', () => {
    for (const [w, h] of [[1, 1], [2, 3], [5, 1], [17, 9]]) {
      const img = uniform(w, h, [10, 200, 30]);
      img.data[0] = 255;
      const map = ittiKoch(img);
      expect([map.width, map.height]).toEqual([w, h]);
      for (const v of map.values) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('a uniform image has no saliency anywhere', () => {
    for (const color of [[128, 128, 128], [200, 30, 60]] as const) {
      const s = stats(ittiKoch(uniform(160, 120, color)));
      expect([s.min, s.max]).toEqual([0, 0]);
    }
  });

  it('a red square on an isoluminant green field: the colour channel alone finds it', () => {
    const maps = ittiKochMaps(field);
    expect(maps.level).toBe(4);
    expect([maps.saliency.width, maps.saliency.height]).toEqual([24, 18]);
    // red and green have the same intensity (255/3): the intensity channel sees nothing
    expect(stats(maps.intensity).max).toBe(0);
    // the colour conspicuity peaks on the square (within one map pixel, 16 px)
    expect(dist(toImage(argmax(maps.color), 4), square)).toBeLessThanOrEqual(16);
    // and so does the saliency map, at full resolution
    const full = ittiKoch(field);
    const peak = argmax(full);
    expect(dist(peak, square)).toBeLessThanOrEqual(16);
    // the square stands out: far from it (> 80 px) saliency stays below a fifth of the peak
    let far = 0;
    for (let y = 0; y < 288; y++) for (let x = 0; x < 384; x++) if (dist({ x, y }, square) > 80) far = Math.max(far, full.values[y * 384 + x]);
    expect(far).toBeLessThan(0.2);
  });

  it('a 45° bar among vertical bars: the orientation channel finds it, colour sees nothing', () => {
    // 512×512, 4×4 bars 96×14 px; the odd one in column 2, row 1
    const { image, odd } = barArray({ size: 512, cells: 4, oddCol: 2, oddRow: 1, tilt: 45, length: 96, width: 14 });
    const maps = ittiKochMaps(image);
    expect(stats(maps.color).max).toBe(0); // black and white only
    const o = argmax(maps.orientation);
    expect(dist(toImage(o, 4), odd)).toBeLessThanOrEqual(16);
    // the odd bar's orientation conspicuity is at least twice that at any vertical bar
    const at = (x: number, y: number) => valueAt(maps.orientation, (x + 0.5) / 16 - 0.5, (y + 0.5) / 16 - 0.5);
    let others = 0;
    for (let row = 0; row < 4; row++) for (let col = 0; col < 4; col++) {
      if (col === 2 && row === 1) continue;
      others = Math.max(others, at((col + 0.5) * 128, (row + 0.5) * 128));
    }
    expect(at(odd.x, odd.y)).toBeGreaterThan(2 * others);
    // the final saliency map peaks there too
    expect(dist(argmax(ittiKoch(image)), odd)).toBeLessThanOrEqual(16);
  });

  it('the pop-out follows the odd bar wherever it is', () => {
    for (const [col, row] of [[0, 3], [3, 2], [1, 1]]) {
      const { image, odd } = barArray({ size: 512, cells: 4, oddCol: col, oddRow: row, tilt: 45, length: 96, width: 14 });
      expect(dist(argmax(ittiKoch(image)), odd), `bar at ${col},${row}`).toBeLessThanOrEqual(16);
    }
  });

  it('rejects impossible scales', () => {
    expect(() => ittiKochMaps(field, { centerLevels: [-1] })).toThrow(RangeError);
    expect(() => ittiKochMaps(field, { deltas: [] })).toThrow(RangeError);
  });
});
