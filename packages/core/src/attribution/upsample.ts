// Nearest-neighbour upsampling as torch.nn.functional.interpolate(mode='nearest') does it (Captum's
// LayerAttribution.interpolate default, used by GuidedGradCam): output index i reads input index
// min(floor(i · scale), in − 1) with scale = in / out computed in float32.
const f32 = Math.fround;

function sourceIndex(i: number, inSize: number, outSize: number): number {
  if (inSize === outSize) return i;
  const scale = f32(inSize / outSize);
  return Math.min(Math.floor(f32(i * scale)), inSize - 1);
}

/** A w×h map → W×H, nearest neighbour (PyTorch's legacy 'nearest', not 'nearest-exact'). */
export function upsampleNearest(values: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  if (values.length !== width * height) throw new RangeError(`map has ${values.length} values, not ${width}×${height}`);
  const out = new Float32Array(outWidth * outHeight);
  const xs = Int32Array.from({ length: outWidth }, (_, x) => sourceIndex(x, width, outWidth));
  for (let y = 0; y < outHeight; y++) {
    const row = sourceIndex(y, height, outHeight) * width;
    for (let x = 0; x < outWidth; x++) out[y * outWidth + x] = values[row + xs[x]];
  }
  return out;
}
