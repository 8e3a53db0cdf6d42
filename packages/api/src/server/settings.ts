// Settings of the API server: every default and every limit by name, read from the environment
// (SALIENCY_*, PORT, DATABASE_URL) and overridable by `serve` flags.
import { join } from 'node:path';
import { DEFAULTS as CLI_DEFAULTS, PROJECT_ROOT } from '../cli/settings.js';

export interface ServerSettings {
  /** PORT (default 4000); 0 picks a free port. */
  port: number;
  /** SALIENCY_HOST (default 127.0.0.1; 0.0.0.0 to serve the network). */
  host: string;
  /** DATABASE_URL: file:… (SQLite, the default under var/) or postgresql://… */
  databaseUrl: string;
  /** SALIENCY_CORS_ORIGINS: comma-separated origins allowed to call the API, or * (default). */
  corsOrigins: string[];
  /** SALIENCY_MODELS_DIR: models/manifest.json and models/cache/. */
  modelsDir: string;
  /** SALIENCY_MODELS: ids of the manifest models served (default: all fetched ones but the test fixtures). */
  models: string[] | null;
  limits: Limits;
  compute: ComputeSettings;
}

export interface Limits {
  /** SALIENCY_MAX_REQUEST_BYTES: largest HTTP request body (HTTP 413, REQUEST_TOO_LARGE). */
  maxRequestBytes: number;
  /** SALIENCY_MAX_IMAGE_BYTES: largest image after base64 decoding (IMAGE_TOO_LARGE). */
  maxImageBytes: number;
  /** SALIENCY_MAX_IMAGE_PIXELS: largest decoded image, checked from its header (IMAGE_TOO_LARGE). */
  maxImagePixels: number;
  /** SALIENCY_MAX_TOP_K: largest topK or number of classes per explain (BAD_CLASS). */
  maxTopK: number;
  /** SALIENCY_MAX_METHODS: most methods per explain (BAD_REQUEST). */
  maxMethods: number;
  /** SALIENCY_MAX_PNG_SIZE: largest `png(size)` (BAD_REQUEST). */
  maxPngSize: number;
  /** SALIENCY_MAX_PAGE_SIZE: largest `first` of a connection (BAD_REQUEST). */
  maxPageSize: number;
  /** SALIENCY_MAX_QUERY_DEPTH: deepest selection (QUERY_TOO_DEEP). */
  maxQueryDepth: number;
  /** SALIENCY_MAX_QUERY_COST: estimated cost of one operation (QUERY_TOO_COMPLEX). */
  maxQueryCost: number;
  /** SALIENCY_RATE_LIMIT: GraphQL requests per minute per client address; 0 = no limit (RATE_LIMITED). */
  requestsPerMinute: number;
}

export interface ComputeSettings {
  /** SALIENCY_BATCH_SIZE: most explain requests of one model run as one forward batch. */
  microBatchSize: number;
  /**
   * SALIENCY_BATCH_WINDOW_MS: how long a request arriving at an idle model waits for others to join
   * its batch (default 0: none; requests arriving while a batch runs join the next one anyway). A few
   * ms pay off on a GPU, where a batch of 8 costs little more than one.
   */
  microBatchWindowMs: number;
  /** SALIENCY_PERTURBATION_BATCH: Score-CAM / Ablation-CAM inputs per forward run. */
  perturbationBatchSize: number;
  /** SALIENCY_CACHE_MB: memory for finished heatmaps, predictions and decoded images. */
  cacheMegabytes: number;
  /** SALIENCY_WORKERS: engine worker threads (each holds every model's ONNX sessions). */
  workers: number;
  /** SALIENCY_INTRA_OP_THREADS: ONNX Runtime threads per session run; 0 = one per core. */
  intraOpThreads: number;
  /** SALIENCY_EXECUTION_PROVIDER: auto (CUDA when it loads, else CPU), cuda or cpu. */
  executionProvider: 'auto' | 'cuda' | 'cpu';
}

export const DEFAULT_DATABASE_URL = `file:${join(PROJECT_ROOT, 'var', 'saliency.sqlite')}`;

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative number`);
  return n;
}

function list(v: string | undefined): string[] | null {
  if (!v) return null;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const ep = (env.SALIENCY_EXECUTION_PROVIDER ?? 'auto').toLowerCase();
  if (ep !== 'auto' && ep !== 'cuda' && ep !== 'cpu') throw new Error(`SALIENCY_EXECUTION_PROVIDER=${ep}: expected auto, cuda or cpu`);
  return {
    port: num(env, 'PORT', 4000),
    host: env.SALIENCY_HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    corsOrigins: list(env.SALIENCY_CORS_ORIGINS) ?? ['*'],
    modelsDir: CLI_DEFAULTS.modelsDir,
    models: list(env.SALIENCY_MODELS),
    limits: {
      maxRequestBytes: num(env, 'SALIENCY_MAX_REQUEST_BYTES', 16 * 1024 * 1024),
      maxImageBytes: num(env, 'SALIENCY_MAX_IMAGE_BYTES', 10 * 1024 * 1024),
      maxImagePixels: num(env, 'SALIENCY_MAX_IMAGE_PIXELS', 40_000_000),
      maxTopK: num(env, 'SALIENCY_MAX_TOP_K', 10),
      maxMethods: num(env, 'SALIENCY_MAX_METHODS', 10),
      maxPngSize: num(env, 'SALIENCY_MAX_PNG_SIZE', 2048),
      maxPageSize: num(env, 'SALIENCY_MAX_PAGE_SIZE', 100),
      maxQueryDepth: num(env, 'SALIENCY_MAX_QUERY_DEPTH', 10),
      maxQueryCost: num(env, 'SALIENCY_MAX_QUERY_COST', 5000),
      requestsPerMinute: num(env, 'SALIENCY_RATE_LIMIT', 600),
    },
    compute: {
      microBatchSize: Math.max(1, num(env, 'SALIENCY_BATCH_SIZE', 8)),
      microBatchWindowMs: num(env, 'SALIENCY_BATCH_WINDOW_MS', 0),
      perturbationBatchSize: Math.max(1, num(env, 'SALIENCY_PERTURBATION_BATCH', CLI_DEFAULTS.batchSize)),
      cacheMegabytes: num(env, 'SALIENCY_CACHE_MB', 256),
      workers: Math.max(1, Math.floor(num(env, 'SALIENCY_WORKERS', 1))),
      intraOpThreads: Math.floor(num(env, 'SALIENCY_INTRA_OP_THREADS', 0)),
      executionProvider: ep,
    },
  };
}
