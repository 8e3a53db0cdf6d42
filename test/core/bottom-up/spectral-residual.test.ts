// Spectral residual (Hou & Zhang 2007) on cases checkable by hand.
import { describe, it, expect } from 'vitest';
import { spectralResidual, spectralResidualRaw, spectralResidualSize, spectralResidualSmall } from '../../../packages/core/src/bottom-up/spectral-residual.js';
import { makePlane } from '../../../packages/core/src/bottom-up/plane.js';
import { addNoise, argmax, fillRect, insideOutside, stats, uniform } from './stimuli.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';

const dist = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);

describe('spectralResidual', () => {
  it('works at 64 pixels wide, keeping the aspect ratio (800×600 → 64×48)', () => {
    expect(spectralResidualSize(800, 600)).toEqual({ width: 64, height: 48 });
    expect(spectralResidualSize(600, 800)).toEqual({ width: 64, height: 85 });
    expect(spectralResidualSize(1000, 10)).toEqual({ width: 64, height: 1 });
    const small = spectralResidualSmall(uniform(800, 600, [90, 90, 90]));
    expect([small.width, small.height]).toEqual([64, 48]);
  });

  it('returns a map at the image resolution with values in [0, 1]', () => {
    const img = uniform(203, 151, [0, 200, 0]);
    fillRect(img, 40, 30, 20, 20, [250, 0, 0]);
    const map = spectralResidual(img);
    expect([map.width, map.height, map.values.length]).toEqual([203, 151, 203 * 151]);
    const s = stats(map);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBe(1);
  });

  it('handles tiny images (down to 1×1): finite values, the image size', () => {
    for (const [w, h] of [[1, 1], [2, 3], [5, 1], [17, 9]]) {
      const img = uniform(w, h, [10, 200, 30]);
      img.data[0] = 255;
      const map = spectralResidual(img);
      expect([map.width, map.height]).toEqual([w, h]);
      for (const v of map.values) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('a uniform image gives a flat map (zero variance), a black one an all-zero map', () => {
    for (const color of [[128, 128, 128], [10, 240, 90]] as const) {
      const s = stats(spectralResidual(uniform(320, 240, color)));
      expect(s.max - s.min).toBeLessThan(1e-6);
      expect(s.std).toBeLessThan(1e-7);
    }
    const black = stats(spectralResidual(uniform(64, 48, [0, 0, 0])));
    expect([black.min, black.max]).toEqual([0, 0]);
  });

  it('the raw residual of a constant plane is constant: only DC carries signal', () => {
    const raw = spectralResidualRaw(makePlane(16, 12, new Float32Array(192).fill(0.5)));
    const s = stats(raw);
    expect(s.max).toBeGreaterThan(0);
    expect((s.max - s.min) / s.max).toBeLessThan(1e-9);
  });

  /** The highest value more than `radius` px from (cx, cy), as a fraction of the map's range. */
  function farLevel(map: FloatMap, cx: number, cy: number, radius: number): number {
    const { min, max } = stats(map);
    let far = min;
    for (let y = 0; y < map.height; y++) for (let x = 0; x < map.width; x++) {
      if (Math.hypot(x - cx, y - cy) > radius) far = Math.max(far, map.values[y * map.width + x]);
    }
    return (far - min) / (max - min);
  }

  it('a red square on a green field: the map peaks on the square and nowhere else', () => {
    // 384×288 → 64×48 working size; the 24-px square is 4 working pixels wide
    const img = uniform(384, 288, [0, 200, 0]);
    fillRect(img, 260, 70, 24, 24, [220, 0, 0]);
    const centre = { x: 271.5, y: 81.5 };
    const map = spectralResidual(img);
    expect(dist(argmax(map), centre)).toBeLessThanOrEqual(12);
    // SR maps carry a constant offset (the DC term); above it, nothing far away exceeds 10 %
    expect(farLevel(map, centre.x, centre.y, 60)).toBeLessThan(0.1);
    const { inside, outside } = insideOutside(map, centre.x, centre.y, 24);
    expect(inside).toBeGreaterThan(1.5 * outside);
  });

  it('the peak follows the patch, on flat fills and with 2 grey levels of noise', () => {
    // flat fills have lines of empty frequencies (the box's spectral zeros): the case that breaks a
    // residual taken over −∞ or floored log amplitudes (ghosts and lattices, far level ≈ 1)
    for (const noise of [0, 2]) {
      for (const [x0, y0] of [[40, 200], [180, 120], [320, 30], [350, 250]]) {
        const img = uniform(384, 288, [40, 40, 160]);
        fillRect(img, x0, y0, 24, 24, [250, 250, 60]);
        addNoise(img, noise, x0 + y0);
        const map = spectralResidual(img);
        const c = { x: x0 + 11.5, y: y0 + 11.5 };
        expect(dist(argmax(map), c), `patch at ${x0},${y0}, noise ${noise}`).toBeLessThanOrEqual(12);
        expect(farLevel(map, c.x, c.y, 60), `patch at ${x0},${y0}, noise ${noise}`).toBeLessThan(0.2);
      }
    }
  });
});
