// Bilinear resizing of float maps, in the two conventions the reference library uses:
// OpenCV's INTER_LINEAR (half-pixel centres, edge clamping) for the final map, and PyTorch's
// UpsamplingBilinear2d (align_corners=True) for ScoreCAM's masks.

export interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  f: Float64Array;
}

/** cv2.resize INTER_LINEAR: src = (dst + 0.5)·in/out − 0.5, clamped to the edge pixels. */
export function halfPixelTaps(inSize: number, outSize: number): Taps {
  const taps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), f: new Float64Array(outSize) };
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const x = (d + 0.5) * scale - 0.5;
    let s = Math.floor(x);
    let f = x - s;
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= inSize - 1) {
      s = inSize - 1;
      f = 0;
    }
    taps.i0[d] = s;
    taps.i1[d] = Math.min(s + 1, inSize - 1);
    taps.f[d] = f;
  }
  return taps;
}

/** torch.nn.UpsamplingBilinear2d: src = dst·(in − 1)/(out − 1). */
export function alignCornersTaps(inSize: number, outSize: number): Taps {
  const taps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), f: new Float64Array(outSize) };
  const scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  for (let d = 0; d < outSize; d++) {
    const x = d * scale;
    const s = Math.min(Math.floor(x), inSize - 1);
    taps.i0[d] = s;
    taps.i1[d] = Math.min(s + 1, inSize - 1);
    taps.f[d] = x - s;
  }
  return taps;
}

function separable(values: ArrayLike<number>, width: number, height: number, tx: Taps, ty: Taps, out: Float32Array, offset = 0): void {
  const outW = tx.f.length;
  const outH = ty.f.length;
  // horizontal pass into rows of the output width, then vertical
  const rows = new Float64Array(height * outW);
  for (let y = 0; y < height; y++) {
    const r = offset + y * width;
    for (let x = 0; x < outW; x++) {
      const f = tx.f[x];
      rows[y * outW + x] = values[r + tx.i0[x]] * (1 - f) + values[r + tx.i1[x]] * f;
    }
  }
  for (let y = 0; y < outH; y++) {
    const f = ty.f[y];
    const a = ty.i0[y] * outW;
    const b = ty.i1[y] * outW;
    for (let x = 0; x < outW; x++) out[y * outW + x] = rows[a + x] * (1 - f) + rows[b + x] * f;
  }
}

function checkSizes(values: ArrayLike<number>, width: number, height: number, outWidth: number, outHeight: number): void {
  if (values.length < width * height || width < 1 || height < 1 || outWidth < 1 || outHeight < 1) {
    throw new RangeError(`cannot resize ${values.length} values as ${width}×${height} to ${outWidth}×${outHeight}`);
  }
}

/** Resize a row-major width×height map as cv2.resize(map, (outWidth, outHeight)) does (INTER_LINEAR). */
export function resizeBilinear(values: ArrayLike<number>, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  checkSizes(values, width, height, outWidth, outHeight);
  const out = new Float32Array(outWidth * outHeight);
  separable(values, width, height, halfPixelTaps(width, outWidth), halfPixelTaps(height, outHeight), out);
  return out;
}

/**
 * Resize each of `planes` stacked width×height maps with align_corners=True, as
 * torch.nn.UpsamplingBilinear2d does. Returns planes·outWidth·outHeight values.
 */
export function resizeAlignCorners(values: ArrayLike<number>, planes: number, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  checkSizes(values, width, height * planes, outWidth, outHeight);
  const tx = alignCornersTaps(width, outWidth);
  const ty = alignCornersTaps(height, outHeight);
  const out = new Float32Array(planes * outWidth * outHeight);
  for (let p = 0; p < planes; p++) {
    separable(values, width, height, tx, ty, out.subarray(p * outWidth * outHeight), p * width * height);
  }
  return out;
}
