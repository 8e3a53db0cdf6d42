// Heatmap PNGs rendered on request from the stored raw map: pytorch-grad-cam's post-processing
// to the model's input size, a colormap, optionally blended over the image the model saw, then
// resized to the requested size.
import sharp from 'sharp';
import { applyColormap, overlay, postprocess, type ColormapName, type RgbImage } from '@saliency-explainer/core';
import type { HeatmapRecord } from '../storage/types.js';

export interface PngOptions {
  colormap: ColormapName;
  /** The image the model saw, to blend under the heatmap; none: the heatmap alone. */
  under?: RgbImage;
  imageWeight: number;
  /** Pixels of the longer side; default the model's input size. */
  size?: number;
}

export async function renderHeatmapPng(h: HeatmapRecord, inputWidth: number, inputHeight: number, o: PngOptions): Promise<Buffer> {
  // the stored raw map is relu(cam), so postprocess (which applies relu first) reproduces the final map
  const { map } = postprocess(h.raw, h.height, h.width, inputHeight, inputWidth);
  const rgb: RgbImage = o.under
    ? overlay(o.under, map, { colormap: o.colormap, imageWeight: o.imageWeight })
    : { data: applyColormap(map, o.colormap), width: map.width, height: map.height, channels: 3 };
  let img = sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length), {
    raw: { width: rgb.width, height: rgb.height, channels: 3 },
  });
  if (o.size && o.size !== Math.max(rgb.width, rgb.height)) {
    const scale = o.size / Math.max(rgb.width, rgb.height);
    img = img.resize(Math.max(1, Math.round(rgb.width * scale)), Math.max(1, Math.round(rgb.height * scale)), { kernel: 'lanczos3' });
  }
  return img.png().toBuffer();
}
