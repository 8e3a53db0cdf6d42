// Decoding untrusted image bytes with sharp, shared by the CLI and the API: raster formats only, the
// pixel limit checked from the header before any pixel is decoded, EXIF orientation applied,
// transparency composited over white, the first frame of animations. decodeImage gives 8-bit RGB at
// full size (the model's exact input needs every pixel); checkImage reads the whole image to find
// damage but keeps only a thumbnail, so uploads are validated in little memory; decodeGrayMap keeps a
// 16-bit image's 16 bits (density maps).
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

/** What the header says, after EXIF orientation: the size, the format, the pixels a decode makes. */
export interface ImageHeader {
  width: number;
  height: number;
  format: string;
  /** Pixels of one full-resolution frame (what decodeImage allocates, × 3 bytes). */
  pixels: number;
  /** 8 or 16 bits per channel. */
  bits: 8 | 16;
}

export interface DecodedImage {
  image: RgbImage;
  /** sharp's name of the source format */
  format: string;
}

const tooLarge = (maxPixels: number) => new ImageDecodeError('IMAGE_TOO_LARGE', `the image has more pixels than the limit of ${maxPixels}`);

function input(bytes: Uint8Array): Buffer {
  if (bytes.length === 0) throw new ImageDecodeError('BAD_IMAGE', 'the image is empty (0 bytes)');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The header's facts, refusing what is not a raster image or has more than `maxPixels`, before any pixel is decoded. */
export async function imageHeader(bytes: Uint8Array, maxPixels: number): Promise<ImageHeader> {
  const buf = input(bytes);
  try {
    const meta = await sharp(buf, { failOn: 'truncated' }).metadata();
    const format = meta.format ?? 'unknown';
    if (!RASTER_FORMATS.has(format)) {
      throw new ImageDecodeError('BAD_IMAGE', `${format} images are not accepted (accepted: ${[...RASTER_FORMATS].join(', ')})`);
    }
    const w = meta.width ?? 0;
    const h = meta.pageHeight ?? meta.height ?? 0;
    const pixels = w * h;
    if (pixels > maxPixels) {
      throw new ImageDecodeError('IMAGE_TOO_LARGE', `the image has ${w} × ${h} = ${pixels} pixels, more pixels than the limit of ${maxPixels}`);
    }
    const turned = (meta.orientation ?? 1) >= 5;
    const bits = meta.depth === 'ushort' || meta.depth === 'short' ? 16 : 8;
    return { width: turned ? h : w, height: turned ? w : h, format, pixels, bits };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const msg = (e as Error).message;
    // sharp refuses headers beyond its own default limit (16383 × 16383) already here
    if (/pixel limit/i.test(msg)) throw tooLarge(maxPixels);
    throw new ImageDecodeError('BAD_IMAGE', `not a readable image (${msg})`);
  }
}

/** Decoding errors as ours (the pixel limit, anything else a bad image). */
function decodeFailure(e: unknown, format: string, maxPixels: number): ImageDecodeError {
  const msg = (e as Error).message;
  if (/pixel limit/i.test(msg)) return tooLarge(maxPixels);
  return new ImageDecodeError('BAD_IMAGE', `cannot decode the ${format} image: ${msg}`);
}

/** Longest side of the thumbnail checkImage decodes to. */
export const CHECK_SIDE = 64;

/**
 * Checks that the whole image decodes (a truncated or damaged file is BAD_IMAGE) while holding only a
 * thumbnail: libvips shrinks strip by strip as it reads. Returns the header.
 */
export async function checkImage(bytes: Uint8Array, maxPixels: number): Promise<ImageHeader> {
  const header = await imageHeader(bytes, maxPixels);
  try {
    await sharp(input(bytes), { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .resize(CHECK_SIDE, CHECK_SIDE, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
  } catch (e) {
    throw decodeFailure(e, header.format, maxPixels);
  }
  return header;
}

/** 8-bit sRGB, EXIF-rotated, alpha over white; resized to `size` while decoding when given. */
async function decodeRgb(bytes: Uint8Array, maxPixels: number, size?: { width: number; height: number }): Promise<DecodedImage> {
  const { format } = await imageHeader(bytes, maxPixels);
  try {
    let img = sharp(input(bytes), { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha();
    if (size) img = img.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3', fastShrinkOnLoad: false });
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 }, format };
  } catch (e) {
    throw decodeFailure(e, format, maxPixels);
  }
}

/** Full-resolution 8-bit RGB (3 bytes per pixel of the header's `pixels`). */
export function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  return decodeRgb(bytes, maxPixels);
}

/**
 * 8-bit RGB resized to width × height (lanczos3, as sharp resizes) while decoding: libvips streams the
 * full-resolution pixels through the resize, so memory follows the output size (overlays of stored
 * images at a PNG's size).
 */
export async function decodeImageAt(bytes: Uint8Array, maxPixels: number, width: number, height: number): Promise<RgbImage> {
  return (await decodeRgb(bytes, maxPixels, { width, height })).image;
}

/** A gray map of the image: Rec. 601 luma, (299·R + 587·G + 114·B) / 1000, in 0..255 at the image's own precision. */
export interface GrayMap {
  width: number;
  height: number;
  values: Float32Array;
  /** 8, or 16 when the image has 16 bits per channel (values then step by 1/257). */
  bits: 8 | 16;
}

/**
 * An image as a gray map (score's saliency and density maps). A 16-bit image keeps its 16 bits: it is
 * read as 16-bit samples and scaled by 1/257, so 8-bit v and 16-bit 257·v give the same value.
 */
export async function decodeGrayMap(bytes: Uint8Array, maxPixels: number): Promise<GrayMap> {
  const header = await imageHeader(bytes, maxPixels);
  if (header.bits === 8) {
    const { image } = await decodeImage(bytes, maxPixels);
    return { ...luma(image.data, image.width, image.height, 3, 1), bits: 8 };
  }
  try {
    const meta = await sharp(input(bytes)).metadata();
    const gray = meta.channels === 1 || meta.channels === 2;
    const { data, info } = await sharp(input(bytes), { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace(gray ? 'grey16' : 'rgb16')
      .removeAlpha()
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    return { ...luma(samples, info.width, info.height, info.channels, 1 / 257), bits: 16 };
  } catch (e) {
    throw decodeFailure(e, header.format, maxPixels);
  }
}

function luma(data: ArrayLike<number>, width: number, height: number, channels: number, scale: number): Omit<GrayMap, 'bits'> {
  const n = width * height;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = channels < 3
      ? data[i * channels] * scale
      : ((299 * data[i * channels] + 587 * data[i * channels + 1] + 114 * data[i * channels + 2]) / 1000) * scale;
  }
  return { width, height, values };
}

/** An RGB image as PNG bytes. */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  }).png().toBuffer();
}
