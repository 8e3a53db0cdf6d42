// ROC helpers shared by the AUC metrics: MATLAB's trapz, MATLAB's colon operator (the threshold
// grid of AUC-Borji and shuffled AUC), and the fixed-step ROC both of those sweep.

/** ∫y dx by the trapezoidal rule over the points (x[i], y[i]) in order (MATLAB trapz(x, y)). */
export function trapz(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/**
 * MATLAB's `a:d:b` for d > 0, element for element, following MathWorks' published description of the
 * colon operator: n = round((b − a)/d), less 1 if a + n·d overshoots b by more than
 * tol = 2·eps·max(|a|, |b|); the end point c = a + n·d snaps to b when within tol; the first half of
 * the elements are a + k·d, the second half c − k·d, and for even n the middle one is (a + c)/2.
 * This matters for thresholds: MATLAB's 0:0.1:1 holds exactly 0.6 (1 − 4·0.1) where 6·0.1 is
 * 0.6000000000000001, and a saliency value of exactly 0.6 (153/255) counts as above it.
 */
export function matlabColon(a: number, d: number, b: number): Float64Array {
  if (!Number.isFinite(a) || !Number.isFinite(d) || !Number.isFinite(b) || d <= 0) {
    throw new RangeError(`matlabColon(${a}, ${d}, ${b}) needs finite values and a positive step`);
  }
  if (b < a) return new Float64Array(0);
  const tol = 2 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));
  let n = Math.round((b - a) / d); // (b − a)/d ≥ 0: JS rounds halves up, as MATLAB does for positives
  if (a + n * d - b > tol) n -= 1;
  let c = a + n * d;
  if (c - b > -tol) c = b;
  const v = new Float64Array(n + 1);
  for (let k = 0; k <= Math.floor(n / 2); k++) {
    v[k] = a + k * d;
    v[n - k] = c - k * d;
  }
  if (n % 2 === 0) v[n / 2] = (a + c) / 2;
  return v;
}

function countAtLeast(values: Float64Array, t: number): number {
  let c = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= t) c++;
  return c;
}

/**
 * The ROC area of AUC_Borji.m / AUC_shuffled.m for one set of negatives: thresholds
 * fliplr(0:step:max([positives; negatives])), at each the rates tp = #(positives ≥ t)/#positives and
 * fp = #(negatives ≥ t)/#negatives, the curve closed by (0, 0) and (1, 1), area by trapz.
 * Values are the saliency map min-max normalised to [0, 1].
 */
export function stepRocArea(positives: Float64Array, negatives: Float64Array, step: number): number {
  let max = -Infinity;
  for (const v of positives) max = Math.max(max, v);
  for (const v of negatives) max = Math.max(max, v);
  const thresholds = matlabColon(0, step, max);
  const n = thresholds.length;
  const tp = new Float64Array(n + 2);
  const fp = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) {
    const t = thresholds[n - 1 - i];
    tp[i + 1] = countAtLeast(positives, t) / positives.length;
    fp[i + 1] = countAtLeast(negatives, t) / negatives.length;
  }
  tp[n + 1] = 1;
  fp[n + 1] = 1;
  return trapz(fp, tp);
}
