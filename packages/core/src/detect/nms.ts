// Class-wise non-maximum suppression (torchvision's batched_nms, which YOLOX's own postprocess
// uses): within each class, boxes are taken best score first and a box is dropped when its IoU with
// a kept box exceeds the threshold. Areas are continuous, (x1 − x0)·(y1 − y0).
import type { Box } from './types.js';

/** IoU of two boxes [x0, y0, x1, y1] (0 when they do not overlap or either is empty). */
export function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices of the kept candidates, best score first (ties: lower index first). */
export function classWiseNms(candidates: readonly { box: Box; score: number; classIndex: number }[], threshold: number): number[] {
  const order = candidates.map((_, i) => i).sort((i, j) => candidates[j].score - candidates[i].score || i - j);
  const kept: number[] = [];
  for (const i of order) {
    const c = candidates[i];
    if (kept.every((k) => candidates[k].classIndex !== c.classIndex || iou(candidates[k].box, c.box) <= threshold)) kept.push(i);
  }
  return kept;
}
