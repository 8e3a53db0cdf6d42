// Synthetic stimuli for the bottom-up models: uniform fields, an odd coloured patch, a tilted bar
// among vertical bars (the classic pop-out displays of Treisman and of Itti & Koch's Fig. 3).
import type { RgbImage } from '../../../packages/core/src/image/types.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';

export type Rgb = readonly [number, number, number];

export function uniform(width: number, height: number, color: Rgb): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(color, 3 * i);
  return { data, width, height, channels: 3 };
}

/** Paint an axis-aligned rectangle [x0, x0+w) × [y0, y0+h). */
export function fillRect(img: RgbImage, x0: number, y0: number, w: number, h: number, color: Rgb): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.data.set(color, (y * img.width + x) * img.channels);
}

/**
 * Paint a bar of the given length and width centred at (cx, cy), rotated `deg` degrees
 * counter-clockwise from vertical as seen on screen (0 = vertical, 45 = leaning right).
 */
export function fillBar(img: RgbImage, cx: number, cy: number, length: number, width: number, deg: number, color: Rgb): void {
  const t = (deg * Math.PI) / 180;
  // unit vector along the bar (screen coordinates, y down): vertical rotated towards +x on top
  const ax = Math.sin(t);
  const ay = -Math.cos(t);
  const r = Math.ceil(length / 2 + width);
  for (let y = Math.floor(cy - r); y <= cy + r; y++) {
    for (let x = Math.floor(cx - r); x <= cx + r; x++) {
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const along = dx * ax + dy * ay;
      const across = -dx * ay + dy * ax;
      if (Math.abs(along) <= length / 2 && Math.abs(across) <= width / 2) img.data.set(color, (y * img.width + x) * img.channels);
    }
  }
}

/** A grid of vertical bars with one tilted bar at grid cell (oddCol, oddRow). */
export function barArray(opts: { size: number; cells: number; oddCol: number; oddRow: number; tilt: number; length: number; width: number }): { image: RgbImage; odd: { x: number; y: number } } {
  const { size, cells, oddCol, oddRow, tilt, length, width } = opts;
  const image = uniform(size, size, [0, 0, 0]);
  const pitch = size / cells;
  let odd = { x: 0, y: 0 };
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      const cx = (col + 0.5) * pitch;
      const cy = (row + 0.5) * pitch;
      const isOdd = col === oddCol && row === oddRow;
      if (isOdd) odd = { x: cx, y: cy };
      fillBar(image, cx, cy, length, width, isOdd ? tilt : 0, [255, 255, 255]);
    }
  }
  return { image, odd };
}

export function argmax(map: FloatMap): { x: number; y: number; value: number } {
  let best = 0;
  for (let i = 1; i < map.values.length; i++) if (map.values[i] > map.values[best]) best = i;
  return { x: best % map.width, y: Math.floor(best / map.width), value: map.values[best] };
}

export function stats(map: FloatMap): { min: number; max: number; mean: number; std: number } {
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of map.values) { if (v < min) min = v; if (v > max) max = v; sum += v; }
  const mean = sum / map.values.length;
  let sq = 0;
  for (const v of map.values) sq += (v - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / map.values.length) };
}

/** Mean of a map over the pixels within `radius` of (cx, cy), and over all other pixels. */
export function insideOutside(map: FloatMap, cx: number, cy: number, radius: number): { inside: number; outside: number } {
  let si = 0, ni = 0, so = 0, no = 0;
  for (let y = 0; y < map.height; y++) for (let x = 0; x < map.width; x++) {
    const v = map.values[y * map.width + x];
    if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) { si += v; ni++; } else { so += v; no++; }
  }
  return { inside: si / ni, outside: so / no };
}

/**
 * Add deterministic uniform noise in [−amplitude, amplitude] grey levels to every channel (clamped):
 * the sensor noise every photograph has. A noise-free box on a flat field has whole lines of
 * (near-)zero spectral amplitude, whose logarithms the spectral residual cannot use.
 */
export function addNoise(img: RgbImage, amplitude: number, seed = 1): RgbImage {
  let s = seed >>> 0;
  for (let i = 0; i < img.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = img.data[i] + Math.round(((s / 2 ** 32) * 2 - 1) * amplitude);
    img.data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return img;
}
