// The default inpainter of `augment --mode inpaint`: Telea's fast-marching method (A. Telea, "An Image
// Inpainting Technique Based on the Fast Marching Method", J. Graphics Tools 9(1), 2004) as OpenCV
// itself runs it, cv.inpaint(src, mask, dst, radius, cv.INPAINT_TELEA), from @techstark/opencv-js 4.12
// (OpenCV's own C++ compiled to WebAssembly by Emscripten), not a port: what we compare against is
// OpenCV's output, and this is that code.
// * OpenCV.js is one Emscripten module of ~11 MB, loaded once per process (lazily: only `augment
//   --mode inpaint` pays the ~1.5 s start) and awaited through onRuntimeInitialized.
// * Every cv.Mat is deleted in a finally block (Emscripten heap memory is not garbage collected).
// * The result is pasted into a copy of the input through the mask (core's pasteMasked): cv.inpaint
//   writes only masked pixels, and the paste makes that a guarantee — every byte outside the mask is
//   the input's.
// * The image goes in as RGB (CV_8UC3); Telea inpaints each channel independently, so channel order
//   does not matter.
import { createRequire } from 'node:module';
import { pasteMasked, type Inpainter, type RgbImage } from '@saliency-explainer/core';

/** OpenCV's own documented example radius ("3" in the photo-inpainting tutorial); Telea's ε. */
export const DEFAULT_INPAINT_RADIUS = 3;

// The small part of OpenCV.js's API used here.
interface CvMat {
  data: Uint8Array;
  delete(): void;
}
interface Cv {
  Mat: new () => CvMat;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  inpaint(src: CvMat, mask: CvMat, dst: CvMat, radius: number, flags: number): void;
  CV_8UC3: number;
  CV_8UC1: number;
  INPAINT_TELEA: number;
  onRuntimeInitialized?: () => void;
}

let loading: Promise<{ cv: Cv }> | undefined;

/**
 * OpenCV.js, loaded and initialised once. The Emscripten module is a thenable (it has a `then`), so it
 * is handed out inside a wrapper, { cv }: resolving a promise (or returning from an async function)
 * with the module itself makes the promise adopt it as a thenable, and it never settles.
 */
export function openCv(): Promise<{ cv: Cv }> {
  loading ??= new Promise<{ cv: Cv }>((resolve, reject) => {
    try {
      const require = createRequire(import.meta.url);
      const cv = require('@techstark/opencv-js') as Cv;
      if (typeof cv.Mat === 'function' && typeof cv.inpaint === 'function') resolve({ cv });
      else cv.onRuntimeInitialized = () => resolve({ cv });
    } catch (e) {
      reject(e);
    }
  });
  return loading;
}

/** Interleaved RGB bytes of an RGB or RGBA image. */
function rgbBytes(image: RgbImage): Uint8Array {
  if (image.channels === 3) return image.data instanceof Uint8Array ? image.data : new Uint8Array(image.data);
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = image.data[i * 4];
    out[i * 3 + 1] = image.data[i * 4 + 1];
    out[i * 3 + 2] = image.data[i * 4 + 2];
  }
  return out;
}

/** cv.inpaint(image, mask, radius, INPAINT_TELEA), raw: the whole of OpenCV's output image (RGB). */
export async function teleaRaw(image: RgbImage, mask: Uint8Array, radius = DEFAULT_INPAINT_RADIUS): Promise<RgbImage> {
  const { cv } = await openCv();
  const { width, height } = image;
  const mask255 = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) mask255[i] = mask[i] ? 255 : 0;
  let src: CvMat | undefined;
  let m: CvMat | undefined;
  let dst: CvMat | undefined;
  try {
    src = cv.matFromArray(height, width, cv.CV_8UC3, rgbBytes(image));
    m = cv.matFromArray(height, width, cv.CV_8UC1, mask255);
    dst = new cv.Mat();
    cv.inpaint(src, m, dst, radius, cv.INPAINT_TELEA);
    return { data: Uint8Array.from(dst.data), width, height, channels: 3 };
  } finally {
    src?.delete();
    m?.delete();
    dst?.delete();
  }
}

/** Telea inpainting as core's Inpainter: OpenCV's pixels inside the mask, the input's bytes outside. */
export function teleaInpainter(radius = DEFAULT_INPAINT_RADIUS): Inpainter {
  return {
    id: `opencv-telea(radius=${radius})`,
    radius,
    async inpaint(image: RgbImage, mask: Uint8Array): Promise<RgbImage> {
      if (!mask.some((v) => v)) return { ...image, data: new Uint8Array(image.data) };
      return pasteMasked(image, await teleaRaw(image, mask, radius), mask);
    },
  };
}
