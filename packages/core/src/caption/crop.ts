// The `crop` fact's input: the image cut to the box around the strong part of the map (where.ts),
// padded by CROP_PAD of the box's size on every side and rounded out to whole pixels, then
// preprocessed like the original (resize to the model's grid, normalise).
import type { Box } from '../detect/types.js';
import { preprocess } from '../image/preprocess.js';
import type { RgbImage } from '../image/types.js';
import type { InputSpec } from '../model/spec.js';

export const CROP_PAD = 0.1;

/** `box` padded by `pad` × its width/height per side, in whole pixels inside a width × height image. */
export function cropBox(box: Box, width: number, height: number, pad = CROP_PAD): Box {
  const pw = pad * (box[2] - box[0]);
  const ph = pad * (box[3] - box[1]);
  const x0 = Math.max(0, Math.floor(box[0] - pw));
  const y0 = Math.max(0, Math.floor(box[1] - ph));
  const x1 = Math.min(width, Math.max(x0 + 1, Math.ceil(box[2] + pw)));
  const y1 = Math.min(height, Math.max(y0 + 1, Math.ceil(box[3] + ph)));
  return [x0, y0, x1, y1];
}

/** The pixels of `box` (whole pixels inside the image) as an image of its own. */
export function cropImage(img: RgbImage, box: Box): RgbImage {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  const c = img.channels;
  const data = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * img.width + x0) * c;
    data.set(img.data.subarray(from, from + w * c), y * w * c);
  }
  return { data, width: w, height: h, channels: c };
}

/** The model's input for the crop of `img` to `box`. */
export function cropInput(img: RgbImage, spec: InputSpec, box: Box): Float32Array {
  return preprocess(cropImage(img, box), spec);
}
