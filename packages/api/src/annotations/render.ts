// HumanAttention.png: the pooled density drawn like a heatmap (server/render.ts): min-max scaled,
// resized to the requested size with OpenCV's bilinear rule, coloured with a colormap, and optionally
// blended over the stored image (pytorch-grad-cam's overlay) resized to the same size.
import sharp from 'sharp';
import { applyColormap, minMaxScale, overlay, resizeBilinear, type ColormapName, type FloatMap, type RgbImage } from '@saliency-explainer/core';

export interface HumanPngOptions {
  colormap: ColormapName;
  /** Output size, longer side in pixels (the image's aspect ratio is kept). */
  size: number;
  /** The stored image, decoded (at the output size, or resized to it here): blended under the density when given. */
  under?: RgbImage;
  imageWeight: number;
}

/** The output's width and height for an image of width × height drawn `size` px on its longer side. */
export function pngSize(width: number, height: number, size: number): { width: number; height: number } {
  const scale = size / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export async function renderHumanPng(density: FloatMap, imageWidth: number, imageHeight: number, o: HumanPngOptions): Promise<Buffer> {
  const out = pngSize(imageWidth, imageHeight, o.size);
  const scaled = minMaxScale(density.values);
  const values = out.width === density.width && out.height === density.height
    ? scaled
    : resizeBilinear(scaled, density.width, density.height, out.width, out.height);
  const map: FloatMap = { width: out.width, height: out.height, values };
  let rgb: RgbImage;
  if (o.under && o.under.width === out.width && o.under.height === out.height) {
    rgb = overlay(o.under, map, { colormap: o.colormap, imageWeight: o.imageWeight });
  } else if (o.under) {
    const { data } = await sharp(Buffer.from(o.under.data.buffer, o.under.data.byteOffset, o.under.data.length), {
      raw: { width: o.under.width, height: o.under.height, channels: o.under.channels },
    }).resize(out.width, out.height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
    rgb = overlay({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: out.width, height: out.height, channels: 3 }, map, { colormap: o.colormap, imageWeight: o.imageWeight });
  } else {
    rgb = { data: applyColormap(map, o.colormap), width: out.width, height: out.height, channels: 3 };
  }
  return sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length), { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer();
}
