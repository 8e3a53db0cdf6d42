// Fixation points and the options shared by the fixation-map code. Maps are `FloatMap`s
// (cam/types.ts): row-major, `values[y * width + x]`.

/**
 * One fixation in 0-based pixel coordinates of the image it was recorded on: `x` is the column,
 * `y` the row, and the centre of pixel (i, j) is at x = i, y = j (MATLAB's 1-based coordinates
 * minus 1). Coordinates may be fractional; `fixationPixel` says which pixel a fixation falls in.
 */
export interface Fixation {
  x: number;
  y: number;
  /** Fixation duration in milliseconds, when the data set records it. */
  duration?: number;
  /** Index of the observer who made the fixation, when known. */
  observer?: number;
}

/**
 * How a filter reads beyond the edges of a map, named as scipy.ndimage names them:
 * - 'nearest': the edge pixel repeats (a a a | a b c d | d d d); pysaliency / the Tübingen benchmark
 *   blur fixation maps this way;
 * - 'reflect': half-sample symmetric (c b a | a b c | c b a), repeated for kernels wider than the map;
 * - 'constant': zeros outside the map (mass near the border is lost).
 */
export type BorderMode = 'nearest' | 'reflect' | 'constant';

/** What to do with a fixation whose pixel lies outside the map. */
export type OutOfBounds = 'error' | 'drop' | 'clamp';
