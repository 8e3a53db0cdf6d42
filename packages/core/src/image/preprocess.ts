// Image → model input tensor, as the reference Python pipeline makes it: Pillow's bilinear resize
// (to the model size, or torchvision's Resize(shorter side) + CenterCrop), then
// (pixel·scale − mean[c]) / std[c] in the model's channel order, laid out NCHW as float32.
import type { InputGeometry, InputSpec } from '../model/spec.js';
import { pilResizeBilinear, pilResizeBilinearWindow } from './pil-resize.js';
import { checkImage, type RgbImage } from './types.js';

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The RGB channels of an RGBA image; an RGB image as it is. */
function toRgb(img: RgbImage): RgbImage {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = img.data[i * 4];
    data[i * 3 + 1] = img.data[i * 4 + 1];
    data[i * 3 + 2] = img.data[i * 4 + 2];
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

/**
 * torchvision's center_crop offset along one axis: round((size − crop)/2) into the image, or, when
 * the crop is larger, minus the zero padding it adds before the crop ((crop − size) // 2).
 */
function cropOffset(size: number, crop: number): number {
  return size >= crop ? roundHalfEven((size - crop) / 2) : -Math.floor((crop - size) / 2);
}

/** A width×height window of an RGB image from (left, top); pixels outside the image are black. */
function crop(img: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(width, img.width - left);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height || x1 <= x0) continue;
    const from = (sy * img.width + left + x0) * 3;
    data.set(img.data.subarray(from, from + (x1 - x0) * 3), (y * width + x0) * 3);
  }
  return { data, width, height, channels: 3 };
}

/**
 * The RGB image the model sees, spec.width × spec.height (a copy even when no resizing is needed).
 * 'stretch': Pillow bilinear resize to the model size. 'shorter-crop': torchvision
 * Resize(resizeShorter) (the longer side becomes int(resizeShorter·long/short)) then
 * CenterCrop(height, width); resizeShorter defaults to the smaller model side.
 */
export function resizeForModel(img: RgbImage, spec: InputGeometry): RgbImage {
  checkImage(img);
  const rgb = toRgb(img);
  if (spec.resize === 'stretch') return pilResizeBilinear(rgb, spec.width, spec.height);
  const shorter = spec.resizeShorter ?? Math.min(spec.width, spec.height);
  if (!Number.isInteger(shorter) || shorter < 1) throw new RangeError(`resizeShorter must be a positive integer, not ${shorter}`);
  const [w, h] = rgb.width <= rgb.height
    ? [shorter, Math.trunc((shorter * rgb.height) / rgb.width)]
    : [Math.trunc((shorter * rgb.width) / rgb.height), shorter];
  const left = cropOffset(w, spec.width);
  const top = cropOffset(h, spec.height);
  // the crop inside the resized image (the usual case): resize only what it keeps, the same bytes
  if (w >= spec.width && h >= spec.height) return pilResizeBilinearWindow(rgb, w, h, left, top, spec.width, spec.height);
  return crop(pilResizeBilinear(rgb, w, h), left, top, spec.width, spec.height);
}

/**
 * An RGB(A) image already at the model's size → [1, 3, H, W] float32. Each value is computed in
 * double and rounded once to float32 (a float32 numpy pipeline can differ by one unit in the last place).
 */
export function toTensor(img: RgbImage, spec: InputSpec): Float32Array {
  checkImage(img);
  if (img.width !== spec.width || img.height !== spec.height) {
    throw new RangeError(`image is ${img.width}×${img.height}; the model takes ${spec.width}×${spec.height}`);
  }
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  const source = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = source[c];
    const mean = spec.mean[c];
    const std = spec.std[c];
    const plane = out.subarray(c * n, (c + 1) * n);
    for (let i = 0; i < n; i++) plane[i] = (img.data[i * img.channels + src] * spec.scale - mean) / std;
  }
  return out;
}

/** Image → model input: toTensor(resizeForModel(img, spec), spec). */
export function preprocess(img: RgbImage, spec: InputSpec): Float32Array {
  return toTensor(resizeForModel(img, spec), spec);
}
