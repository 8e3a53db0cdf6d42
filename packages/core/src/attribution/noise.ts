// Seeded Gaussian noise for SmoothGrad: mulberry32 uniforms (metrics/random.ts) through Marsaglia's
// polar method (two normals per accepted pair, no trigonometry: SmoothGrad draws 7.5 M of them for
// 50 samples of a 224×224 input). Captum draws torch.normal, which cannot be reproduced from a seed here, so
// SmoothGrad matches the reference in distribution, not bit for bit.
import { seededRandom, type Random } from '../metrics/random.js';

export interface Normal {
  /** The next standard normal number. */
  (): number;
}

/** Standard normal numbers determined by `seed`. */
export function seededNormal(seed: number): Normal {
  const uniform: Random = seededRandom(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    spare = v * f;
    return u * f;
  };
}
