// Drawing a result: the part of the image the model saw, scaled for display, with a class map
// post-processed (core's postprocess, as pytorch-grad-cam) and blended over it (core's overlay).
// Pixel attributions are drawn as the CLI draws them: raw (Σ_c |attribution| at the model's input
// size) clipped at its 99th percentile (core's renderedAttribution) in inferno, whose zero is black
// and whose lightness rises to the maximum, so a sparse map's many near-zero pixels add no colour.
import { getCamMethod, overlay, postprocess, renderedAttribution, resizeBilinear, type ColormapName, type FloatMap } from '@saliency-explainer/core';
import { drawPixels, type LoadedImage } from '../image/load-image.js';
import type { ModelView } from '../engines/types.js';

/** Longest side of the displayed image, in canvas pixels. */
export const DISPLAY_MAX_SIDE = 768;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The region of an image the model looks at: all of it ('stretch'), or torchvision's centre crop ('shorter-crop'). */
export function viewRect(imageWidth: number, imageHeight: number, view: ModelView): Rect {
  if (view.resize === 'stretch') return { x: 0, y: 0, width: imageWidth, height: imageHeight };
  const shorter = view.resizeShorter ?? Math.min(view.width, view.height);
  const scale = shorter / Math.min(imageWidth, imageHeight);
  const width = Math.min(imageWidth, view.width / scale);
  const height = Math.min(imageHeight, view.height / scale);
  return { x: (imageWidth - width) / 2, y: (imageHeight - height) / 2, width, height };
}

/** The displayed picture: the model's region of the image, at most DISPLAY_MAX_SIDE on its longer side. */
export function displayPixels(image: LoadedImage, view: ModelView | null): ImageData {
  const { width: w, height: h } = image.bitmap;
  const r = view ? viewRect(w, h, view) : { x: 0, y: 0, width: w, height: h };
  const scale = Math.min(1, DISPLAY_MAX_SIDE / Math.max(r.width, r.height));
  const dw = Math.max(1, Math.round(r.width * scale));
  const dh = Math.max(1, Math.round(r.height * scale));
  return drawPixels(image.bitmap, r.x, r.y, r.width, r.height, dw, dh);
}

/** A raw map → the final map in [0, 1] at the model's input size (identical for every engine). */
export function finalMap(raw: FloatMap, view: ModelView): FloatMap {
  return postprocess(raw.values, raw.height, raw.width, view.height, view.width).map;
}

/** Colormap of a method's overlay when the `colormap` attribute is not set: inferno for pixel attributions, jet for CAMs. */
export function defaultColormap(method: string): ColormapName {
  return getCamMethod(method).kind === 'attribution' ? 'inferno' : 'jet';
}

/**
 * The map drawn for a result, at the model's input size, in [0, 1]: a CAM's final map; a pixel
 * attribution's raw map clipped at its 99th percentile. A function of raw alone, so the local and the
 * remote engine draw the same picture from the same raw map.
 */
export function drawnMap(m: { method: string; raw: FloatMap; map: FloatMap }): FloatMap {
  return getCamMethod(m.method).kind === 'attribution' ? renderedAttribution(m.raw) : m.map;
}

/** The final map resized to the displayed picture (once per selection; the opacity slider reuses it). */
export function mapForDisplay(map: FloatMap, width: number, height: number): FloatMap {
  if (map.width === width && map.height === height) return map;
  return { width, height, values: resizeBilinear(map.values, map.width, map.height, width, height) };
}

/** The map blended over the picture; `opacity` is the heatmap's share (pytorch-grad-cam's 1 − image_weight). */
export function blend(picture: ImageData, map: FloatMap, colormap: ColormapName, opacity: number): ImageData {
  const { width, height, data } = picture;
  const rgb = overlay({ data, width, height, channels: 4 }, map, { colormap, imageWeight: 1 - opacity });
  const out = new ImageData(width, height);
  for (let i = 0, j = 0; i < out.data.length; i += 4, j += 3) {
    out.data[i] = rgb.data[j];
    out.data[i + 1] = rgb.data[j + 1];
    out.data[i + 2] = rgb.data[j + 2];
    out.data[i + 3] = 255;
  }
  return out;
}
