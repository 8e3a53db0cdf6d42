// Reading image files (decoded by images/decode.ts) and tensor files, writing PNGs.
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { decodeImage, encodePng, ImageDecodeError } from '../images/decode.js';
import type { RgbImage } from '@saliency-explainer/core';
import { inputError } from '../errors.js';
import { writeOutputFileAsync } from './output-files.js';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

/** A file's bytes, refused beyond `maxBytes` with a typed input error (exit 3). */
export async function readFileLimited(path: string, maxBytes: number, tooLarge = 'IMAGE_TOO_LARGE'): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw inputError('NOT_A_FILE', `${path} is not a file`);
    size = s.size;
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode) throw e;
    throw inputError('NOT_FOUND', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size > maxBytes) throw inputError(tooLarge, `${path} has ${size} bytes; the limit is ${maxBytes} (--max-image-bytes)`);
  return readFile(path);
}

/** Decode an image file to 8-bit RGB (see images/decode.ts). */
export async function readImage(path: string, limits: ImageLimits): Promise<RgbImage> {
  const bytes = await readFileLimited(path, limits.maxBytes);
  try {
    return (await decodeImage(bytes, limits.maxPixels)).image;
  } catch (e) {
    if (!(e instanceof ImageDecodeError)) throw e;
    const hint = e.code === 'IMAGE_TOO_LARGE' ? ' (--max-image-pixels)' : '';
    throw inputError(e.code, `${path}: ${e.message}${hint}`);
  }
}

/** A float32 little-endian NCHW tensor file of exactly `shape`. */
export async function readTensor(path: string, shape: number[], maxBytes: number): Promise<Float32Array> {
  const bytes = await readFileLimited(path, maxBytes);
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 * n) {
    throw inputError('BAD_TENSOR', `${path} has ${bytes.length} bytes; the model's input [${shape.join(', ')}] needs ${4 * n} (float32 little-endian)`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(4 * i);
  for (const v of out) if (!Number.isFinite(v)) throw inputError('BAD_TENSOR', `${path} holds a non-finite value`);
  return out;
}

/** An RGB image as a PNG file (a path that cannot be written is an output error, exit 5). */
export async function writePng(path: string, img: RgbImage): Promise<void> {
  await writeOutputFileAsync(path, await encodePng(img));
}

/**
 * zlib level of explain's overlay PNGs (sharp, no filter). A jet overlay on a photo compresses
 * poorly at any level (800 × 600: ~1.1 MB at level 6, ~1.25 MB at level 1), and level 1 encodes in
 * about a third of level 6's time: the largest per-image cost of `explain` (test/bench/cli.bench.mjs).
 */
export const OVERLAY_PNG_LEVEL = 1;

/** An overlay as a PNG file, encoded by sharp on libuv's threads (an unwritable path is an output error, exit 5). */
export async function writeOverlayPng(path: string, img: RgbImage): Promise<void> {
  const png = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  }).png({ compressionLevel: OVERLAY_PNG_LEVEL }).toBuffer();
  await writeOutputFileAsync(path, png);
}
