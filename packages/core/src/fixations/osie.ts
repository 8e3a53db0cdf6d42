// The OSIE eye-tracking data set (Xu et al., J. Vision 2014) in the JSON form of
// ../shared/data/osie/fixations.json (converted from NUS-VIP/predicting-human-gaze-beyond-pixels'
// data/eye/fixations.mat):
//
//   { "images": [ { "image": "1001.jpg", "width": 800, "height": 600,
//                   "subjects": [ { "x": [...], "y": [...], "duration_ms": [...] }, ... 15 ] }, ... 700 ] }
//
// x/y are MATLAB 1-based pixel coordinates (x = column, y = row, pixel centres at integers); we
// subtract 1 to get our 0-based coordinates (fixations/types.ts). Only parsing and validation happen
// here; reading the file is the caller's business (core runs in browsers too).
import type { Fixation } from './types.js';

export interface OsieImage {
  /** Stimulus file name, e.g. '1001.jpg' (in data/osie/stimuli). */
  file: string;
  width: number;
  height: number;
  /** One fixation sequence per observer, in viewing order, 0-based coordinates. */
  observers: Fixation[][];
}

export class OsieFormatError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'OsieFormatError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function numbers(v: unknown, path: string): number[] {
  if (!Array.isArray(v)) throw new OsieFormatError(path, 'expected an array of numbers');
  v.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new OsieFormatError(`${path}[${i}]`, `expected a finite number, not ${JSON.stringify(n)}`);
  });
  return v as number[];
}

function positiveInt(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new OsieFormatError(path, `expected a positive integer, not ${JSON.stringify(v)}`);
  return v;
}

/**
 * Parse OSIE's fixations JSON (the parsed value, not the text). Every fixation must lie on the image
 * (1-based x in [0.5, width + 0.5)); the durations are kept in `duration` (ms).
 */
export function parseOsie(json: unknown): OsieImage[] {
  if (!isObject(json) || !Array.isArray(json.images)) throw new OsieFormatError('$', 'expected an object with an "images" array');
  return json.images.map((img: unknown, i): OsieImage => {
    const at = `$.images[${i}]`;
    if (!isObject(img)) throw new OsieFormatError(at, 'expected an object');
    if (typeof img.image !== 'string' || img.image === '') throw new OsieFormatError(`${at}.image`, 'expected a file name');
    const width = positiveInt(img.width, `${at}.width`);
    const height = positiveInt(img.height, `${at}.height`);
    if (!Array.isArray(img.subjects)) throw new OsieFormatError(`${at}.subjects`, 'expected an array of observers');
    const observers = img.subjects.map((s: unknown, o): Fixation[] => {
      const sp = `${at}.subjects[${o}]`;
      if (!isObject(s)) throw new OsieFormatError(sp, 'expected an object with x, y and duration_ms');
      const xs = numbers(s.x, `${sp}.x`);
      const ys = numbers(s.y, `${sp}.y`);
      const ds = s.duration_ms === undefined ? undefined : numbers(s.duration_ms, `${sp}.duration_ms`);
      if (ys.length !== xs.length || (ds && ds.length !== xs.length)) {
        throw new OsieFormatError(sp, `x, y and duration_ms differ in length (${xs.length}, ${ys.length}, ${ds?.length})`);
      }
      return xs.map((x1, k): Fixation => {
        const x = x1 - 1;
        const y = ys[k] - 1;
        if (!(x >= -0.5 && x < width - 0.5 && y >= -0.5 && y < height - 0.5)) {
          throw new OsieFormatError(`${sp}`, `fixation ${k} at 1-based (${x1}, ${ys[k]}) lies outside the ${width}×${height} image`);
        }
        const f: Fixation = { x, y, observer: o };
        if (ds) f.duration = ds[k];
        return f;
      });
    });
    return { file: img.image, width, height, observers };
  });
}
