// Seeded Gaussian noise for SmoothGrad: mulberry32 uniforms (metrics/random.ts) through Marsaglia's
// polar method (two normals per accepted pair, no trigonometry: SmoothGrad draws 7.5 M of them for
// 50 samples of a 224×224 input). Captum draws torch.normal, which cannot be reproduced from a seed here, so
// SmoothGrad matches the reference in distribution, not bit for bit.
import { mulberry32State, mulberry32Step, mulberry32Uniform } from '../metrics/random.js';

export interface Normal {
  /** The next standard normal number. */
  (): number;
}

/**
 * Standard normal numbers determined by a seed, one at a time (`next`) or written straight into a
 * noisy copy of an input (`noisyCopy`, SmoothGrad's rows: no call per number, ~1.7× faster); both
 * draw the same sequence, so a row holds x + σ·N for the next N's that `next` would have given.
 */
export class NormalStream {
  private a: number;
  private spare = 0;
  private hasSpare = false;
  /** The second normal of the last pair. */
  private second = 0;

  constructor(seed: number) {
    this.a = mulberry32State(seed);
  }

  /** The polar method's next accepted pair: returns its first normal, keeps the second in `second`. */
  private pair(): number {
    let a = this.a;
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * mulberry32Uniform((a = mulberry32Step(a))) - 1;
      v = 2 * mulberry32Uniform((a = mulberry32Step(a))) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    this.a = a;
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.second = v * f;
    return u * f;
  }

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const first = this.pair();
    this.spare = this.second;
    this.hasSpare = true;
    return first;
  }

  /** out[p] = x[p] + sigma · (the next normal), for every p of `out` (x at least as long). */
  noisyCopy(out: Float32Array, x: ArrayLike<number>, sigma: number): void {
    const n = out.length;
    let p = 0;
    if (this.hasSpare && n > 0) {
      out[p] = x[p] + sigma * this.spare;
      p++;
      this.hasSpare = false;
    }
    for (; p + 1 < n; p += 2) {
      out[p] = x[p] + sigma * this.pair();
      out[p + 1] = x[p + 1] + sigma * this.second;
    }
    if (p < n) out[p] = x[p] + sigma * this.next();
  }
}

/** Standard normal numbers determined by `seed` (NormalStream's `next`). */
export function seededNormal(seed: number): Normal {
  const stream = new NormalStream(seed);
  return () => stream.next();
}
