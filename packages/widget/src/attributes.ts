// Attribute values checked and normalised before a run; a bad one is a BAD_ATTRIBUTE error, not a guess.
import { COLORMAPS, getCamMethod, type ColormapName } from '@saliency-explainer/core';
import { WidgetError } from './errors.js';
import type { Mode } from './engines/types.js';

export const MODES: readonly Mode[] = ['auto', 'webgpu', 'wasm', 'remote'];

export function checkMode(mode: string): Mode {
  if (!(MODES as readonly string[]).includes(mode)) throw new WidgetError('BAD_ATTRIBUTE', `mode="${mode}": expected ${MODES.join(', ')}`);
  return mode as Mode;
}

/** A method id or alias → its id (e.g. "grad-cam" → "gradcam"). */
export function checkMethod(method: string): string {
  try {
    return getCamMethod(method).id;
  } catch (e) {
    throw new WidgetError('UNKNOWN_METHOD', (e as Error).message);
  }
}

export function checkTopK(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > 10) throw new WidgetError('BAD_ATTRIBUTE', `top-k="${k}": expected an integer from 1 to 10`);
  return k;
}

/** "243" or "243, 282" → [243, 282]; empty → undefined. */
export function parseClasses(value: string | undefined | null): number[] | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const parts = value.split(',').map((s) => s.trim());
  const classes = parts.map(Number);
  const bad = parts.find((s, i) => s === '' || !Number.isInteger(classes[i]) || classes[i] < 0);
  if (bad !== undefined) throw new WidgetError('BAD_ATTRIBUTE', `class-index="${value}": expected class indices such as "243" or "243,282"`);
  return [...new Set(classes)];
}

export function checkColormap(name: string): ColormapName {
  if (!(COLORMAPS as readonly string[]).includes(name)) {
    throw new WidgetError('BAD_ATTRIBUTE', `colormap="${name}": expected ${COLORMAPS.join(', ')}`);
  }
  return name as ColormapName;
}

/** Opacity of the heatmap over the image, clamped to [0, 1]; not a number → the default 0.5. */
export function clampOpacity(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
}

/** A folder URL (with its trailing slash) resolved against the page. */
export function folderUrl(url: string, base: string): string {
  const abs = new URL(url, base).href;
  return abs.endsWith('/') ? abs : `${abs}/`;
}
