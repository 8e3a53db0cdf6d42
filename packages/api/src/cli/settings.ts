// Named limits and defaults of the CLI (each one a flag and, where useful, an environment variable).
import { DEFAULT_BATCH_SIZE } from '@saliency-explainer/core';
import { DEFAULT_MODELS_DIR } from '../project.js';

export const DEFAULTS = {
  /** models/manifest.json and models/cache/ */
  modelsDir: DEFAULT_MODELS_DIR,
  /** Largest image file read, in bytes (SALIENCY_MAX_IMAGE_BYTES). */
  maxImageBytes: Number(process.env.SALIENCY_MAX_IMAGE_BYTES ?? 50 * 1024 * 1024),
  /** Largest decoded image, in pixels (SALIENCY_MAX_IMAGE_PIXELS); sharp refuses bigger ones before decoding. */
  maxImagePixels: Number(process.env.SALIENCY_MAX_IMAGE_PIXELS ?? 40_000_000),
  /** Perturbed inputs per forward run for Score-CAM and Ablation-CAM (core's DEFAULT_BATCH_SIZE; measured in DESIGN.md). */
  batchSize: DEFAULT_BATCH_SIZE,
  colormap: 'jet',
  imageWeight: 0.5,
  outDir: 'out',
} as const;

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp']);
