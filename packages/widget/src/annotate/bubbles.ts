// BubbleView drawing: the picture blurred (Gaussian, sigma in canvas pixels), with sharp circular
// bubbles revealed where the annotator clicked. The blur is the canvas `blur()` filter over a mirrored
// margin (so the edges do not fade to transparent), or, where a browser lacks ctx.filter, core's
// Gaussian on a downscaled copy.
import { gaussianBlur } from '@saliency-explainer/core';
import { canvas2d } from '../image/load-image.js';

type Canvas = OffscreenCanvas | HTMLCanvasElement;

/** The two layers a BubbleView canvas is drawn from, at the canvas's size. */
export interface BubbleLayers {
  width: number;
  height: number;
  sharp: Canvas;
  blurred: Canvas;
}

/** A bubble centre in canvas pixels. */
export interface BubblePoint {
  x: number;
  y: number;
}

export type BlurMethod = 'filter' | 'downscale';

/** Whether this browser's 2-D canvas has the `filter` property (Safari before 18 does not). */
export function canvasFilterSupported(): boolean {
  return typeof canvas2d(1, 1).filter === 'string';
}

/** The pixels in a canvas of their own. */
export function canvasOf(pixels: ImageData): Canvas {
  const ctx = canvas2d(pixels.width, pixels.height);
  ctx.putImageData(pixels, 0, 0);
  return ctx.canvas;
}

/** `source` with a mirrored margin of `m` pixels on each side (half-sample symmetric, as scipy's 'reflect'). */
function mirrored(source: Canvas, m: number): Canvas {
  const { width: w, height: h } = source;
  const ctx = canvas2d(w + 2 * m, h + 2 * m);
  for (const sx of [-1, 1, 3]) {
    for (const sy of [-1, 1, 3]) {
      // sx = 1: as is; -1: flipped left of it; 3: flipped right of it (likewise sy)
      ctx.setTransform(sx === 1 ? 1 : -1, 0, 0, sy === 1 ? 1 : -1, m + (sx === 1 ? 0 : sx === -1 ? 0 : 2 * w), m + (sy === 1 ? 0 : sy === -1 ? 0 : 2 * h));
      ctx.drawImage(source, 0, 0);
    }
  }
  return ctx.canvas;
}

/** Gaussian blur with the canvas filter, the margin mirrored so that the edges keep their colour. */
function blurWithFilter(source: Canvas, sigma: number): Canvas {
  const { width: w, height: h } = source;
  const m = Math.min(Math.ceil(3 * sigma), w, h);
  const ctx = canvas2d(w, h);
  ctx.filter = `blur(${sigma}px)`;
  ctx.drawImage(mirrored(source, m), -m, -m);
  ctx.filter = 'none';
  return ctx.canvas;
}

/** Gaussian blur with core's separable filter on a copy downscaled so that sigma is about 5 px, then scaled back up. */
function blurDownscaled(source: Canvas, sigma: number): Canvas {
  const { width: w, height: h } = source;
  const f = Math.max(1, sigma / 5);
  const sw = Math.max(1, Math.round(w / f));
  const sh = Math.max(1, Math.round(h / f));
  const small = canvas2d(sw, sh);
  small.imageSmoothingQuality = 'high';
  small.drawImage(source, 0, 0, sw, sh);
  const pixels = small.getImageData(0, 0, sw, sh);
  const channel = new Float32Array(sw * sh);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < channel.length; i++) channel[i] = pixels.data[i * 4 + c];
    const out = gaussianBlur({ width: sw, height: sh, values: channel }, sigma * (sw / w), { border: 'reflect' }).values;
    for (let i = 0; i < out.length; i++) pixels.data[i * 4 + c] = out[i];
  }
  small.putImageData(pixels, 0, 0);
  const ctx = canvas2d(w, h);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small.canvas, 0, 0, w, h);
  return ctx.canvas;
}

/** `source` blurred with a Gaussian of `sigma` canvas pixels (sigma ≤ 0: an unblurred copy). */
export function blurred(source: Canvas, sigma: number, method: BlurMethod = canvasFilterSupported() ? 'filter' : 'downscale'): Canvas {
  if (!(sigma > 0)) return copy(source);
  return method === 'filter' ? blurWithFilter(source, sigma) : blurDownscaled(source, sigma);
}

function copy(source: Canvas): Canvas {
  const ctx = canvas2d(source.width, source.height);
  ctx.drawImage(source, 0, 0);
  return ctx.canvas;
}

/** The sharp picture and its blurred copy (computed once per session; each click only redraws). */
export function bubbleLayers(picture: ImageData, sigma: number): BubbleLayers {
  const sharp = canvasOf(picture);
  return { width: picture.width, height: picture.height, sharp, blurred: blurred(sharp, sigma) };
}

/** Paint the blurred picture, then the sharp one through the union of the bubbles (radius in canvas pixels). */
export function drawBubbles(ctx: CanvasRenderingContext2D, layers: BubbleLayers, bubbles: readonly BubblePoint[], radius: number): void {
  ctx.drawImage(layers.blurred, 0, 0);
  if (!bubbles.length || !(radius > 0)) return;
  ctx.save();
  ctx.beginPath();
  for (const b of bubbles) {
    ctx.moveTo(b.x + radius, b.y);
    ctx.arc(b.x, b.y, radius, 0, 2 * Math.PI);
  }
  ctx.clip();
  ctx.drawImage(layers.sharp, 0, 0);
  ctx.restore();
}
