// The plain-language line under the picture: what the model sees and where the map points.
import type { FloatMap, Prediction } from '@saliency-explainer/core';

const ROWS = ['top', 'middle', 'bottom'];
const COLS = ['left', 'centre', 'right'];

export function percent(p: number): string {
  const v = p * 100;
  if (v >= 10 || v === 0) return `${Math.round(v)}%`;
  return v >= 0.1 ? `${v.toFixed(1)}%` : '<0.1%';
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/**
 * Where the strong part of a map (values ≥ half its maximum) lies, in words: "centre", "top left",
 * or "most of the image" when it covers more than half of it.
 */
export function whereOnMap(map: FloatMap): string {
  const { width, height, values } = map;
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (!(max > 0)) return 'no particular region';
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (values[y * width + x] >= max / 2) {
        n++;
        sx += x;
        sy += y;
      }
    }
  }
  if (n > values.length / 2) return 'most of the image';
  const col = COLS[Math.min(2, Math.floor(((sx / n + 0.5) / width) * 3))];
  const row = ROWS[Math.min(2, Math.floor(((sy / n + 0.5) / height) * 3))];
  if (row === 'middle' && col === 'centre') return 'centre';
  if (row === 'middle') return col;
  if (col === 'centre') return row;
  return `${row} ${col}`;
}

/**
 * E.g. "The model sees a bull mastiff (62%); the highlighted region (left) drove that class (Grad-CAM)."
 * `top` are the model's top predictions, highest first (their order is its ranking).
 */
export function describe(top: readonly Prediction[], shown: Prediction, methodName: string, map: FloatMap | null): string {
  const rank = top.findIndex((p) => p.index === shown.index);
  const where = map ? whereOnMap(map) : null;
  const region = where ? `the highlighted region (${where})` : 'the highlighted region';
  if (rank === 0) {
    return `The model sees ${article(shown.label)} ${shown.label} (${percent(shown.score)}); ${region} drove that class (${methodName}).`;
  }
  const first = top[0];
  const place = rank > 0 ? `its guess #${rank + 1}` : `not among its top ${top.length}`;
  return `The model sees ${article(first.label)} ${first.label} (${percent(first.score)}). Shown: ${shown.label} (${percent(shown.score)}), ${place}; ${region} is what speaks for it (${methodName}).`;
}
