// The image a widget explains: fetched (its bytes go to the API in remote mode), decoded with
// createImageBitmap (EXIF orientation, no colour conversion) and drawn on white (as the server flattens alpha).
import { WidgetError } from '../errors.js';

/** Largest decoded image, as the API's default SALIENCY_MAX_IMAGE_PIXELS. */
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface LoadedImage {
  url: string;
  /** The fetched bytes, as they came. */
  blob: Blob;
  bitmap: ImageBitmap;
  /** RGBA pixels at the image's own size, alpha composited over white. */
  pixels: ImageData;
}

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** A 2-D context of a fresh width×height canvas (an OffscreenCanvas where the browser has one). */
export function canvas2d(width: number, height: number): Canvas2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2-D canvas context');
  return ctx;
}

/** The pixels of a region of `bitmap` drawn at width×height on white. */
export function drawPixels(bitmap: ImageBitmap, sx: number, sy: number, sw: number, sh: number, width: number, height: number): ImageData {
  const ctx = canvas2d(width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, sx, sy, sw, sh, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

export async function loadImage(src: string, signal?: AbortSignal): Promise<LoadedImage> {
  const url = new URL(src, document.baseURI).href;
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new WidgetError('IMAGE_LOAD_FAILED', `cannot fetch the image ${src} (network error, or its server does not allow cross-origin reads)`, { cause: e });
  }
  if (!res.ok) throw new WidgetError('IMAGE_LOAD_FAILED', `cannot fetch the image ${src}: HTTP ${res.status}`);
  const blob = await res.blob();
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch (e) {
    throw new WidgetError('IMAGE_LOAD_FAILED', `${src} is not an image the browser can decode (${blob.type || 'unknown type'}, ${blob.size} bytes)`, { cause: e });
  }
  const { width, height } = bitmap;
  if (width * height > MAX_IMAGE_PIXELS) {
    bitmap.close();
    throw new WidgetError('IMAGE_LOAD_FAILED', `${src} has ${width} × ${height} pixels, more than ${MAX_IMAGE_PIXELS}`);
  }
  return { url, blob, bitmap, pixels: drawPixels(bitmap, 0, 0, width, height, width, height) };
}

/** The image's bytes as a data URL (what the API's `image` input takes). */
export function toDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the image bytes'));
    reader.readAsDataURL(blob);
  });
}
