// What the resolvers need of a served object detector: the detector itself (typed errors), and a
// detector heatmap's PNG. A detector's stored raw map is its final map on the letterboxed input; the
// photo fills the input's top-left (its size × r, r = min(W/w, H/h), truncated) and the rest is padding,
// so the PNG takes that part back to the photo's aspect (core letterboxToImage) at the PNG's size.
import sharp from 'sharp';
import { applyColormap, letterboxToImage, overlay, UnknownModelError, type ColormapName, type RgbImage } from '@saliency-explainer/core';
import type { ServedDetector } from '../compute/detector-models.js';
import { pngSize } from '../annotations/render.js';
import { decodeImageAt } from '../images/decode.js';
import type { ExplanationRecord, HeatmapRecord } from '../storage/types.js';
import type { ApiContext } from './context.js';
import { apiError } from './errors.js';

export async function servedDetector(ctx: ApiContext, id: string): Promise<ServedDetector> {
  try {
    return await ctx.pool.detector(id);
  } catch (e) {
    if (e instanceof UnknownModelError) throw apiError('UNKNOWN_MODEL', e.message);
    throw apiError('MODEL_UNAVAILABLE', `model '${id}' cannot be loaded: ${(e as Error).message}`);
  }
}

/** The photo's part of the letterboxed W×H input (YOLOX: sizes truncated). */
export function fittedSize(imageWidth: number, imageHeight: number, W: number, H: number): { width: number; height: number } {
  const r = Math.min(W / imageWidth, H / imageHeight);
  return { width: Math.max(1, Math.trunc(imageWidth * r)), height: Math.max(1, Math.trunc(imageHeight * r)) };
}

export async function detectorHeatmapPng(ctx: ApiContext, h: HeatmapRecord, e: ExplanationRecord,
  o: { colormap: ColormapName; overlay: boolean; size: number | null | undefined; imageWeight: number }): Promise<string> {
  const { spec } = await servedDetector(ctx, e.modelId);
  const image = await ctx.storage.getImage(e.imageId);
  if (!image) throw apiError('NOT_FOUND', `no image ${e.imageId}`);
  const out = pngSize(image.width, image.height, o.size ?? Math.max(spec.input.width, spec.input.height));
  const png = await ctx.explain.gate.run(out.width * out.height, async () => {
    const fitted = fittedSize(image.width, image.height, h.width, h.height);
    const map = letterboxToImage({ width: h.width, height: h.height, values: h.raw }, fitted, out.width, out.height);
    let rgb: RgbImage;
    if (o.overlay) {
      const bytes = await ctx.storage.getImageBytes(image.id);
      if (!bytes) throw apiError('NOT_FOUND', `the bytes of image ${image.id} are not stored`);
      rgb = overlay(await decodeImageAt(bytes, ctx.limits.maxImagePixels, out.width, out.height), map, { colormap: o.colormap, imageWeight: o.imageWeight });
    } else {
      rgb = { data: applyColormap(map, o.colormap), width: out.width, height: out.height, channels: 3 };
    }
    return sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length), { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).png().toBuffer();
  });
  const url = `data:image/png;base64,${png.toString('base64')}`;
  ctx.response.charge(url.length, 'a heatmap PNG');
  return url;
}
