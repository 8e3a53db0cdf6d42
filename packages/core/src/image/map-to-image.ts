// A model's map back on the image it explains. The engine's final map lives on the model's input grid
// (e.g. 224×224), which is the image after the input spec's geometry: stretched to the model size
// ('stretch', SqueezeNet, MobileNet), or resized by its shorter side and centre-cropped
// ('shorter-crop', torchvision's Resize + CenterCrop). Scoring happens at the image's own size
// (OSIE: 800×600, where the fixations were recorded; crowd clicks are in the stored image's pixels), so each image pixel reads the map at the point
// of the input grid it was mapped to, inverting that geometry:
//
// * stretch: image pixel centre X ↦ model coordinate (X + 0.5)·w/W − 0.5 per axis (and likewise for
//   Y), i.e. OpenCV's INTER_LINEAR resize of the map from w×h to W×H. Pillow's resize, which made the
//   model input, uses the same half-pixel-centre geometry, so a model pixel goes back exactly where its
//   image content came from (the 4:3 photo squeezed into a square is stretched back to 4:3).
// * shorter-crop: the same through the intermediate resized image, then shifted by the crop offset
//   (torchvision's round((size − crop)/2)); image pixels the crop cut away were never seen by the
//   model and get 0, the map's minimum ("no evidence"); every metric ranks them below all seen pixels.
//
// Bilinear interpolation of a map in [0, 1] stays in [0, 1] and keeps its minimum and maximum, so the
// result is still min-max scaled (for stretch). Not the benchmark's resampling (scoreAll's resampleMap
// aligns the corners, a geometry that does not match how the model's input was made): that one would
// shift a 224-pixel map by up to half a model pixel (1.8 image pixels) towards the corners.
import type { FloatMap } from '../cam/types.js';
import { resizeBilinear } from '../cam/resize.js';
import type { InputGeometry } from '../model/spec.js';

/** Python's round(): halves to even (torchvision's centre-crop offset). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The geometry resizeForModel applies (core image/preprocess.ts), as scale and offset per axis. */
export function inputGeometry(spec: InputGeometry, width: number, height: number): { resizedWidth: number; resizedHeight: number; left: number; top: number } {
  if (spec.resize === 'stretch') return { resizedWidth: spec.width, resizedHeight: spec.height, left: 0, top: 0 };
  const shorter = spec.resizeShorter ?? Math.min(spec.width, spec.height);
  const [w, h] = width <= height ? [shorter, Math.trunc((shorter * height) / width)] : [Math.trunc((shorter * width) / height), shorter];
  const offset = (size: number, crop: number) => (size >= crop ? roundHalfEven((size - crop) / 2) : -Math.floor((crop - size) / 2));
  return { resizedWidth: w, resizedHeight: h, left: offset(w, spec.width), top: offset(h, spec.height) };
}

/** `map` (spec.width × spec.height) at the image's size width × height, as described above. */
export function mapToImage(map: FloatMap, spec: InputGeometry, width: number, height: number): FloatMap {
  if (map.width !== spec.width || map.height !== spec.height || map.values.length !== map.width * map.height) {
    throw new RangeError(`the map is ${map.width}×${map.height} (${map.values.length} values); the model's input is ${spec.width}×${spec.height}`);
  }
  if (spec.resize === 'stretch') return { width, height, values: resizeBilinear(map.values, map.width, map.height, width, height) };
  const g = inputGeometry(spec, width, height);
  // per axis: for each image pixel, the two map taps and the weight, or -1 when the crop cut it away
  const taps = (size: number, resized: number, offset: number, mapSize: number) => {
    const i0 = new Int32Array(size);
    const f = new Float64Array(size);
    for (let p = 0; p < size; p++) {
      const x = (p + 0.5) * (resized / size) - 0.5 - offset;
      if (x < -0.5 || x > mapSize - 0.5) {
        i0[p] = -1;
        continue;
      }
      const c = Math.min(Math.max(x, 0), mapSize - 1);
      i0[p] = Math.min(Math.floor(c), mapSize - 1);
      f[p] = c - i0[p];
    }
    return { i0, f };
  };
  const tx = taps(width, g.resizedWidth, g.left, map.width);
  const ty = taps(height, g.resizedHeight, g.top, map.height);
  const out = new Float32Array(width * height);
  const v = map.values;
  for (let y = 0; y < height; y++) {
    const y0 = ty.i0[y];
    if (y0 < 0) continue;
    const y1 = Math.min(y0 + 1, map.height - 1);
    const fy = ty.f[y];
    for (let x = 0; x < width; x++) {
      const x0 = tx.i0[x];
      if (x0 < 0) continue;
      const x1 = Math.min(x0 + 1, map.width - 1);
      const fx = tx.f[x];
      const top = v[y0 * map.width + x0] * (1 - fx) + v[y0 * map.width + x1] * fx;
      const bottom = v[y1 * map.width + x0] * (1 - fx) + v[y1 * map.width + x1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, values: out };
}
