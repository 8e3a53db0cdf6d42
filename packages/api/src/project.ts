// Where the project lives on disk, for every part of the API package (CLI, server, compute, eval).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/api/dist → ../../..; the same from packages/api/src). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** models/manifest.json and models/cache/ (SALIENCY_MODELS_DIR, else the repository's models/). */
export const DEFAULT_MODELS_DIR = process.env.SALIENCY_MODELS_DIR ?? join(PROJECT_ROOT, 'models');
