// The `where` fact: the strong part of the map (frame pixels ≥ level × max, level ½ by default),
// its bounding box in image pixels, its share of the image's area, its map-weighted centroid, and a
// position word from the centroid's third of the image per axis (left / centre / right, top /
// middle / bottom), or "most of the image" when the strong part covers at least half of it.
import type { Box } from '../detect/types.js';
import type { CaptionFrame } from './frame.js';
import type { Position, WhereFact } from './facts.js';

export const STRONG_LEVEL = 0.5;
export const MOST_OF_THE_IMAGE = 0.5;

/** The position word of a centroid (fractions of width and height) and an area share. */
export function positionWord(cx: number, cy: number, area: number): Position {
  if (area >= MOST_OF_THE_IMAGE) return 'most of the image';
  const h = cx < 1 / 3 ? 'left' : cx > 2 / 3 ? 'right' : '';
  const v = cy < 1 / 3 ? 'top' : cy > 2 / 3 ? 'bottom' : '';
  return ((v && h ? `${v} ${h}` : v || h) || 'centre') as Position;
}

/** Bounding box (image pixels), pixel count and weighted centroid (frame pixels) of the strong pixels. */
export function strongRegion(frame: CaptionFrame, level = STRONG_LEVEL): { box: Box; count: number; cx: number; cy: number } {
  const { width, height, values } = frame.map;
  const t = level * frame.max;
  let x0 = width, y0 = height, x1 = -1, y1 = -1, count = 0, w = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      if (v < t) continue;
      count++;
      w += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const box: Box = [x0 / frame.sx, y0 / frame.sy, (x1 + 1) / frame.sx, (y1 + 1) / frame.sy];
  return { box, count, cx: sx / w, cy: sy / w };
}

export function whereFact(frame: CaptionFrame, level = STRONG_LEVEL): WhereFact {
  const { width, height } = frame.map;
  const r = strongRegion(frame, level);
  const area = r.count / (width * height);
  const centroid: [number, number] = [r.cx / width, r.cy / height];
  return { kind: 'where', position: positionWord(centroid[0], centroid[1], area), box: r.box, area, centroid, level };
}
