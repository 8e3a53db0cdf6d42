// The map on the image, where boxes live: the final map (model input grid) brought back onto the
// image the way the input was made from it (image/map-to-image.ts, as alignment does), in a frame of
// at most CAPTION_FRAME_MAX_SIDE pixels on the longer side (shares of mass and area do not need more).
// Frame pixel (x, y) stands for image pixels [x/sx, (x+1)/sx) × [y/sy, (y+1)/sy); it lies inside a box
// (image pixels) when its centre does: x0 ≤ (x + 0.5)/sx < x1.
import type { FloatMap } from '../cam/types.js';
import type { Box } from '../detect/types.js';
import { mapToImage } from '../image/map-to-image.js';
import type { InputGeometry } from '../model/spec.js';
import { CaptionError } from './facts.js';

export const CAPTION_FRAME_MAX_SIDE = 512;

export interface CaptionFrame {
  /** The map on the frame. */
  map: FloatMap;
  imageWidth: number;
  imageHeight: number;
  /** Frame pixels per image pixel, per axis. */
  sx: number;
  sy: number;
  /** Σ map, max map and the index of its first maximum. */
  total: number;
  max: number;
  argmax: number;
}

/** `map` (on the model's input grid of `geometry`) on an imageWidth × imageHeight image's frame. */
export function mapOnImage(map: FloatMap, geometry: InputGeometry, imageWidth: number, imageHeight: number,
  maxSide = CAPTION_FRAME_MAX_SIDE): CaptionFrame {
  const scale = Math.min(1, maxSide / Math.max(imageWidth, imageHeight));
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  let onFrame: FloatMap;
  try {
    onFrame = mapToImage(map, geometry, width, height);
  } catch (e) {
    throw new CaptionError('BAD_MAP', (e as Error).message);
  }
  let total = 0;
  let max = -Infinity;
  let argmax = 0;
  const v = onFrame.values;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]) || v[i] < 0) throw new CaptionError('BAD_MAP', `map value ${v[i]} is not a finite value ≥ 0`);
    total += v[i];
    if (v[i] > max) {
      max = v[i];
      argmax = i;
    }
  }
  return { map: onFrame, imageWidth, imageHeight, sx: width / imageWidth, sy: height / imageHeight, total, max, argmax };
}

/** The frame's pixel columns [x0, x1) and rows [y0, y1) whose centres lie inside `box`. */
export function boxPixels(frame: CaptionFrame, box: Box): { x0: number; x1: number; y0: number; y1: number } {
  const { width, height } = frame.map;
  const first = (edge: number, s: number, n: number) => Math.min(n, Math.max(0, Math.ceil(edge * s - 0.5)));
  return {
    x0: first(box[0], frame.sx, width), x1: first(box[2], frame.sx, width),
    y0: first(box[1], frame.sy, height), y1: first(box[3], frame.sy, height),
  };
}

/** Σ map inside `box` / Σ map (0 for an all-zero map). */
export function massInBox(frame: CaptionFrame, box: Box): number {
  if (!(frame.total > 0)) return 0;
  const { x0, x1, y0, y1 } = boxPixels(frame, box);
  const { width, values } = frame.map;
  let s = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += values[y * width + x];
  return s / frame.total;
}

/** Whether the map's (first) maximum lies inside `box`. */
export function peakInBox(frame: CaptionFrame, box: Box): boolean {
  const { x0, x1, y0, y1 } = boxPixels(frame, box);
  const x = frame.argmax % frame.map.width;
  const y = Math.floor(frame.argmax / frame.map.width);
  return x >= x0 && x < x1 && y >= y0 && y < y1;
}
