// float32 arrays as JSON numbers, fast and byte for byte what `--json` has always printed:
// JSON.stringify(Array.from(values, (v) => Number(v.toPrecision(9)))) — 9 significant digits (every
// float32 round-trips), then JavaScript's shortest form of that number. toPrecision costs ~0.4 µs a
// value, which made the 250,000 floats of a top-5 SqueezeNet line ~100 ms; here a value of magnitude
// in [1e-4, 1) (almost every value of a final map) is rounded with exact integer arithmetic in
// doubles and its digits are written as bytes (four at a time, from a table), ~20× faster; so is one
// in [1e-6, 1e-4) (the faint edges of a map), whose product is split in two to stay exact. Anything
// else (0 and 1 excepted) takes the toPrecision path. JsonFloats holds an array in a report object; jsonLine stringifies the report
// and writes each JsonFloats with the fast formatter (a plain JSON.stringify gives the same text, slowly);
// jsonLineBytes gives that text as bytes for stdout, and splitAtFloats + jsonTextBytes do it in two
// steps, the second on a worker thread (json-line-thread.ts).
//
// Why the fast path is exact: a float32 v = m·2^e (m < 2^24) in [10^E, 10^(E+1)), E ∈ [−4, −1]. Its
// 9 digits are n = round(v·10^s), s = 8 − E ≤ 12, and v·10^s = (m·5^s)·2^(e+s) with m·5^s < 2^52: an
// integer held exactly, divided by a power of two, so the quotient and remainder are exact and the
// tie rounds up (ECMAScript's toPrecision: "the larger n"). The result n·10^(E−8) with trailing zeros
// cut is then also the shortest text of the double nearest to it (another decimal of as few digits is
// at least 10^(E−8) away, ten million times the double's spacing), which is what JSON.stringify prints.
// For E ∈ {−6, −5} (s = 13, 14), m·5^s reaches 2^57, so it is taken as m·(Ah·2^16 + Al) with m·Ah < 2^41
// and m·Al < 2^40: with t = −(e + s) ∈ [23, 30], N / 2^t = ⌊m·Ah / 2^(t−16)⌋ + (remainder·2^16 + m·Al) / 2^t,
// every term an exact integer below 2^53. Below 1e-6 JSON.stringify writes an exponent: the slow path.

import { randomUUID } from 'node:crypto';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** 2^k, k < 64 (the shifts of the fast path are 15–25). */
const POW2 = Array.from({ length: 64 }, (_, k) => 2 ** k);
const POW5 = [1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625];
/** 5^s = POW5_HIGH[s]·2^16 + POW5_LOW[s], for s = 13, 14 (the decades below 1e-4). */
const POW5_HIGH: number[] = [];
const POW5_LOW: number[] = [];
for (const s of [13, 14]) {
  POW5_HIGH[s] = Math.floor(5 ** s / 65536);
  POW5_LOW[s] = 5 ** s - POW5_HIGH[s] * 65536;
}
/** '0000' … '9999' as 4 ASCII bytes in a little-endian uint32 (one DataView store writes 4 digits). */
const DIGIT_QUADS = Uint32Array.from({ length: 10000 }, (_, k) =>
  (48 + Math.floor(k / 1000)) + (48 + (Math.floor(k / 100) % 10)) * 2 ** 8 + (48 + (Math.floor(k / 10) % 10)) * 2 ** 16 + (48 + (k % 10)) * 2 ** 24);
/** The trailing zeros of '0000' … '9999' (of 0: 4). */
const QUAD_ZEROS = Uint8Array.from({ length: 10000 }, (_, k) => (k === 0 ? 4 : k % 1000 === 0 ? 3 : k % 100 === 0 ? 2 : k % 10 === 0 ? 1 : 0));
/** The longest text of the slow path: '-1.23456789e-38' and the like. */
const MAX_CHARS = 24;

/** The reference: the text --json has always printed for one float32 value. */
export function float32JsonSlow(v: number): string {
  return JSON.stringify(Number(v.toPrecision(9)));
}

/** Writes the JSON text of float32 `v` at buf[pos…] (`view`: a DataView of buf); returns the position after it. */
function writeFloat32(buf: Buffer, view: DataView, pos: number, v: number): number {
  let a = v < 0 ? -v : v;
  if (a === 0 || a === 1) {
    if (v === -1) buf[pos++] = 45; // '-'
    buf[pos++] = a === 0 ? 48 : 49;
    return pos;
  }
  if (!(a >= 1e-6 && a < 1)) return pos + buf.write(float32JsonSlow(v), pos, 'latin1');
  if (v < 0) buf[pos++] = 45;
  F32[0] = a;
  const bits = U32[0];
  const m = (bits & 0x7fffff) | 0x800000;
  const e = ((bits >>> 23) & 0xff) - 150;
  const E = a >= 0.1 ? -1 : a >= 0.01 ? -2 : a >= 0.001 ? -3 : a >= 1e-4 ? -4 : a >= 1e-5 ? -5 : -6;
  const s = 8 - E;
  const p2 = POW2[-(e + s)];
  let q: number;
  let twiceRest: number;
  if (s <= 12) {
    const N = m * POW5[s];
    q = Math.floor(N / p2);
    twiceRest = 2 * (N - q * p2);
  } else {
    // N = m·Ah·2^16 + m·Al (see the header), divided by p2 = 2^t in two exact steps
    const high = m * POW5_HIGH[s];
    const p2High = POW2[-(e + s) - 16];
    const qHigh = Math.floor(high / p2High);
    const rest = (high - qHigh * p2High) * 65536 + m * POW5_LOW[s];
    const qRest = Math.floor(rest / p2);
    q = qHigh + qRest;
    twiceRest = 2 * (rest - qRest * p2);
  }
  // q < 10^9 < 2^31: integer arithmetic from here on
  let n = (twiceRest >= p2 ? q + 1 : q) | 0;
  let zeros = -E - 1; // zeros after the point
  if (n >= 1e9) {
    // rounded up to the next power of ten
    n = 1e8;
    zeros--;
    if (zeros < 0) {
      buf[pos++] = 49;
      return pos;
    }
  }
  buf[pos++] = 48; // '0'
  buf[pos++] = 46; // '.'
  for (let z = 0; z < zeros; z++) buf[pos++] = 48;
  // n has 9 digits (10^8 ≤ n < 10^9): its first, then two groups of 4, the text ending before its trailing zeros
  const high = (n / 10000) | 0;
  const low = n - high * 10000;
  const first = (high / 10000) | 0;
  const middle = high - first * 10000;
  buf[pos] = 48 + first;
  view.setUint32(pos + 1, DIGIT_QUADS[middle], true);
  view.setUint32(pos + 5, DIGIT_QUADS[low], true);
  return low ? pos + 9 - QUAD_ZEROS[low] : pos + 5 - QUAD_ZEROS[middle];
}

