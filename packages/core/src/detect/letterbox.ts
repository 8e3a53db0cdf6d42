// YOLOX's letterbox (yolox/data/data_augment.py `preproc`): scale the image by r = min(W/w, H/h),
// resize to (int(w·r), int(h·r)) with OpenCV's INTER_LINEAR, put it at the top left of a W×H canvas
// filled with the pad value (114), then (pixel·scale − mean)/std per channel, NCHW float32 in the
// spec's channel order. The resize is cam/resize.ts's cv2 INTER_LINEAR geometry in floating point,
// rounded to 8 bits as cv2 does for uint8 images (cv2's 11-bit fixed point can differ by one level).
import { resizeBilinear } from '../cam/resize.js';
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
  const n = img.width * img.height;
  const plane = new Float32Array(n);
  const tensor = new Float32Array(3 * W * H);
  const source = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = source[c];
    for (let i = 0; i < n; i++) plane[i] = img.data[i * img.channels + src];
    const resized = w === img.width && h === img.height ? plane : resizeBilinear(plane, img.width, img.height, w, h);
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
