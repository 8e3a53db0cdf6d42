// Colormaps: OpenCV's JET (worked from its definition), TURBO, VIRIDIS, INFERNO, and the uint8(255·v) index.
import { describe, it, expect } from 'vitest';
import { applyColormap, colormapIndex, colormapLut, COLORMAPS } from '../../../packages/core/src/image/colormap.js';

const entry = (lut: Uint8Array, i: number) => Array.from(lut.subarray(i * 3, i * 3 + 3));

/** FNV-1a over the table's bytes: a compact fingerprint of all 768 entries. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

describe('colormaps', () => {
  it('lists the five maps, each a 256-entry RGB table', () => {
    expect(COLORMAPS).toEqual(['jet', 'turbo', 'viridis', 'inferno', 'gray']);
    for (const name of COLORMAPS) expect(colormapLut(name)).toHaveLength(768);
  });

  it('jet follows Octave’s jet ramps, rounded as OpenCV rounds them (RGB order)', () => {
    const jet = colormapLut('jet');
    // x = i/255; b = 4x + 0.5 at i = 0 is 0.5 → 127.5 → 128 (cvRound: halves to even)
    expect(entry(jet, 0)).toEqual([0, 0, 128]);
    // i = 1: b = 0.5157 → 131.5 → 132
    expect(entry(jet, 1)).toEqual([0, 0, 132]);
    // i = 64: g = 4x − 0.5 = 0.5039 → 128.5 → 128; b = 1
    expect(entry(jet, 64)).toEqual([0, 128, 255]);
    // i = 96: r = 4x − 1.5 → 1.5 → 2; g = 1; b = 2.5 − 4x → 253.5 → 254
    expect(entry(jet, 96)).toEqual([2, 255, 254]);
    // i = 128: r = 129.5 → 130, b = 125.5 → 126
    expect(entry(jet, 128)).toEqual([130, 255, 126]);
    // i = 159: b = 2.5 − 4x → 1.5 exactly on paper, but OpenCV's float32 interp1 lands just below it → 1
    expect(entry(jet, 159)).toEqual([254, 255, 1]);
    // i = 255: r = 4.5 − 4x = 0.5 → 128
    expect(entry(jet, 255)).toEqual([128, 0, 0]);
    // green saturates where both its ramps reach 1: x in [3/8, 5/8], i.e. i = 96…159
    for (let i = 0; i < 256; i++) expect(jet[i * 3 + 1] === 255).toBe(i >= 96 && i <= 159);
    // red is off below x = 3/8 (i < 96) and blue above x = 5/8 (i > 159)
    for (let i = 0; i < 96; i++) expect(jet[i * 3]).toBe(0);
    for (let i = 160; i < 256; i++) expect(jet[i * 3 + 2]).toBe(0);
  });

  it('turbo, viridis and inferno start and end on their published float entries ×255, rounded', () => {
    // turbo (Google): (0.18995, 0.07176, 0.23217) … (0.47960, 0.01583, 0.01055)
    expect(entry(colormapLut('turbo'), 0)).toEqual([48, 18, 59]);
    expect(entry(colormapLut('turbo'), 255)).toEqual([122, 4, 3]);
    // viridis (matplotlib): (0.267004, 0.004874, 0.329415) … (0.993248, 0.906157, 0.143936)
    expect(entry(colormapLut('viridis'), 0)).toEqual([68, 1, 84]);
    expect(entry(colormapLut('viridis'), 255)).toEqual([253, 231, 37]);
    // inferno (matplotlib): (0.001462, 0.000466, 0.013866) … (0.988362, 0.998364, 0.644924)
    expect(entry(colormapLut('inferno'), 0)).toEqual([0, 0, 4]);
    expect(entry(colormapLut('inferno'), 255)).toEqual([252, 255, 164]);
  });

  it('every table is OpenCV 4.6’s applyColorMap output, entry for entry', () => {
    // fingerprints of cv2.applyColorMap(np.arange(256, dtype=np.uint8), COLORMAP_*)[..., ::-1] (RGB)
    expect(fnv1a(colormapLut('jet')).toString(16)).toBe('a872a6cc');
    expect(fnv1a(colormapLut('turbo')).toString(16)).toBe('2aa9b486');
    expect(fnv1a(colormapLut('viridis')).toString(16)).toBe('56643bb');
    expect(fnv1a(colormapLut('inferno')).toString(16)).toBe('9cb067d9');
    expect(entry(colormapLut('turbo'), 128)).toEqual([164, 252, 60]);
    expect(entry(colormapLut('viridis'), 128)).toEqual([33, 145, 140]);
    expect(entry(colormapLut('inferno'), 128)).toEqual([188, 55, 84]);
  });

  it('gray is the identity', () => {
    const lut = colormapLut('gray');
    for (let i = 0; i < 256; i++) expect(entry(lut, i)).toEqual([i, i, i]);
  });

  it('refuses an unknown name', () => {
    expect(() => colormapLut('rainbow' as 'jet')).toThrow(/known: jet, turbo, viridis, inferno, gray/);
    expect(() => colormapLut('toString' as 'jet')).toThrow(RangeError);
  });
});

describe('colormapIndex and applyColormap', () => {
  it('index = uint8(255·v): truncated, not rounded; clamped to [0, 1]; NaN → 0', () => {
    // 255·0.5 = 127.5 → 127; 255·0.999 = 254.7 → 254; 255·(2/255 − tiny) → 1
    expect([0, 0.5, 0.999, 1, 1.5, -1, NaN].map(colormapIndex)).toEqual([0, 127, 254, 255, 255, 0, 0]);
    expect(colormapIndex(Math.fround(2 / 255) - 1e-7)).toBe(1);
    for (let k = 0; k < 256; k++) expect(colormapIndex(Math.fround(k / 255))).toBe(k);
  });

  it('maps each value through the table into interleaved RGB', () => {
    const values = Float32Array.from([0, 1, 0.5]);
    expect(Array.from(applyColormap({ width: 3, height: 1, values }, 'gray'))).toEqual([0, 0, 0, 255, 255, 255, 127, 127, 127]);
    // default jet: 0 → (0, 0, 128), 1 → (128, 0, 0), 0.5 → entry 127
    const jet = colormapLut('jet');
    expect(Array.from(applyColormap({ width: 3, height: 1, values }))).toEqual([0, 0, 128, 128, 0, 0, ...entry(jet, 127)]);
  });
});