/** The formatting buffer, grown as needed and reused (the text is copied out of it). */
let scratch = Buffer.allocUnsafe(1 << 16);
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);

/** Makes the scratch buffer hold at least `size` bytes, keeping its first `keep`. */
function reserve(size: number, keep: number): Buffer {
  if (scratch.length < size) {
    const larger = Buffer.allocUnsafe(Math.max(size, 2 * scratch.length));
    scratch.copy(larger, 0, 0, keep);
    scratch = larger;
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  return scratch;
}

/** Writes `values` as a JSON array into the scratch buffer at `at`; returns the position after it. */
function formatArray(values: ArrayLike<number>, at = 0): number {
  const buf = reserve(at + 2 + values.length * (MAX_CHARS + 1), at);
  const view = scratchView;
  let pos = at;
  buf[pos++] = 91; // '['
  for (let i = 0; i < values.length; i++) {
    if (i) buf[pos++] = 44; // ','
    pos = writeFloat32(buf, view, pos, Math.fround(values[i]));
  }
  buf[pos++] = 93; // ']'
  return pos;
}

/** `values` as a JSON array text, exactly float32JsonSlow of each value joined by commas. */
export function float32ArrayJson(values: ArrayLike<number>): string {
  const length = formatArray(values); // first: it may replace the scratch buffer with a larger one
  return scratch.toString('latin1', 0, length);
}

/**
 * A float32 array printed as JSON numbers with 9 significant digits (each float32 exactly, and no
 * more). It is formatted only when the JSON is written (report.json holds files instead), by
 * jsonLine's fast path (json-floats.ts) or, under a plain JSON.stringify, by toJSON: the same text.
 */
export class JsonFloats {
  constructor(readonly values: Float32Array) {}

  toJSON(): unknown {
    if (collected) {
      collected.push(this.values);
      return PLACEHOLDER;
    }
    return Array.from(this.values, (v) => Number(v.toPrecision(9)));
  }
}

/** Stands in for each JsonFloats while jsonLine stringifies; no other string of the report can equal it. */
const PLACEHOLDER = `\u0001floats:${randomUUID()}\u0001`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);
let collected: Float32Array[] | undefined;

/** JSON.stringify(value) cut at its JsonFloats: the text around them, and the arrays in order. */
export interface SplitJson {
  /** The JSON text between the arrays: one more than there are arrays. */
  parts: string[];
  arrays: Float32Array[];
}

/** JSON.stringify(value) cut at its JsonFloats (their numbers are written by jsonTextBytes). */
export function splitAtFloats(value: unknown): SplitJson {
  const arrays: Float32Array[] = [];
  collected = arrays;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    collected = undefined;
  }
  if (!arrays.length) return { parts: [text], arrays };
  const parts = text.split(PLACEHOLDER_JSON);
  if (parts.length !== arrays.length + 1) throw new Error('jsonLine: placeholder count mismatch');
  return { parts, arrays };
}

/** JSON.stringify(value), with each JsonFloats' numbers written by the fast formatter. */
export function jsonLine(value: unknown): string {
  const { parts, arrays } = splitAtFloats(value);
  let out = parts[0];
  for (let i = 0; i < arrays.length; i++) out += float32ArrayJson(arrays[i]) + parts[i + 1];
  return out;
}

/**
 * A split JSON text joined as UTF-8 bytes, each array's numbers written by the fast formatter: one
 * buffer of its own (not Node's shared pool, so a worker thread may transfer it). A map's millions
 * of digits never become a JavaScript string (making one, then encoding it for stdout, cost as much
 * as writing the digits).
 */
export function jsonTextBytes({ parts, arrays }: SplitJson): Buffer {
  if (parts.length !== arrays.length + 1) throw new Error('jsonTextBytes: a text part is wanted around each array');
  let pos = 0;
  const writePart = (text: string) => {
    reserve(pos + Buffer.byteLength(text, 'utf8'), pos);
    pos += scratch.write(text, pos, 'utf8');
  };
  writePart(parts[0]);
  for (let i = 0; i < arrays.length; i++) {
    pos = formatArray(arrays[i], pos);
    writePart(parts[i + 1]);
  }
  const out = Buffer.allocUnsafeSlow(pos);
  scratch.copy(out, 0, 0, pos);
  return out;
}

/** jsonLine's text as UTF-8 bytes, for writing as they are (one chunk). */
export function jsonLineBytes(value: unknown): Buffer[] {
  return [jsonTextBytes(splitAtFloats(value))];
}
