// YOLOX's raw head output → candidate boxes (yolox/utils/demo_utils.py `demo_postprocess` and the
// demo's box conversion): rows are anchor points on grids of strides 8, 16, 32 (row-major per grid,
// grids in order), each (x, y, w, h, objectness, class scores…) already through sigmoid where YOLOX
// applies it; centre = (x + gx, y + gy)·s, size = exp(w, h)·s, in letterboxed input pixels. Each row
// proposes its best class with score = objectness × class score (YOLOX's postprocess: one class per
// anchor), kept when the score reaches the threshold.
import type { Box } from './types.js';

export interface Candidate {
  box: Box;
  score: number;
  classIndex: number;
  /** The output row (anchor point) it was decoded from. */
  row: number;
}

/** The anchor grid (gx, gy, stride) of each output row for a width×height input. */
export function yoloxGrid(width: number, height: number, strides: readonly number[]): { gx: Int32Array; gy: Int32Array; stride: Int32Array } {
  const sizes = strides.map((s) => Math.floor(width / s) * Math.floor(height / s));
  const n = sizes.reduce((a, b) => a + b, 0);
  const gx = new Int32Array(n);
  const gy = new Int32Array(n);
  const stride = new Int32Array(n);
  let r = 0;
  for (const s of strides) {
    const gw = Math.floor(width / s);
    const gh = Math.floor(height / s);
    for (let y = 0; y < gh; y++) {
      for (let x = 0; x < gw; x++, r++) {
        gx[r] = x;
        gy[r] = y;
        stride[r] = s;
      }
    }
  }
  return { gx, gy, stride };
}

/** Decode `rows` × (5 + classes) raw values; boxes in input pixels, scores ≥ threshold only. */
export function decodeYolox(out: Float32Array, rows: number, classes: number, width: number, height: number,
  strides: readonly number[], threshold: number): Candidate[] {
  const g = yoloxGrid(width, height, strides);
  if (g.gx.length !== rows) throw new RangeError(`the output has ${rows} rows; strides ${strides.join('/')} on ${width}×${height} give ${g.gx.length}`);
  const step = 5 + classes;
  if (out.length !== rows * step) throw new RangeError(`the output has ${out.length} values, not ${rows} × ${step}`);
  const found: Candidate[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * step;
    const obj = out[o + 4];
    if (!(obj >= threshold)) continue;
    let best = 0;
    for (let c = 1; c < classes; c++) if (out[o + 5 + c] > out[o + 5 + best]) best = c;
    const score = obj * out[o + 5 + best];
    if (!(score >= threshold)) continue;
    const s = g.stride[r];
    const cx = (out[o] + g.gx[r]) * s;
    const cy = (out[o + 1] + g.gy[r]) * s;
    const w = Math.exp(out[o + 2]) * s;
    const h = Math.exp(out[o + 3]) * s;
    found.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, classIndex: best, row: r });
  }
  return found;
}
