// Resampling of float planes. All maps in this folder use half-pixel centres: pixel i of a plane that
// covers the image at scale f (pixels per image pixel) stands for image coordinate (i + 0.5)/f − 0.5.
import { makePlane, type FloatMap } from './plane.js';

/**
 * Bilinear resampling with an explicit scale: output pixel d reads input coordinate
 * (d + 0.5)/scale − 0.5, clamped to the edge pixels (OpenCV INTER_LINEAR when scale = out/in).
 * An explicit scale lets a pyramid level of odd size be mapped back by exactly 2^k.
 */
export function resampleBilinear(src: FloatMap, outWidth: number, outHeight: number, scaleX = outWidth / src.width, scaleY = outHeight / src.height): FloatMap {
  const out = makePlane(outWidth, outHeight);
  const tx = taps(src.width, outWidth, scaleX);
  const ty = taps(src.height, outHeight, scaleY);
  const rows = new Float64Array(src.height * outWidth);
  const v = src.values;
  for (let y = 0; y < src.height; y++) {
    const r = y * src.width;
    for (let x = 0; x < outWidth; x++) {
      const f = tx.f[x];
      rows[y * outWidth + x] = v[r + tx.i0[x]] * (1 - f) + v[r + tx.i1[x]] * f;
    }
  }
  for (let y = 0; y < outHeight; y++) {
    const f = ty.f[y];
    const a = ty.i0[y] * outWidth;
    const b = ty.i1[y] * outWidth;
    for (let x = 0; x < outWidth; x++) out.values[y * outWidth + x] = rows[a + x] * (1 - f) + rows[b + x] * f;
  }
  return out;
}

function taps(inSize: number, outSize: number, scale: number) {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const x = (d + 0.5) / scale - 0.5;
    if (x <= 0) {
      i0[d] = i1[d] = 0;
    } else if (x >= inSize - 1) {
      i0[d] = i1[d] = inSize - 1;
    } else {
      const s = Math.floor(x);
      i0[d] = s;
      i1[d] = s + 1;
      f[d] = x - s;
    }
  }
  return { i0, i1, f };
}

/**
 * Area-average downscaling (each output pixel is the mean of the input area it covers, fractional
 * pixels weighted by their overlap, as OpenCV's INTER_AREA): an antialiased reduction for any ratio.
 * Only for shrinking (out ≤ in in both directions).
 */
export function resizeArea(src: FloatMap, outWidth: number, outHeight: number): FloatMap {
  if (outWidth > src.width || outHeight > src.height) {
    throw new RangeError(`resizeArea shrinks only: ${src.width}×${src.height} → ${outWidth}×${outHeight}`);
  }
  const wx = areaWeights(src.width, outWidth);
  const wy = areaWeights(src.height, outHeight);
  const rows = new Float64Array(src.height * outWidth);
  for (let y = 0; y < src.height; y++) {
    const r = y * src.width;
    for (const { out, index, weight } of wx) rows[y * outWidth + out] += weight * src.values[r + index];
  }
  const acc = new Float64Array(outWidth * outHeight);
  for (const { out, index, weight } of wy) {
    for (let x = 0; x < outWidth; x++) acc[out * outWidth + x] += weight * rows[index * outWidth + x];
  }
  return makePlane(outWidth, outHeight, Float32Array.from(acc));
}

function areaWeights(inSize: number, outSize: number): { out: number; index: number; weight: number }[] {
  const scale = inSize / outSize;
  const list: { out: number; index: number; weight: number }[] = [];
  for (let d = 0; d < outSize; d++) {
    const start = d * scale;
    const end = (d + 1) * scale;
    for (let i = Math.floor(start); i < Math.min(Math.ceil(end), inSize); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 1e-12) list.push({ out: d, index: i, weight: overlap / scale });
    }
  }
  return list;
}
