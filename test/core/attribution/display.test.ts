// Drawing pixel attributions, by hand: numpy's percentile (linear between ranks), the 99th-percentile
// clip, gradient × image, and raw/map from a signed [C, H, W] attribution.
import { describe, it, expect } from 'vitest';
import { attributionMaps, channelAbsSum, maskedImage, percentile, renderedAttribution } from '../../../packages/core/src/attribution/display.js';
import { expectClose } from '../cam/context.js';

describe('pixel-map display', () => {
  it('percentile: numpy.percentile([1, 2, 3, 4], p) = 1, 1.75, 2.5, 3.97, 4 for p = 0, 25, 50, 99, 100', () => {
    const v = Float32Array.of(4, 1, 3, 2);
    expectClose([0, 25, 50, 99, 100].map((p) => percentile(v, p)), [1, 1.75, 2.5, 3.97, 4], 1e-12);
    expect(() => percentile(v, 101)).toThrow(RangeError);
  });

  it('renderedAttribution divides by the 99th percentile and clips at 1; an all-zero map stays zero', () => {
    // 101 values 0..100: the 99th percentile is 99
    const raw = { width: 101, height: 1, values: Float32Array.from({ length: 101 }, (_, i) => i) };
    const r = renderedAttribution(raw);
    expect(r.values[0]).toBe(0);
    expect(r.values[50]).toBeCloseTo(50 / 99, 6);
    expect(r.values[99]).toBe(1);
    expect(r.values[100]).toBe(1);
    expect(Array.from(renderedAttribution({ width: 2, height: 1, values: new Float32Array(2) }).values)).toEqual([0, 0]);
  });

  it('raw = Σ_c |a|, map = its min-max; maskedImage scales each pixel by the map', () => {
    // 2 channels of 1×3: |a| sums to [1, 4, 2.5]
    const a = { channels: 2, width: 3, height: 1, values: Float32Array.of(1, -3, 0.5, 0, 1, -2) };
    expectClose(channelAbsSum(a).values, [1, 4, 2.5], 1e-7);
    const { raw, map } = attributionMaps(a);
    expectClose(raw.values, [1, 4, 2.5], 1e-7);
    expectClose(map.values, [0, 1, 0.5], 1e-6);
    const image = { width: 3, height: 1, channels: 3, data: Uint8Array.of(200, 100, 50, 10, 20, 30, 255, 255, 255) };
    expect(Array.from(maskedImage(image, { width: 3, height: 1, values: Float32Array.of(0, 1, 0.5) }).data)).toEqual([0, 0, 0, 10, 20, 30, 128, 128, 128]);
  });
});
