// Itti, Koch & Niebur (1998), "A model of saliency-based visual attention for rapid scene analysis",
// IEEE PAMI 20(11): the bottom-up saliency map from colour, intensity and orientation contrast.
//
//   I = (r + g + b)/3 (r, g, b in [0, 1]).
//   Colour is normalised by intensity where I > max(I)/10 (hue is not perceivable in the dark; zero
//   elsewhere): r' = r/I, …; broadly tuned channels R = r' − (g'+b')/2, G = g' − (r'+b')/2,
//   B = b' − (r'+g')/2, Y = (r'+g')/2 − |r'−g'|/2 − b', negatives set to 0.
//   Gaussian pyramids I(σ), RG(σ) = R − G and BY(σ) = B − Y, σ = 0..8 (`pyramid.ts`); Gabor pyramids
//   O(σ, θ) for θ ∈ {0°, 45°, 90°, 135°} (`gabor.ts`, on the intensity pyramid).
//   Centre-surround at centre scales c ∈ {2, 3, 4} and surround scales s = c + δ, δ ∈ {3, 4}: the
//   surround is interpolated to the centre's scale and subtracted point by point, |F(c) ⊖ F(s)|:
//   6 intensity, 12 colour, 24 orientation feature maps.
//   Double opponency: the paper writes RG(c,s) = |(R(c) − G(c)) ⊖ (G(s) − R(s))|, a centre excited
//   by red and inhibited by green against a surround of the opposite sign; as a signal that is the
//   centre-surround difference of one opponent map, |RG(c) ⊖ RG(s)| with RG = R − G (read literally,
//   "⊖ (G − R)" would add the two and light up a uniformly red field). This is what Walther's
//   SaliencyToolbox computes (one red-green and one blue-yellow pyramid); likewise BY.
//   Feature maps are brought to the saliency-map scale σ = 4 (1/16 of the image) by further pyramid
//   reduction, normalised by N(·) (`normalization.ts`) and added (⊕): Ī = ⊕ N(I(c,s)),
//   C̄ = ⊕ [N(RG(c,s)) + N(BY(c,s))], Ō = Σ_θ N(⊕ N(O(c,s,θ))); S = (N(Ī) + N(C̄) + N(Ō))/3.
//   Where this differs from Walther's SaliencyToolbox (the usual reference implementation): the
//   toolbox resizes centre and surround both to σ = 4 (nearest neighbour) before subtracting, and
//   fades a border band of each feature map; we subtract at the centre's own scale, as the paper
//   describes, and leave borders alone. As in the toolbox, N(·) sees every feature map at σ = 4,
//   so it counts local maxima on the same grid for every map.
// Not included: the winner-take-all network and inhibition of return (they choose an order of
// attended locations from S; predicting fixation density only needs S). N(·) is the 1998 one-shot
// operator, not the iterative DoG normalisation of Itti & Koch (2000).
//
// Output: S bilinearly upsampled to the image's size (half-pixel centres, exactly ×16) and divided
// by its maximum (values in [0, 1]). `ittiKochMaps` also returns the conspicuity maps at σ = 4.
import type { RgbImage } from '../image/types.js';
import { addInto, makePlane, rgbPlanes, scaleToMax, type FloatMap } from './plane.js';
import { gaussianPyramid, pyramidSizes, reduceTimes } from './pyramid.js';
import { resampleBilinear } from './resample.js';
import { DEFAULT_GABOR, gaborEnergy, type GaborParams } from './gabor.js';
import { normalizeMap } from './normalization.js';

export interface IttiKochOptions {
  /** Centre scales c (default [2, 3, 4]). */
  centerLevels?: readonly number[];
  /** Surround offsets δ, s = c + δ (default [3, 4]). */
  deltas?: readonly number[];
  /** Pyramid level of the saliency map (default 4, i.e. 1/16 of the image). */
  mapLevel?: number;
  /** Gabor orientations in degrees (default [0, 45, 90, 135]). */
  orientations?: readonly number[];
  /** Gabor filter parameters (SaliencyToolbox defaults). */
  gabor?: Partial<GaborParams>;
  /** Colour is only defined where I > this fraction of max(I) (default 0.1). */
  luminanceThreshold?: number;
}

export interface IttiKochMaps {
  /** Pyramid level of every map here (the image is 2^level times larger). */
  level: number;
  /** S = (N(Ī) + N(C̄) + N(Ō))/3 at that level, unscaled. */
  saliency: FloatMap;
  /** Conspicuity maps Ī, C̄, Ō (before their final N). */
  intensity: FloatMap;
  color: FloatMap;
  orientation: FloatMap;
}

/** Range below which a feature map counts as flat (see N(·)'s floor). */
const FLAT = 1e-5;

