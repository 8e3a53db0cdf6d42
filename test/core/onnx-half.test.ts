// float16 weights: the lookup table used to read them equals IEEE 754 half decoding for every one of
// the 65,536 bit patterns, and tensorValues reads raw and int32_data fp16 tensors through it.
import { describe, it, expect } from 'vitest';
import { DataType, halfToFloat, halfToFloatTable, tensorValues } from '../../packages/core/src/onnx/proto.js';

describe('float16 decoding', () => {
  it('has the IEEE 754 value of every bit pattern in its table', () => {
    const table = halfToFloatTable();
    for (let h = 0; h < 65536; h++) expect(Object.is(table[h], Math.fround(halfToFloat(h))), `pattern ${h.toString(16)}`).toBe(true);
    // hand-checked patterns: 1, −2, the largest finite, the smallest subnormal, ±0, ±infinity, NaN
    expect([table[0x3c00], table[0xc000], table[0x7bff], table[0x0001]]).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Object.is(table[0x8000], -0)).toBe(true);
    expect([table[0x7c00], table[0xfc00]]).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(table[0x7e00])).toBe(true);
  });

  it('reads fp16 tensors from raw_data (little endian) and from int32_data', () => {
    const patterns = [0x3c00, 0xc000, 0x3555, 0x0001];
    const raw = new Uint8Array(patterns.flatMap((p) => [p & 0xff, p >> 8]));
    const want = [1, -2, Math.fround(halfToFloat(0x3555)), 2 ** -24];
    expect(Array.from(tensorValues({ name: 'w', dims: [4], dataType: DataType.FLOAT16, rawData: raw }))).toEqual(want);
    expect(Array.from(tensorValues({ name: 'w', dims: [4], dataType: DataType.FLOAT16, int32Data: patterns }))).toEqual(want);
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
  });
});
