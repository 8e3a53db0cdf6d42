// The `deletion` and `control` inputs. Deletion: the most salient `fraction` of the input's pixels
// (faithfulness/perturb.ts: saliency order, ties by ascending index) take the values of the blurred
// input (blurChw: 11 taps, σ 5, reflect-101), every channel. Control: as many pixels in a seeded
// random square region, blurred the same way: the k pixels nearest (Chebyshev distance, ties in
// row-major order) to a uniformly drawn pixel, i.e. a √k × √k square, pushed inwards where it meets
// the border. A contiguous region, because the salient region is one: blurring k scattered pixels
// (RISE-style random pixel order) leaves their neighbours intact under a σ = 5 blur and removes almost
// nothing, so any map would look faithful (Samek et al. 2017 compare with random regions for the same
// reason). The control asks "does blurring that much of the image elsewhere hurt as much?", so of up
// to CONTROL_DRAWS seeded draws the first whose square shares at most `fraction` of its pixels with
// the deleted ones is taken (what a region placed independently of a map shares on average), else
// the draw sharing least; its share (`overlap`) is reported with it.
import type { FloatMap } from '../cam/types.js';
import type { Box } from '../detect/types.js';
import { blurChw, fractionCount, replacePixelsInto, topFractionMask, type ChwShape } from '../faithfulness/perturb.js';
import { randomInt, seededRandom } from '../metrics/random.js';

export const DELETION_FRACTION = 0.2;
export const CONTROL_DRAWS = 16;

/** 1 for the k pixels of a width × height grid nearest to (cx, cy) in Chebyshev distance (ties: row-major). */
export function squareMask(width: number, height: number, cx: number, cy: number, k: number): { mask: Uint8Array; region: Box } {
  const mask = new Uint8Array(width * height);
  if (k <= 0) return { mask, region: [0, 0, 0, 0] };
  // pixels within distance d: the square around (cx, cy) clipped to the grid
  const within = (d: number) => (Math.min(cx + d, width - 1) - Math.max(cx - d, 0) + 1) * (Math.min(cy + d, height - 1) - Math.max(cy - d, 0) + 1);
  let limit = 0;
  while (within(limit) < k) limit++;
  let atLimit = k - (limit > 0 ? within(limit - 1) : 0);
  const xa = Math.max(cx - limit, 0), xb = Math.min(cx + limit, width - 1);
  const ya = Math.max(cy - limit, 0), yb = Math.min(cy + limit, height - 1);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      if (Math.max(Math.abs(x - cx), Math.abs(y - cy)) === limit && atLimit-- <= 0) continue;
      mask[y * width + x] = 1;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return { mask, region: [x0, y0, x1 + 1, y1 + 1] };
}

export interface DeletionInputs {
  deleted: Float32Array;
  control: Float32Array;
  /** The control square on the input grid. */
  region: Box;
  /** Share of the control's pixels that are among the deleted ones. */
  overlap: number;
  pixels: number;
}

/** The blurred input, computed once per input array (the captions of all its maps share it). */
const blurCache = new WeakMap<Float32Array, Float32Array>();
function blurredInput(input: Float32Array, shape: ChwShape): Float32Array {
  let b = blurCache.get(input);
  if (!b) {
    b = blurChw(input, shape);
    blurCache.set(input, b);
  }
  return b;
}

/** The control square: of up to CONTROL_DRAWS seeded draws, the first sharing ≤ `fraction` of its pixels with `top`, else the one sharing least. */
export function controlSquare(top: Uint8Array, width: number, height: number, k: number, fraction: number, seed: number): { mask: Uint8Array; region: Box; overlap: number } {
  const random = seededRandom(seed);
  let best: { mask: Uint8Array; region: Box; overlap: number } | undefined;
  for (let draw = 0; draw < CONTROL_DRAWS; draw++) {
    const cx = randomInt(random, width);
    const cy = randomInt(random, height);
    const square = squareMask(width, height, cx, cy, k);
    let shared = 0;
    const [x0, y0, x1, y1] = square.region;
    for (let y = y0; y < y1; y++) for (let i = y * width + x0; i < y * width + x1; i++) if (top[i] && square.mask[i]) shared++;
    const overlap = k > 0 ? shared / k : 0;
    if (!best || overlap < best.overlap) best = { ...square, overlap };
    if (overlap <= fraction) break;
  }
  return best!;
}

/**
 * The deletion and control inputs of `input` (C×H×W) for `map` (H×W); written into `into`'s arrays
 * (e.g. rows of the batch they go to) when given, else into new ones.
 */
export function deletionInputs(input: Float32Array, shape: ChwShape, map: FloatMap, fraction = DELETION_FRACTION, seed = 0,
  into?: { deleted: Float32Array; control: Float32Array }): DeletionInputs {
  const { width, height } = shape;
  const top = topFractionMask(map, fraction);
  const k = fractionCount(fraction, width * height);
  const square = controlSquare(top, width, height, k, fraction, seed);
  const blurred = blurredInput(input, shape);
  return {
    deleted: replacePixelsInto(into?.deleted ?? new Float32Array(input.length), input, shape, top, blurred),
    control: replacePixelsInto(into?.control ?? new Float32Array(input.length), input, shape, square.mask, blurred),
    region: square.region,
    overlap: square.overlap,
    pixels: k,
  };
}