/** Intensity and the two opponent planes R − G, B − Y at full resolution. */
export function opponentPlanes(image: RgbImage, luminanceThreshold = 0.1): { intensity: FloatMap; rg: FloatMap; by: FloatMap } {
  const [r, g, b] = rgbPlanes(image);
  const { width, height } = r;
  const intensity = makePlane(width, height);
  let maxI = 0;
  for (let i = 0; i < intensity.values.length; i++) {
    const v = (r.values[i] + g.values[i] + b.values[i]) / 3;
    intensity.values[i] = v;
    if (v > maxI) maxI = v;
  }
  const rg = makePlane(width, height);
  const by = makePlane(width, height);
  const threshold = luminanceThreshold * maxI;
  for (let i = 0; i < intensity.values.length; i++) {
    const I = intensity.values[i];
    if (!(I > threshold) || I === 0) continue;
    const rn = r.values[i] / I;
    const gn = g.values[i] / I;
    const bn = b.values[i] / I;
    const R = Math.max(0, rn - (gn + bn) / 2);
    const G = Math.max(0, gn - (rn + bn) / 2);
    const B = Math.max(0, bn - (rn + gn) / 2);
    const Y = Math.max(0, (rn + gn) / 2 - Math.abs(rn - gn) / 2 - bn);
    rg.values[i] = R - G;
    by.values[i] = B - Y;
  }
  return { intensity, rg, by };
}

/** |F(c) ⊖ F(s)|: the surround interpolated (×2^(s−c)) to the centre's grid, absolute difference. */
function centerSurround(center: FloatMap, surround: FloatMap, c: number, s: number): FloatMap {
  const f = 2 ** (s - c);
  const up = resampleBilinear(surround, center.width, center.height, f, f);
  const out = makePlane(center.width, center.height);
  for (let i = 0; i < out.values.length; i++) out.values[i] = Math.abs(center.values[i] - up.values[i]);
  return out;
}

/** Bring a map at level `from` to level `to` (pyramid reduction down, bilinear up). */
function toLevel(map: FloatMap, from: number, to: number, size: { width: number; height: number }): FloatMap {
  if (from <= to) return reduceTimes(map, to - from);
  const f = 2 ** (from - to);
  return resampleBilinear(map, size.width, size.height, f, f);
}

/** The Itti-Koch-Niebur saliency map and its three conspicuity maps at the map level (σ = 4). */
export function ittiKochMaps(image: RgbImage, options: IttiKochOptions = {}): IttiKochMaps {
  const centers = options.centerLevels ?? [2, 3, 4];
  const deltas = options.deltas ?? [3, 4];
  const level = options.mapLevel ?? 4;
  const orientations = options.orientations ?? [0, 45, 90, 135];
  const gabor: GaborParams = { ...DEFAULT_GABOR, ...options.gabor };
  for (const v of [...centers, ...deltas, level]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`Itti-Koch scales must be non-negative integers, not ${v}`);
  }
  if (centers.length === 0 || deltas.length === 0) throw new RangeError('Itti-Koch needs at least one centre scale and one surround offset');
  const depth = Math.max(...centers) + Math.max(...deltas);
  const sizes = pyramidSizes(image.width, image.height, Math.max(depth, level));
  const mapSize = sizes[level];

  const { intensity, rg, by } = opponentPlanes(image, options.luminanceThreshold ?? 0.1);
  const iPyr = gaussianPyramid(intensity, depth);
  const rgPyr = gaussianPyramid(rg, depth);
  const byPyr = gaussianPyramid(by, depth);

  const pairs: [number, number][] = [];
  for (const c of centers) for (const d of deltas) pairs.push([c, c + d]);
  // Feature values are O(1) (intensity in [0, 1], opponent channels in [−3, 3], Gabor energy of
  // such planes); a feature map spanning less than FLAT is rounding noise of a uniform region.
  const feature = (pyr: FloatMap[], c: number, s: number) => normalizeMap(toLevel(centerSurround(pyr[c], pyr[s], c, s), c, level, mapSize), FLAT);

  const intensityBar = makePlane(mapSize.width, mapSize.height);
  const colorBar = makePlane(mapSize.width, mapSize.height);
  for (const [c, s] of pairs) {
    addInto(intensityBar, feature(iPyr, c, s));
    addInto(colorBar, feature(rgPyr, c, s));
    addInto(colorBar, feature(byPyr, c, s));
  }

  const needed = new Set<number>();
  for (const [c, s] of pairs) needed.add(c).add(s);
  const orientationBar = makePlane(mapSize.width, mapSize.height);
  for (const theta of orientations) {
    const oPyr: FloatMap[] = [];
    for (const l of needed) oPyr[l] = gaborEnergy(iPyr[l], theta, gabor);
    const perAngle = makePlane(mapSize.width, mapSize.height);
    for (const [c, s] of pairs) addInto(perAngle, feature(oPyr, c, s));
    addInto(orientationBar, normalizeMap(perAngle));
  }

  const saliency = makePlane(mapSize.width, mapSize.height);
  addInto(saliency, normalizeMap(intensityBar), 1 / 3);
  addInto(saliency, normalizeMap(colorBar), 1 / 3);
  addInto(saliency, normalizeMap(orientationBar), 1 / 3);
  return { level, saliency, intensity: intensityBar, color: colorBar, orientation: orientationBar };
}

/** Upsample a map at pyramid level `level` to the image size (exactly ×2^level, half-pixel centres). */
export function levelToImage(map: FloatMap, level: number, width: number, height: number): FloatMap {
  const f = 2 ** level;
  return resampleBilinear(map, width, height, f, f);
}

/**
 * Itti-Koch-Niebur bottom-up saliency of an image, at the image's resolution, scaled to [0, 1]
 * (an all-zero map for an image without any contrast).
 */
export function ittiKoch(image: RgbImage, options: IttiKochOptions = {}): FloatMap {
  const maps = ittiKochMaps(image, options);
  return scaleToMax(levelToImage(maps.saliency, maps.level, image.width, image.height));
}
