// Pixel buffers shared by preprocessing and overlays (browser ImageData and sharp's raw output fit).

/** Interleaved 8-bit pixels, row-major; 3 = RGB, 4 = RGBA (alpha ignored). */
export interface RgbImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

export function checkImage(img: RgbImage): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size ${width}×${height} is not a positive integer size`);
  }
  if (channels !== 3 && channels !== 4) throw new RangeError(`images have 3 or 4 channels, not ${channels}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`image data has ${data.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}`);
  }
}
