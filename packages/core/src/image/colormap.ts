// Heatmap colours: 256-entry RGB lookup tables indexed by uint8(255·v), as OpenCV's applyColorMap
// (which pytorch-grad-cam's show_cam_on_image uses) indexes them.
import type { FloatMap } from '../cam/types.js';

export type ColormapName = 'jet' | 'turbo' | 'gray';
export const COLORMAPS: readonly ColormapName[] = ['jet', 'turbo', 'gray'];

/** OpenCV rounds its float tables to 8 bits with cvRound: halves go to the even neighbour. */
function cvRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * COLORMAP_JET: OpenCV samples MATLAB's jet at x = i/255 (r = 4x − 1.5, g = 4x − 0.5, b = 4x + 0.5
 * ramps, each capped by its falling edge) into float32, then scales by 255 in float32.
 */
function jet(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    const rgb = [Math.min(4 * x - 1.5, -4 * x + 4.5), Math.min(4 * x - 0.5, -4 * x + 3.5), Math.min(4 * x + 0.5, -4 * x + 2.5)];
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = cvRound(Math.fround(Math.fround(clamp01(rgb[c])) * 255));
  }
  return lut;
}

/** COLORMAP_TURBO: Google's published 256-entry Turbo table (Apache-2.0, A. Mikhailov, 2019), as 8-bit RGB. */
const TURBO_HEX = [
  '30123b32154333184a341b51351e5836215f37246638276d392a733a2d793b2f803c32863d358b3e38913f3b973f3e9c',
  '4040a24143a74146ac4249b1424bb5434eba4451bf4454c34456c74559cb455ccf455ed34661d64664da4666dd4669e0',
  '466be3476ee64771e94773eb4776ee4778f0477bf2467df44680f64682f84685fa4687fb458afc458cfd448ffe4391fe',
  '4294ff4196ff4099ff3e9bfe3d9efe3ba0fd3aa3fc38a5fb37a8fa35abf833adf731aff52fb2f42eb4f22cb7f02ab9ee',
  '28bceb27bee925c0e723c3e422c5e220c7df1fc9dd1ecbda1ccdd81bd0d51ad2d21ad4d019d5cd18d7ca18d9c818dbc5',
  '18ddc218dec018e0bd19e2bb19e3b91ae4b61ce6b41de7b21fe9af20eaac22ebaa25eca727eea42aefa12cf09e2ff19b',
  '32f29835f39438f4913cf58e3ff68a43f78746f8844af8804ef97d52fa7a55fa7659fb735dfc6f61fc6c65fd6969fd66',
  '6dfe6271fe5f75fe5c79fe597dff5680ff5384ff5188ff4e8bff4b8fff4992ff4796fe4499fe429cfe409ffd3fa1fd3d',
  'a4fc3ca7fc3aa9fb39acfb38affa37b1f936b4f836b7f735b9f635bcf534bef434c1f334c3f134c6f034c8ef34cbed34',
  'cdec34d0ea34d2e935d4e735d7e535d9e436dbe236dde037dfdf37e1dd37e3db38e5d938e7d739e9d539ebd339ecd13a',
  'eecf3aefcd3af1cb3af2c93af4c73af5c53af6c33af7c13af8be39f9bc39faba39fbb838fbb637fcb336fcb136fdae35',
  'fdac34fea933fea732fea431fea130fe9e2ffe9b2dfe992cfe962bfe932afe9029fd8d27fd8a26fc8725fc8423fb8122',
  'fb7e21fa7b1ff9781ef9751df8721cf76f1af66c19f56918f46617f36315f26014f15d13f05b12ef5811ed5510ec530f',
  'eb500eea4e0de84b0ce7490ce5470be4450ae2430ae14109df3f08dd3d08dc3b07da3907d83706d63506d43305d23105',
  'd02f05ce2d04cc2b04ca2a04c82803c52603c32503c12302be2102bc2002b91e02b71d02b41b01b21a01af1801ac1701',
  'a91601a71401a41301a112019e10019b0f01980e01950d01920b018e0a018b09028808028507028106027e05027a0403',
].join('');

function fromHex(hex: string): Uint8Array {
  const lut = new Uint8Array(hex.length / 2);
  for (let i = 0; i < lut.length; i++) lut[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return lut;
}

function gray(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.fill(i, i * 3, i * 3 + 3);
  return lut;
}

const tables = new Map<ColormapName, Uint8Array>();
const builders: Record<ColormapName, () => Uint8Array> = { jet, turbo: () => fromHex(TURBO_HEX), gray };

/** The 256×3 RGB table of a colormap. */
export function colormapLut(name: ColormapName): Uint8Array {
  const build = builders[name];
  if (!build) throw new RangeError(`unknown colormap '${name}' (known: ${COLORMAPS.join(', ')})`);
  let lut = tables.get(name);
  if (!lut) tables.set(name, (lut = build()));
  return lut;
}

/** The table index of a map value: uint8(255·v) truncates, as numpy does; v is clamped to [0, 1]. */
export function colormapIndex(v: number): number {
  return Number.isNaN(v) ? 0 : Math.trunc(255 * clamp01(v));
}

/** Map values in [0, 1] → interleaved RGB bytes (width·height·3). */
export function applyColormap(map: FloatMap, name: ColormapName = 'jet'): Uint8Array {
  const lut = colormapLut(name);
  const out = new Uint8Array(map.values.length * 3);
  map.values.forEach((v, i) => {
    const k = colormapIndex(v) * 3;
    out[i * 3] = lut[k];
    out[i * 3 + 1] = lut[k + 1];
    out[i * 3 + 2] = lut[k + 2];
  });
  return out;
}
