// Independent reference computations for caption tests: the salient-pixel order and the 11-tap
// σ 5 reflect-101 Gaussian blur of a C×H×W input, written plainly (no shared code with core).

/** The k largest values' indices, ties by ascending index. */
export function topIndices(values: ArrayLike<number>, k: number): Set<number> {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  return new Set(idx.sort((a, b) => values[b] - values[a] || a - b).slice(0, k));
}

/** Each of `channels` width×height planes blurred by rows then columns. */
export function blur11(src: ArrayLike<number>, channels: number, width: number, height: number): Float64Array {
  const k = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / 50));
  const ks = k.reduce((a, b) => a + b, 0);
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const plane = width * height;
  const out = new Float64Array(channels * plane);
  const tmp = new Float64Array(plane);
  for (let c = 0; c < channels; c++) {
    const at = (x: number, y: number) => src[c * plane + y * width + x];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) tmp[y * width + x] = k.reduce((s, w, i) => s + w * at(refl(x + i - 5, width), y), 0) / ks;
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[c * plane + y * width + x] = k.reduce((s, w, i) => s + w * tmp[refl(y + i - 5, height) * width + x], 0) / ks;
    }
  }
  return out;
}

/** A copy of `input` whose pixels in `pixels` take `blurred`'s values in every channel. */
export function replaced(input: Float32Array, blurred: ArrayLike<number>, pixels: Set<number>, channels: number, plane: number): Float32Array {
  const out = Float32Array.from(input);
  for (let c = 0; c < channels; c++) for (const p of pixels) out[c * plane + p] = blurred[c * plane + p];
  return out;
}
