// Decoding untrusted image bytes to 8-bit RGB with sharp, shared by the CLI and the API: raster
// formats only, the pixel limit checked from the header before any pixel is decoded, EXIF
// orientation applied, transparency composited over white, the first frame of animations.
import sharp from 'sharp';
import type { RgbImage } from '@saliency-explainer/core';

/** What we accept; SVG and PDF are refused (vector formats can reference external resources). */
export const RASTER_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif']);

export class ImageDecodeError extends Error {
  constructor(readonly code: 'BAD_IMAGE' | 'IMAGE_TOO_LARGE', message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

export interface DecodedImage {
  image: RgbImage;
  /** sharp's name of the source format */
  format: string;
}

export async function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImageDecodeError('BAD_IMAGE', 'the image is empty (0 bytes)');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let format: string;
  try {
    const meta = await sharp(input, { failOn: 'truncated' }).metadata();
    format = meta.format ?? 'unknown';
    if (!RASTER_FORMATS.has(format)) {
      throw new ImageDecodeError('BAD_IMAGE', `${format} images are not accepted (accepted: ${[...RASTER_FORMATS].join(', ')})`);
    }
    const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
    if (pixels > maxPixels) {
      throw new ImageDecodeError('IMAGE_TOO_LARGE', `the image has ${meta.width} × ${meta.pageHeight ?? meta.height} = ${pixels} pixels, more pixels than the limit of ${maxPixels}`);
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const msg = (e as Error).message;
    // sharp refuses headers beyond its own default limit (16383 × 16383) already here
    if (/pixel limit/i.test(msg)) throw new ImageDecodeError('IMAGE_TOO_LARGE', `the image has more pixels than the limit of ${maxPixels}`);
    throw new ImageDecodeError('BAD_IMAGE', `not a readable image (${msg})`);
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 }, format };
  } catch (e) {
    const msg = (e as Error).message;
    if (/pixel limit/i.test(msg)) throw new ImageDecodeError('IMAGE_TOO_LARGE', `the image has more pixels than the limit of ${maxPixels}`);
    throw new ImageDecodeError('BAD_IMAGE', `cannot decode the ${format} image: ${msg}`);
  }
}

/** An RGB image as PNG bytes. */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  }).png().toBuffer();
}
