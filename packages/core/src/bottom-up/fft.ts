// Discrete Fourier transforms of any length, in one and two dimensions, for the spectral-residual model.
//
// The power-of-two transforms are fft.js (indutny; MIT, no dependencies, pure JavaScript, no Node
// APIs, so it runs in browsers unchanged). Only its complex `transform`/`inverseTransform` are used:
// its `realTransform` has a reported defect for sizes above 4 (indutny/fft.js#25).
// Other lengths (a 64-pixel-wide 4:3 image is 64×48) go through Bluestein's chirp-z identity,
//   X_k = w_k · Σ_j (x_j w_j) · conj(w_{k−j}),   w_k = exp(−iπk²/n),
// a circular convolution of length m ≥ 2n − 1 done with three power-of-two fft.js transforms. The
// transform is the unnormalised forward DFT X_k = Σ_j x_j exp(−2πi jk/n) (numpy/MATLAB `fft`); the
// inverse divides by n, so inverse(forward(x)) = x.
import FFT from 'fft.js';

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** A reusable transform of one length n ≥ 1 on split real/imaginary Float64Arrays, in place. */
export class Dft {
  readonly n: number;
  private readonly fft?: FFT; // power-of-two n ≥ 2
  private readonly a?: Float64Array; // interleaved scratch of length 2n (power of two) or 2m (Bluestein)
  private readonly b?: Float64Array;
  // Bluestein: chirp w_k (cos, −sin) and the transform of the convolution kernel conj(w)
  private readonly m: number = 0;
  private readonly chirpRe?: Float64Array;
  private readonly chirpIm?: Float64Array;
  private readonly kernelHat?: Float64Array;
  private readonly blue?: FFT;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`DFT length must be a positive integer, not ${n}`);
    this.n = n;
    if (n === 1) return;
    if (isPowerOfTwo(n)) {
      this.fft = new FFT(n);
      this.a = new Float64Array(2 * n);
      this.b = new Float64Array(2 * n);
      return;
    }
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.blue = new FFT(m);
    this.a = new Float64Array(2 * m);
    this.b = new Float64Array(2 * m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle exact for large k (exp(−iπk²/n) has period 2n in k²)
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(angle);
      this.chirpIm[k] = -Math.sin(angle);
    }
    const kernel = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      // conj(w_k) at k and at m − k (the kernel is even in k)
      kernel[2 * k] = this.chirpRe[k];
      kernel[2 * k + 1] = -this.chirpIm[k];
      if (k > 0) {
        kernel[2 * (m - k)] = this.chirpRe[k];
        kernel[2 * (m - k) + 1] = -this.chirpIm[k];
      }
    }
    this.kernelHat = new Float64Array(2 * m);
    this.blue.transform(this.kernelHat, kernel);
  }

  /** Forward DFT of (re, im) in place. */
  forward(re: Float64Array, im: Float64Array, offset = 0, stride = 1): void {
    this.run(re, im, offset, stride, false);
  }

  /** Inverse DFT (with the 1/n) of (re, im) in place. */
  inverse(re: Float64Array, im: Float64Array, offset = 0, stride = 1): void {
    this.run(re, im, offset, stride, true);
  }

  private run(re: Float64Array, im: Float64Array, offset: number, stride: number, inverse: boolean): void {
    const n = this.n;
    if (n === 1) return;
    // the inverse is conj(DFT(conj(x)))/n: conjugate on the way in and out
    const s = inverse ? -1 : 1;
    const a = this.a!;
    const b = this.b!;
    if (this.fft) {
      for (let k = 0; k < n; k++) {
        a[2 * k] = re[offset + k * stride];
        a[2 * k + 1] = s * im[offset + k * stride];
      }
      this.fft.transform(b, a);
      const scale = inverse ? 1 / n : 1;
      for (let k = 0; k < n; k++) {
        re[offset + k * stride] = b[2 * k] * scale;
        im[offset + k * stride] = s * b[2 * k + 1] * scale;
      }
      return;
    }
    const m = this.m;
    const cr = this.chirpRe!;
    const ci = this.chirpIm!;
    const kh = this.kernelHat!;
    const blue = this.blue!;
    a.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = re[offset + k * stride];
      const xi = s * im[offset + k * stride];
      a[2 * k] = xr * cr[k] - xi * ci[k];
      a[2 * k + 1] = xr * ci[k] + xi * cr[k];
    }
    blue.transform(b, a);
    for (let k = 0; k < m; k++) {
      const br = b[2 * k];
      const bi = b[2 * k + 1];
      a[2 * k] = br * kh[2 * k] - bi * kh[2 * k + 1];
      a[2 * k + 1] = br * kh[2 * k + 1] + bi * kh[2 * k];
    }
    blue.inverseTransform(b, a); // includes the 1/m of the convolution theorem
    const scale = inverse ? 1 / n : 1;
    for (let k = 0; k < n; k++) {
      const yr = b[2 * k];
      const yi = b[2 * k + 1];
      re[offset + k * stride] = (yr * cr[k] - yi * ci[k]) * scale;
      im[offset + k * stride] = s * (yr * ci[k] + yi * cr[k]) * scale;
    }
  }
}

/**
 * 2-D DFT of a row-major width×height complex array (split re/im), in place: rows, then columns.
 * Unnormalised forward (MATLAB fft2); the inverse divides by width·height.
 */
export function dft2d(re: Float64Array, im: Float64Array, width: number, height: number, inverse = false): void {
  if (re.length !== width * height || im.length !== width * height) {
    throw new RangeError(`dft2d: ${re.length}/${im.length} values for ${width}×${height}`);
  }
  const rows = new Dft(width);
  const cols = height === width ? rows : new Dft(height);
  for (let y = 0; y < height; y++) {
    if (inverse) rows.inverse(re, im, y * width, 1);
    else rows.forward(re, im, y * width, 1);
  }
  for (let x = 0; x < width; x++) {
    if (inverse) cols.inverse(re, im, x, width);
    else cols.forward(re, im, x, width);
  }
}
