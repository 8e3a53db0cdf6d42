// Colormaps (OpenCV's JET, Google's Turbo) and the pytorch-grad-cam overlay formula.
import { describe, it, expect } from 'vitest';
import { applyColormap, colormapLut, colormapIndex } from '../../../packages/core/src/image/colormap.js';
import { overlay } from '../../../packages/core/src/image/overlay.js';

const entry = (lut: Uint8Array, i: number) => Array.from(lut.subarray(i * 3, i * 3 + 3));

describe('colormaps', () => {
  it('jet runs dark blue → cyan → yellow → dark red as OpenCV COLORMAP_JET (RGB order)', () => {
    const jet = colormapLut('jet');
    expect(entry(jet, 0)).toEqual([0, 0, 128]);
    expect(entry(jet, 1)).toEqual([0, 0, 132]); // b = 4x + 0.5 → 131.5 rounds to 132
    expect(entry(jet, 255)).toEqual([128, 0, 0]);
    // green saturates where both ramps exceed 1: x in [3/8, 5/8]
    for (let i = 96; i <= 159; i++) expect(jet[i * 3 + 1]).toBe(255);
    expect(jet[95 * 3 + 0]).toBe(0); // red starts at x = 3/8
  });

  it('turbo is Google’s table', () => {
    const turbo = colormapLut('turbo');
    expect(turbo).toHaveLength(768);
    expect(entry(turbo, 0)).toEqual([48, 18, 59]); // 0.18995, 0.07176, 0.23217
    expect(entry(turbo, 255)).toEqual([122, 4, 3]); // 0.47960, 0.01583, 0.01055
  });

  it('indexes by uint8(255·v), truncating and clamping', () => {
    expect([0, 0.5, 0.999, 1, 1.5, -1, NaN].map(colormapIndex)).toEqual([0, 127, 254, 255, 255, 0, 0]);
    const rgb = applyColormap({ width: 2, height: 1, values: Float32Array.from([0, 1]) }, 'gray');
    expect(Array.from(rgb)).toEqual([0, 0, 0, 255, 255, 255]);
    expect(() => colormapLut('rainbow' as 'jet')).toThrow(/known: jet, turbo, gray/);
  });
});

describe('overlay (show_cam_on_image)', () => {
  it('blends, divides by the maximum and truncates', () => {
    // pixels (255,0,0) and black; map 0 → jet (0,0,128), map 1 → jet (128,0,0); w = ½
    // cam = (½, 0, ½·128/255) and (½·128/255, 0, 0); / max = ½ → (1, 0, 128/255), (128/255, 0, 0)
    const img = { data: Uint8Array.from([255, 0, 0, 0, 0, 0]), width: 2, height: 1, channels: 3 as const };
    const out = overlay(img, { width: 2, height: 1, values: Float32Array.from([0, 1]) });
    const px = Array.from(out.data);
    expect(px[0]).toBe(255);
    expect(px[1]).toBe(0);
    expect(Math.abs(px[2] - 128)).toBeLessThanOrEqual(1);
    expect(Math.abs(px[3] - 128)).toBeLessThanOrEqual(1);
    expect(px.slice(4)).toEqual([0, 0]);
  });

  it('weights the image by imageWeight and resizes a smaller map to the image', () => {
    const img = { data: new Uint8Array(4 * 4 * 4).fill(200), width: 4, height: 4, channels: 4 as const };
    const onlyHeat = overlay(img, { width: 2, height: 2, values: Float32Array.from([0, 0, 0, 0]) }, { imageWeight: 0, colormap: 'gray' });
    expect([onlyHeat.width, onlyHeat.height, onlyHeat.channels]).toEqual([4, 4, 3]);
    expect(onlyHeat.data.every((v) => v === 0)).toBe(true);
    const onlyImage = overlay(img, { width: 2, height: 2, values: Float32Array.from([1, 0, 0, 1]) }, { imageWeight: 1 });
    expect(onlyImage.data.every((v) => v === 255)).toBe(true); // constant image, scaled by its max
    expect(() => overlay(img, { width: 1, height: 1, values: Float32Array.of(0) }, { imageWeight: 2 })).toThrow(RangeError);
  });
});
