// The map PNG's bytes through the CPU trims of its writer (no timings here; test/bench/cli.bench.mjs
// measures): mapRowsSub16's rounding by floor(65535 · v + 0.5) and its Sub filter by one subtraction
// give the rows of the previous round()-and-two-bytes loop; zlib's CRC-32 is the table's; and the
// IDAT deflated in large output chunks is zlib's one-shot deflate of the same rows at the same level.
import { describe, it, expect } from 'vitest';
import { deflateSync, inflateSync } from 'node:zlib';
import { mapPng16, mapRowsSub16, MAP_PNG_LEVEL, MAP_PNG_MAX } from '../../packages/api/src/cli/map-files.js';
import { crc32 } from '../../packages/api/src/io/png-encode.js';

/** CRC-32 (ISO-HDLC) by PNG's specification's 256-entry table: the reference for zlib's. */
function crc32Table(bytes: Uint8Array): number {
  const table = Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
import type { FloatMap } from '@saliency-explainer/core';
import { rng } from '../helpers/random.js';

/** mapRowsSub16 before (api cli/map-files.ts up to 1fef172), verbatim. */
function rowsBefore(map: FloatMap): Uint8Array {
  const { width, height, values } = map;
  const out = new Uint8Array(height * (1 + 2 * width));
  let o = 0;
  let i = 0;
  for (let y = 0; y < height; y++) {
    out[o++] = 1;
    let hi0 = 0;
    let lo0 = 0;
    for (let x = 0; x < width; x++, i++) {
      const v = values[i];
      const s = Math.round(MAP_PNG_MAX * (v > 0 ? (v < 1 ? v : 1) : 0));
      const hi = s >>> 8;
      const lo = s & 255;
      out[o++] = hi - hi0;
      out[o++] = lo - lo0;
      hi0 = hi;
      lo0 = lo;
    }
  }
  return out;
}

/** Random maps, with the values where rounding and clamping decide: halves of a sample, 0, 1, outside, NaN. */
function randomMaps(seed: number, count: number): FloatMap[] {
  const rand = rng(seed);
  const special = [0, 1, -0.25, 1.25, NaN, Infinity, -Infinity, 0.5 / MAP_PNG_MAX, 1.5 / MAP_PNG_MAX, 32767.5 / MAP_PNG_MAX, 65534.5 / MAP_PNG_MAX, Math.fround(1 - 2 ** -24), 2 ** -149];
  return Array.from({ length: count }, () => {
    const width = 1 + Math.floor(rand() * 300);
    const height = 1 + Math.floor(rand() * 40);
    const values = Float32Array.from({ length: width * height }, () => {
      const r = rand();
      if (r < 0.15) return special[Math.floor(rand() * special.length)];
      if (r < 0.3) return (Math.floor(rand() * MAP_PNG_MAX) + 0.5) / MAP_PNG_MAX; // near a half of a sample
      return rand();
    });
    return { width, height, values };
  });
}

describe('map PNG bytes', () => {
  it('mapRowsSub16 gives the previous rows on random maps and at the rounding and clamping edges', () => {
    for (const map of randomMaps(5, 40)) expect(Buffer.from(mapRowsSub16(map)).equals(Buffer.from(rowsBefore(map)))).toBe(true);
    // every float32 just around each sample's half-way point, in one map
    const values = new Float32Array(2 * MAP_PNG_MAX);
    for (let s = 0; s < MAP_PNG_MAX; s++) {
      const half = Math.fround((s + 0.5) / MAP_PNG_MAX);
      values[2 * s] = half;
      values[2 * s + 1] = new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([half]).buffer)[0] - 1]).buffer)[0];
    }
    const map = { width: values.length, height: 1, values };
    expect(Buffer.from(mapRowsSub16(map)).equals(Buffer.from(rowsBefore(map)))).toBe(true);
  });

  it('the CRC-32 (zlib\'s) is the specification\'s table CRC on random bytes', () => {
    const rand = rng(9);
    for (const n of [0, 1, 3, 4, 17, 1000, 65537, 300_001]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      expect(crc32(bytes)).toBe(crc32Table(bytes));
    }
    expect(crc32Table(Buffer.from('IEND', 'latin1'))).toBe(0xae426082);
  });

  it('the IDAT, deflated in large output chunks, is zlib\'s one-shot deflate of the rows, and its CRCs check', async () => {
    // and a photo-sized smooth map, whose IDAT (~190 kB) spans many of zlib's default 16 KiB chunks
    const smooth = Float32Array.from({ length: 800 * 600 }, (_, i) => 0.5 + 0.5 * Math.sin((i % 800) / 97) * Math.cos(Math.floor(i / 800) / 53));
    for (const map of [...randomMaps(11, 12), { width: 800, height: 600, values: smooth }]) {
      const png = await mapPng16(map);
      const idatLength = png.readUInt32BE(33);
      expect(png.toString('latin1', 37, 41)).toBe('IDAT');
      const idat = png.subarray(41, 41 + idatLength);
      const rows = mapRowsSub16(map);
      expect(idat.equals(deflateSync(rows, { level: MAP_PNG_LEVEL }))).toBe(true);
      expect(inflateSync(idat).equals(Buffer.from(rows))).toBe(true);
      expect(png.readUInt32BE(41 + idatLength)).toBe(crc32Table(png.subarray(37, 41 + idatLength)));
    }
  });
});
