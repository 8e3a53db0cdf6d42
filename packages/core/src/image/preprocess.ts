// Image → model input tensor, as the reference Python pipeline does it: Pillow bilinear resize
// (stretch, or torchvision's Resize(shorter side) + CenterCrop), then (pixel·scale − mean)/std per
// channel in the model's channel order, NCHW float32.
import type { InputSpec } from '../model/spec.js';
import { pilResizeBilinear } from './pil-resize.js';
import { checkImage, type RgbImage } from './types.js';

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop uses it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

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

function crop(img: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const ch = img.channels;
  const data = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * img.width + left) * ch;
    data.set(img.data.subarray(from, from + width * ch), y * width * ch);
  }
  return { data, width, height, channels: img.channels };
}

/** The RGB image the model sees, at spec.width × spec.height. */
export function resizeForModel(img: RgbImage, spec: InputSpec): RgbImage {
  checkImage(img);
  const rgb = toRgb(img);
  if (spec.resize === 'stretch') return pilResizeBilinear(rgb, spec.width, spec.height);
  const shorter = spec.resizeShorter ?? Math.min(spec.width, spec.height);
  // torchvision Resize(int): the shorter side becomes `shorter`, the longer int(shorter·long/short)
  const [w, h] = rgb.width <= rgb.height
    ? [shorter, Math.trunc((shorter * rgb.height) / rgb.width)]
    : [Math.trunc((shorter * rgb.width) / rgb.height), shorter];
  const resized = pilResizeBilinear(rgb, w, h);
  if (w < spec.width || h < spec.height) {
    throw new RangeError(`resizeShorter ${shorter} is smaller than the ${spec.width}×${spec.height} crop`);
  }
  return crop(resized, roundHalfEven((w - spec.width) / 2), roundHalfEven((h - spec.height) / 2), spec.width, spec.height);
}

/** An RGB(A) image already at the model's size → [1, 3, H, W] float32. */
export function toTensor(img: RgbImage, spec: InputSpec): Float32Array {
  checkImage(img);
  if (img.width !== spec.width || img.height !== spec.height) {
    throw new RangeError(`image is ${img.width}×${img.height}; the model takes ${spec.width}×${spec.height}`);
  }
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  const order = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    const { [c]: mean } = spec.mean;
    const { [c]: std } = spec.std;
    for (let i = 0; i < n; i++) {
      out[c * n + i] = (Math.fround(img.data[i * img.channels + src] * spec.scale) - mean) / std;
    }
  }
  return out;
}

/** Image → model input: toTensor(resizeForModel(img)). */
export function preprocess(img: RgbImage, spec: InputSpec): Float32Array {
  return toTensor(resizeForModel(img, spec), spec);
}
