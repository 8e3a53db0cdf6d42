// Heatmap PNGs rendered on request from the stored raw map: pytorch-grad-cam's post-processing
// to the model's input size, then put back on the photo at the PNG's size (core mapToImage: where the
// model's resize took each pixel from, so a non-square photo keeps its aspect), a colormap, and
// optionally blended over the photo decoded at that size. Pixel attributions are drawn as the CLI and
// the widget draw them: raw (Σ_c |attribution|, at the input size) clipped at its 99th percentile.
import sharp from 'sharp';
import {
  applyColormap, getCamMethod, mapToImage, overlay, postprocess, renderedAttribution,
  type ColormapName, type FloatMap, type InputGeometry, type RgbImage,
} from '@saliency-explainer/core';
import type { HeatmapRecord } from '../storage/types.js';

export interface PngOptions {
  colormap: ColormapName;
  /** The photo at the PNG's size, to blend under the heatmap; none: the heatmap alone. */
  under?: RgbImage;
  imageWeight: number;
  /** The PNG's size: the photo's aspect, `size` pixels on its longer side (annotations/render.ts pngSize). */
  width: number;
  height: number;
}

/** The map drawn at the model's input size: a CAM's final map, or a pixel attribution's clipped raw map. */
export function drawnMap(h: HeatmapRecord, input: InputGeometry): FloatMap {
  if (getCamMethod(h.method).kind === 'attribution' && h.width === input.width && h.height === input.height) {
    return renderedAttribution({ width: h.width, height: h.height, values: h.raw });
  }
  return postprocess(h.raw, h.height, h.width, input.height, input.width).map;
}

/** The colormap of a heatmap's PNG when the query names none: inferno for pixel attributions, jet for CAMs. */
export function defaultColormap(method: string): ColormapName {
  return getCamMethod(method).kind === 'attribution' ? 'inferno' : 'jet';
}

export async function renderHeatmapPng(h: HeatmapRecord, input: InputGeometry, o: PngOptions): Promise<Buffer> {
  // the stored raw map is relu(cam), so postprocess (which applies relu first) reproduces the final map
  const map = drawnMap(h, input);
  const onPhoto = mapToImage(map, input, o.width, o.height);
  const rgb: RgbImage = o.under
    ? overlay(o.under, onPhoto, { colormap: o.colormap, imageWeight: o.imageWeight })
    : { data: applyColormap(onPhoto, o.colormap), width: o.width, height: o.height, channels: 3 };
  return sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length), {
    raw: { width: rgb.width, height: rgb.height, channels: 3 },
  }).png().toBuffer();
}
