// What a box's gradient CAM explains (pytorch-grad-cam's detector targets, on YOLOX's raw output):
// the score of the anchor point that proposed the box, objectness × class probability (both already
// through YOLOX's sigmoids), and optionally FasterRCNNBoxScoreTarget's IoU term: + IoU(the anchor's
// decoded box, a reference box) when that IoU exceeds a threshold (0.5), else the whole target is 0,
// as there. The argmax match of FasterRCNNBoxScoreTarget is locally constant, so the anchor is fixed.
// The gradient reaches the network as a seed row over the flattened output (d target / d output),
// so the compiled head-gradient graph is the classifiers' one.
// IoU follows torchvision's box_iou under PyTorch autograd: max/min split the gradient evenly on
// ties and clamp(min = 0) passes it at 0. Consequence: against the box's own decoded box the IoU
// term's gradient is exactly 0 (it is at its maximum); it matters when the reference is another box.
import type { Box } from '../detect/types.js';
import { yoloxGrid } from '../detect/yolox.js';

export interface BoxTarget {
  /** Output row (anchor point) of the box. */
  anchor: number;
  classIndex: number;
  /** FasterRCNNBoxScoreTarget's IoU term against this box, in letterboxed input pixels. */
  iouBox?: Box;
  /** Below or at this IoU the target is 0 (default 0.5, pytorch-grad-cam's). */
  iouThreshold?: number;
}

export interface OutputLayout {
  rows: number;
  /** 5 + classes. */
  step: number;
  gx: Int32Array;
  gy: Int32Array;
  stride: Int32Array;
}

export function outputLayout(rows: number, step: number, width: number, height: number, strides: readonly number[]): OutputLayout {
  const g = yoloxGrid(width, height, strides);
  if (g.gx.length !== rows) throw new RangeError(`the output has ${rows} rows; strides ${strides.join('/')} on ${width}×${height} give ${g.gx.length}`);
  return { rows, step, ...g };
}

/** The anchor's decoded box [x0, y0, x1, y1] in input pixels and d(box)/d(raw x, y, w, h) as 4×4. */
function decoded(out: ArrayLike<number>, L: OutputLayout, r: number): { box: Box; jac: number[][] } {
  const o = r * L.step;
  const s = L.stride[r];
  const cx = (out[o] + L.gx[r]) * s;
  const cy = (out[o + 1] + L.gy[r]) * s;
  const w = Math.exp(out[o + 2]) * s;
  const h = Math.exp(out[o + 3]) * s;
  // rows: x0, y0, x1, y1; columns: raw x, y, w, h
  const jac = [[s, 0, -w / 2, 0], [0, s, 0, -h / 2], [s, 0, w / 2, 0], [0, s, 0, h / 2]];
  return { box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], jac };
}

/** torchvision box_iou(a, b) and d IoU / d a (PyTorch's tie rules), float64. */
export function iouWithGradient(a: Box, b: Box): { iou: number; grad: [number, number, number, number] } {
  const half = (x: number, y: number, greater: boolean) => (x === y ? 0.5 : (greater ? x > y : x < y) ? 1 : 0);
  const ltx = Math.max(a[0], b[0]);
  const lty = Math.max(a[1], b[1]);
  const rbx = Math.min(a[2], b[2]);
  const rby = Math.min(a[3], b[3]);
  const iw = rbx - ltx;
  const ih = rby - lty;
  const w = Math.max(iw, 0);
  const h = Math.max(ih, 0);
  const mw = iw >= 0 ? 1 : 0;
  const mh = ih >= 0 ? 1 : 0;
  const inter = w * h;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const union = areaA + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  const iou = inter / union;
  // d inter / d a
  const dI = [
    -h * mw * half(a[0], b[0], true), -w * mh * half(a[1], b[1], true),
    h * mw * half(a[2], b[2], false), w * mh * half(a[3], b[3], false),
  ];
  const dA = [-(a[3] - a[1]), -(a[2] - a[0]), a[3] - a[1], a[2] - a[0]];
  const grad = dI.map((di, k) => (di * union - inter * (dA[k] - di)) / (union * union)) as [number, number, number, number];
  return { iou, grad };
}

/** The target's value on a raw output [rows, step]. */
export function boxTargetValue(out: ArrayLike<number>, L: OutputLayout, t: BoxTarget): number {
  const o = t.anchor * L.step;
  const score = out[o + 4] * out[o + 5 + t.classIndex];
  if (!t.iouBox) return score;
  const { iou } = iouWithGradient(decoded(out, L, t.anchor).box, t.iouBox);
  return iou > (t.iouThreshold ?? 0.5) ? score + iou : 0;
}

/** d target / d output, one row of `rows · step` values (a seed row of the head-gradient model). */
export function boxTargetSeed(out: ArrayLike<number>, L: OutputLayout, t: BoxTarget): Float32Array {
  const seed = new Float32Array(L.rows * L.step);
  const o = t.anchor * L.step;
  if (t.classIndex < 0 || 5 + t.classIndex >= L.step) throw new RangeError(`class ${t.classIndex} is not in the output`);
  if (t.iouBox) {
    const { box, jac } = decoded(out, L, t.anchor);
    const { iou, grad } = iouWithGradient(box, t.iouBox);
    if (!(iou > (t.iouThreshold ?? 0.5))) return seed;
    for (let j = 0; j < 4; j++) seed[o + j] = grad.reduce((acc, g, k) => acc + g * jac[k][j], 0);
  }
  seed[o + 4] = out[o + 5 + t.classIndex];
  seed[o + 5 + t.classIndex] = out[o + 4];
  return seed;
}
