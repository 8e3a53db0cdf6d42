// Seeded Gaussian noise for SmoothGrad: mulberry32 uniforms (metrics/random.ts) through the
// Box–Muller transform. Captum draws torch.normal, which cannot be reproduced from a seed here, so
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
    // u in (0, 1]: log(u) stays finite
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
