// YOLOX's letterbox (yolox/data/data_augment.py `preproc`): scale the image by r = min(W/w, H/h),
// resize to (int(w·r), int(h·r)) with OpenCV's INTER_LINEAR, put it at the top left of a W×H canvas
// filled with the pad value (114), then (pixel·scale − mean)/std per channel, NCHW float32 in the
// spec's channel order. The resize is cam/resize.ts's cv2 INTER_LINEAR geometry in floating point,
// rounded to 8 bits as cv2 does for uint8 images (cv2's 11-bit fixed point can differ by one level),
// computed from the interleaved bytes without copying channels, each needed image row resized once.
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
  // 8-bit value → input value per channel; bilinear weights keep values in 0..255
  const luts = [0, 1, 2].map((c) => {
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v * spec.scale - spec.mean[c]) / spec.std[c];
    tensor.fill((spec.padValue * spec.scale - spec.mean[c]) / spec.std[c], c * W * H, (c + 1) * W * H);
    return lut;
  });
  // cam/resize.ts's resizeBilinear of each channel (row pass, then column pass, float64, stored as
  // float32 and rounded), read straight from the interleaved bytes: the row pass of the image rows
  // the column pass reads, each once (they come in order), all three channels at a time
  const tx = halfPixelTaps(img.width, w);
  const ty = halfPixelTaps(img.height, h);
  const { data, channels } = img;
  const lines = [new Float64Array(3 * w), new Float64Array(3 * w)];
  const held = [-1, -1];
  /** The slot holding image row `r` through the row pass, never evicting slot `keep`. */
  const line = (r: number, keep: number): number => {
    const found = held.indexOf(r);
    if (found >= 0) return found;
    const slot = keep === 0 ? 1 : 0;
    const to = lines[slot];
    const from = r * img.width * channels;
    const [c0, c1, c2] = source;
    for (let x = 0; x < w; x++) {
      const f = tx.f[x];
      const g = 1 - f;
      const p0 = from + tx.i0[x] * channels;
      const p1 = from + tx.i1[x] * channels;
      to[x] = data[p0 + c0] * g + data[p1 + c0] * f;
      to[w + x] = data[p0 + c1] * g + data[p1 + c1] * f;
      to[2 * w + x] = data[p0 + c2] * g + data[p1 + c2] * f;
    }
    held[slot] = r;
    return slot;
  };
  for (let y = 0; y < h; y++) {
    const s0 = line(ty.i0[y], held.indexOf(ty.i1[y]));
    const a = lines[s0];
    const b = lines[line(ty.i1[y], s0)];
    const f = ty.f[y];
    const g = 1 - f;
    for (let c = 0; c < 3; c++) {
      const lut = luts[c];
      const to = c * W * H + y * W;
      const o = c * w;
      for (let x = 0; x < w; x++) tensor[to + x] = lut[Math.floor(Math.fround(a[o + x] * g + b[o + x] * f) + 0.5)];
    }
  }
  return { tensor, ratio, width: w, height: h };
}
