// Spectral residual saliency, Hou & Zhang (2007), "Saliency detection: a spectral residual approach",
// CVPR. Steps as in the authors' published MATLAB code:
//   1. grey image (MATLAB rgb2gray weights) in [0, 1], shrunk to 64 pixels wide keeping the aspect
//      ratio (64×48 for 800×600; `imresize(img, 64/size(img,2))`);
//   2. F = fft2(image); log amplitude L = log|F|, phase P = angle(F);
//   3. spectral residual R = L − h₃ ∗ L, h₃ the 3×3 mean;
//   4. saliency = |ifft2(exp(R + iP))|², smoothed by a Gaussian (σ = 2.5 pixels at the 64-wide scale;
//      their `fspecial('gaussian', [10 10], 2.5)`).
// Choices where the code and the paper leave room, and why:
//   * Downscaling averages the covered area (antialiased, like MATLAB's default imresize, which
//     filters before shrinking); plain bilinear sampling would alias at 12.5×.
//   * The DFT has any length (64×48 is not a power of two): `fft.ts` (fft.js + Bluestein); the image
//     is neither padded nor stretched to 64×64 (OpenCV's StaticSaliencySpectralResidual stretches to
//     64×64, which changes the spectrum of non-square images).
//   * The 3×3 mean wraps around the spectrum's edges (frequencies are periodic); MATLAB's 'replicate'
//     padding treats the highest frequencies as an edge. Small effect, better defined.
//   * Empty frequencies: where |F| ≤ 1e-7·max|F| (every frequency but DC of a uniform image; whole
//     rows and columns of the spectrum of a flat-filled box), the phase is undefined and log|F| is
//     −∞ or, after rounding, an arbitrary large negative number. Such bins carry no signal: they are
//     left out of the inverse transform (exp(R)·F/|F| := 0) and out of their neighbours' 3×3 means.
//     (Kept in, or floored at any finite value, they pull those means down and amplify every bin
//     next to them by e^(Δ/9): a lattice of artefacts and ghost copies on noise-free graphics.)
//     1e-7 sits above the float32 rounding of the working image (≈1e-9 of DC) and far below the
//     8-bit quantisation noise of any photograph (≈1e-5 of DC), so for photographs this is the
//     plain method; a uniform image gives a flat map (MATLAB's code gives NaN).
//   * The Gaussian is a symmetric 17-tap kernel (radius 3σ) with replicated edges; MATLAB's even 10×10
//     kernel shifts the map by half a pixel and its zero padding darkens a border band, a hidden
//     centre bias we keep out (the centre bias is a model of its own here).
// Output: the smoothed map bilinearly upsampled to the image's size and divided by its maximum
// (values in [0, 1]); `spectralResidualSmall` returns it at the working (64-wide) resolution.
import type { RgbImage } from '../image/types.js';
import { grayPlane, makePlane, scaleToMax, type FloatMap } from './plane.js';
import { resizeArea, resampleBilinear } from './resample.js';
import { gaussianBlur, mean3x3Circular } from './blur.js';
import { dft2d } from './fft.js';

export interface SpectralResidualOptions {
  /** Working width in pixels (default 64); the height keeps the aspect ratio. */
  width?: number;
  /** Smoothing sigma in working-resolution pixels (default 2.5). */
  sigma?: number;
}

/** Amplitude, relative to the largest, at or below which a frequency counts as empty. */
const EMPTY = 1e-7;

/** Spectral residual of a grey plane, at the plane's own size, before smoothing. */
export function spectralResidualRaw(gray: FloatMap): FloatMap {
  const { width, height } = gray;
  const n = width * height;
  const re = Float64Array.from(gray.values);
  const im = new Float64Array(n);
  dft2d(re, im, width, height);
  const amp = new Float64Array(n);
  let maxAmp = 0;
  for (let i = 0; i < n; i++) {
    amp[i] = Math.hypot(re[i], im[i]);
    if (amp[i] > maxAmp) maxAmp = amp[i];
  }
  const out = makePlane(width, height);
  if (!(maxAmp > 0)) return out; // a black image has no spectrum at all
  const floor = EMPTY * maxAmp;
  const logAmp = new Float64Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (amp[i] > floor) {
      valid[i] = 1;
      logAmp[i] = Math.log(amp[i]);
    }
  }
  const local = mean3x3Circular(logAmp, width, height, valid);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) {
      re[i] = im[i] = 0;
      continue;
    }
    // exp(R + iP) = exp(R) · F/|F|
    const g = Math.exp(logAmp[i] - local[i]) / amp[i];
    re[i] *= g;
    im[i] *= g;
  }
  dft2d(re, im, width, height, true);
  for (let i = 0; i < n; i++) out.values[i] = re[i] * re[i] + im[i] * im[i];
  return out;
}

/** Working size: `width` wide (default 64), height by the aspect ratio (at least 1). */
export function spectralResidualSize(imageWidth: number, imageHeight: number, width = 64): { width: number; height: number } {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`spectral residual width must be a positive integer, not ${width}`);
  return { width, height: Math.max(1, Math.round((width * imageHeight) / imageWidth)) };
}

/** The smoothed spectral-residual map at the working resolution (unscaled). */
export function spectralResidualSmall(image: RgbImage, options: SpectralResidualOptions = {}): FloatMap {
  const gray = grayPlane(image);
  const size = spectralResidualSize(image.width, image.height, options.width ?? 64);
  const small = size.width <= gray.width && size.height <= gray.height
    ? resizeArea(gray, size.width, size.height)
    : resampleBilinear(gray, size.width, size.height);
  return gaussianBlur(spectralResidualRaw(small), options.sigma ?? 2.5);
}

/** Spectral-residual saliency at the image's resolution, scaled to [0, 1]. */
export function spectralResidual(image: RgbImage, options: SpectralResidualOptions = {}): FloatMap {
  const small = spectralResidualSmall(image, options);
  return scaleToMax(resampleBilinear(small, image.width, image.height));
}
