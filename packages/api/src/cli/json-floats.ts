// float32 arrays as JSON numbers, fast and byte for byte what `--json` has always printed:
// JSON.stringify(Array.from(values, (v) => Number(v.toPrecision(9)))) — 9 significant digits (every
// float32 round-trips), then JavaScript's shortest form of that number. toPrecision costs ~0.4 µs a
// value, which made the 250,000 floats of a top-5 SqueezeNet line ~100 ms; here a value of magnitude
// in [1e-4, 1) (almost every value of a final map) is rounded with exact integer arithmetic in
// doubles and its digits are written as bytes, ~20× faster. Anything else (0 and 1 excepted) takes
// the toPrecision path. JsonFloats holds an array in a report object; jsonLine stringifies the report
// and writes each JsonFloats with the fast formatter (a plain JSON.stringify gives the same text, slowly).
//
// Why the fast path is exact: a float32 v = m·2^e (m < 2^24) in [10^E, 10^(E+1)), E ∈ [−4, −1]. Its
// 9 digits are n = round(v·10^s), s = 8 − E ≤ 12, and v·10^s = (m·5^s)·2^(e+s) with m·5^s < 2^52: an
// integer held exactly, divided by a power of two, so the quotient and remainder are exact and the
// tie rounds up (ECMAScript's toPrecision: "the larger n"). The result n·10^(E−8) with trailing zeros
// cut is then also the shortest text of the double nearest to it (another decimal of as few digits is
// at least 10^(E−8) away, ten million times the double's spacing), which is what JSON.stringify prints.

import { randomUUID } from 'node:crypto';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** 2^k, k < 64 (the shifts of the fast path are 15–25). */
const POW2 = Array.from({ length: 64 }, (_, k) => 2 ** k);
const POW5 = [1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625];
/** The longest text of the slow path: '-1.23456789e-38' and the like. */
const MAX_CHARS = 24;

/** The reference: the text --json has always printed for one float32 value. */
export function float32JsonSlow(v: number): string {
  return JSON.stringify(Number(v.toPrecision(9)));
}

/** Writes the JSON text of float32 `v` at buf[pos…]; returns the position after it. */
function writeFloat32(buf: Buffer, pos: number, v: number): number {
  let a = v < 0 ? -v : v;
  if (a === 0 || a === 1) {
    if (v === -1) buf[pos++] = 45; // '-'
    buf[pos++] = a === 0 ? 48 : 49;
    return pos;
  }
  if (!(a >= 1e-4 && a < 1)) return pos + buf.write(float32JsonSlow(v), pos, 'latin1');
  if (v < 0) buf[pos++] = 45;
  F32[0] = a;
  const bits = U32[0];
  const m = (bits & 0x7fffff) | 0x800000;
  const e = ((bits >>> 23) & 0xff) - 150;
  const E = a >= 0.1 ? -1 : a >= 0.01 ? -2 : a >= 0.001 ? -3 : -4;
  const s = 8 - E;
  const N = m * POW5[s];
  const p2 = POW2[-(e + s)];
  const q = Math.floor(N / p2);
  // q < 10^9 < 2^31: integer arithmetic from here on
  let n = (2 * (N - q * p2) >= p2 ? q + 1 : q) | 0;
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
  let digits = 9;
  while (n % 10 === 0) {
    n = (n / 10) | 0;
    digits--;
  }
  buf[pos++] = 48; // '0'
  buf[pos++] = 46; // '.'
  for (let z = 0; z < zeros; z++) buf[pos++] = 48;
  for (let d = digits - 1; d >= 0; d--) {
    const t = (n / 10) | 0;
    buf[pos + d] = 48 + n - 10 * t;
    n = t;
  }
  return pos + digits;
}

/** The formatting buffer, grown as needed and reused (the text is copied out of it). */
let scratch = Buffer.allocUnsafe(1 << 16);

/** `values` as a JSON array text, exactly float32JsonSlow of each value joined by commas. */
export function float32ArrayJson(values: ArrayLike<number>): string {
  const size = 2 + values.length * (MAX_CHARS + 1);
  if (scratch.length < size) scratch = Buffer.allocUnsafe(size);
  const buf = scratch;
  let pos = 0;
  buf[pos++] = 91; // '['
  for (let i = 0; i < values.length; i++) {
    if (i) buf[pos++] = 44; // ','
    pos = writeFloat32(buf, pos, Math.fround(values[i]));
  }
  buf[pos++] = 93; // ']'
  return buf.toString('latin1', 0, pos);
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

/** JSON.stringify(value), with each JsonFloats' numbers written by the fast formatter. */
export function jsonLine(value: unknown): string {
  const arrays: Float32Array[] = [];
  collected = arrays;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    collected = undefined;
  }
  if (!arrays.length) return text;
  const parts = text.split(PLACEHOLDER_JSON);
  if (parts.length !== arrays.length + 1) throw new Error('jsonLine: placeholder count mismatch');
  let out = parts[0];
  for (let i = 0; i < arrays.length; i++) out += float32ArrayJson(arrays[i]) + parts[i + 1];
  return out;
}
