// A small seeded pseudo-random generator, so that every randomised metric (AUC-Judd's jitter,
// AUC-Borji's and shuffled AUC's samples, the human ceiling's split halves) is reproducible.
// mulberry32 (Tommy Ettinger's 32-bit generator): period 2³², plenty for tens of millions of draws
// per score; not for cryptography. MATLAB's rand/randi/randperm (Mersenne Twister) cannot be
// reproduced from its seed here, so scores match cvzoya's in distribution, not digit for digit.

export type Random = () => number;

/** mulberry32's state for `seed` (any finite number; its low 32 bits are used). */
export function mulberry32State(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, not ${seed}`);
  return Math.trunc(seed) >>> 0;
}

/** mulberry32's next state. */
export const mulberry32Step = (a: number): number => (a + 0x6d2b79f5) >>> 0;

/** mulberry32's uniform number in [0, 1) (32 random bits) for a state just stepped to `a`. */
export function mulberry32Uniform(a: number): number {
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Uniform numbers in [0, 1) with 32 random bits, determined by `seed` (any number; its low 32 bits are used). */
export function seededRandom(seed: number): Random {
  let a = mulberry32State(seed);
  return () => mulberry32Uniform((a = mulberry32Step(a)));
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/**
 * The first k entries of a uniformly random permutation of `items` (a partial Fisher–Yates shuffle
 * of a copy): MATLAB's `items(randperm(numel(items)))(1:k)` in distribution.
 */
export function randomSubset(random: Random, items: Int32Array, k: number): Int32Array {
  const a = Int32Array.from(items);
  const m = Math.min(k, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + randomInt(random, a.length - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.subarray(0, m);
}
