// YOLOX's letterbox (yolox/data/data_augment.py `preproc`): scale the image by r = min(W/w, H/h),
// resize to (int(w·r), int(h·r)) with OpenCV's INTER_LINEAR, put it at the top left of a W×H canvas
// filled with the pad value (114), then (pixel·scale − mean)/std per channel, NCHW float32 in the
// spec's channel order. The resize is cam/resize.ts's cv2 INTER_LINEAR geometry in floating point,
// rounded to 8 bits as cv2 does for uint8 images (cv2's 11-bit fixed point can differ by one level),
// computed from the interleaved bytes without copying channels or resizing rows nobody reads.
import { halfPixelTaps } from '../cam/resize.js';
import { checkImage, type RgbImage } from '../image/types.js';
import type { DetectorInputSpec } from '../model/spec.js';

export interface Letterboxed {
  /** [1, 3, H, W] float32. */
  tensor: Float32Array;
  /** Input pixels per image pixel; an input coordinate divided by it is an image coordinate. */
  ratio: number;
  /** The resized image's size inside the canvas. */
  width: number;
  height: number;
}

export function letterbox(img: RgbImage, spec: DetectorInputSpec): Letterboxed {
  checkImage(img);
  const W = spec.width;
  const H = spec.height;
  const ratio = Math.min(W / img.width, H / img.height);
  const w = Math.max(1, Math.trunc(img.width * ratio));
  const h = Math.max(1, Math.trunc(img.height * ratio));
  const tensor = new Float32Array(3 * W * H);
  const source = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  // cam/resize.ts's resizeBilinear of each channel, read straight from the interleaved bytes: the
  // row pass only on the image rows the column pass reads (two per output row at most), kept at
  // slot[y]; the same float64 arithmetic in the same order, so the same values
  const tx = halfPixelTaps(img.width, w);
  const ty = halfPixelTaps(img.height, h);
  const slot = new Int32Array(img.height).fill(-1);
  for (let y = 0; y < h; y++) slot[ty.i0[y]] = slot[ty.i1[y]] = 0;
  let kept = 0;
  for (let y = 0; y < img.height; y++) if (slot[y] === 0) slot[y] = kept++;
  const rows = new Float64Array(kept * w);
  const resized = new Float32Array(w * h);
  const at0 = new Int32Array(w);
  const at1 = new Int32Array(w);
  const { data, channels } = img;
  const stride = img.width * channels;
  for (let c = 0; c < 3; c++) {
    for (let x = 0; x < w; x++) {
      at0[x] = tx.i0[x] * channels + source[c];
      at1[x] = tx.i1[x] * channels + source[c];
    }
    for (let y = 0; y < img.height; y++) {
      if (slot[y] < 0) continue;
      const from = y * stride;
      const to = slot[y] * w;
      for (let x = 0; x < w; x++) {
        const f = tx.f[x];
        rows[to + x] = data[from + at0[x]] * (1 - f) + data[from + at1[x]] * f;
      }
    }
    for (let y = 0; y < h; y++) {
      const f = ty.f[y];
      const a = slot[ty.i0[y]] * w;
      const b = slot[ty.i1[y]] * w;
      for (let x = 0; x < w; x++) resized[y * w + x] = rows[a + x] * (1 - f) + rows[b + x] * f;
    }
    // 8-bit value → input value, once per channel; bilinear weights keep values in 0..255
    const lut = Float32Array.from({ length: 256 }, (_, v) => (v * spec.scale - spec.mean[c]) / spec.std[c]);
    const out = tensor.subarray(c * W * H, (c + 1) * W * H);
    out.fill((spec.padValue * spec.scale - spec.mean[c]) / spec.std[c]);
    for (let y = 0; y < h; y++) {
      const row = y * w;
      const to = y * W;
      for (let x = 0; x < w; x++) out[to + x] = lut[Math.floor(resized[row + x] + 0.5)];
    }
  }
  return { tensor, ratio, width: w, height: h };
}
