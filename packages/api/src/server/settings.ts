// Settings of the API server: every default and every limit by name, read from the environment
// (SALIENCY_*, PORT, DATABASE_URL) and overridable by `serve` flags.
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_BATCH_SIZE, MAX_ATTRIBUTION_PASSES } from '@saliency-explainer/core';
import { checkCaptionerDir } from '../models/captioner.js';
import { DEFAULT_MODELS_DIR, PROJECT_ROOT } from '../project.js';
import { crossOriginIsolation } from './isolation.js';

export interface ServerSettings {
  /** PORT (default 4000); 0 picks a free port. */
  port: number;
  /** SALIENCY_HOST (default 127.0.0.1; 0.0.0.0 to serve the network). */
  host: string;
  /** DATABASE_URL: file:… (SQLite, the default under var/) or postgresql://… */
  databaseUrl: string;
  /**
   * SALIENCY_CORS_ORIGINS: who may call the API from a browser page of another origin. `local` (the
   * default): pages served from localhost, 127.0.0.1 or [::1] on any port; `*`: every origin (a
   * public deployment); otherwise a comma-separated list of origins (`local` may be one of them);
   * `none`: same-origin pages only.
   */
  corsOrigins: string[];
  /**
   * SALIENCY_TRUST_PROXY: where the client address (rate limits, fair queue) comes from. Unset or
   * `false` (default): the socket's address. A number N: N reverse proxies in front, the client is the
   * N-th address from the right of X-Forwarded-For. A comma-separated list of addresses or CIDR
   * subnets: X-Forwarded-For is read from the right, skipping these trusted proxies.
   */
  trustProxy: TrustProxy;
  /**
   * SALIENCY_CROSS_ORIGIN_ISOLATION (default off): send COOP `same-origin` and COEP `require-corp` with
   * every response, so this server's pages are cross-origin isolated and the widget runs wasm on
   * several threads. Off by default: COEP blocks cross-origin images, frames and scripts that do not
   * opt in (server/isolation.ts).
   */
  crossOriginIsolation?: boolean;
  /** SALIENCY_MODELS_DIR: models/manifest.json and models/cache/. */
  modelsDir: string;
  /** SALIENCY_MODELS: ids of the manifest models served (default: all fetched ones but the test fixtures). */
  models: string[] | null;
  /**
   * SALIENCY_USER_MODELS_DIR: a folder of your own classifiers, all served beside the manifest's: each
   * NAME.onnx (model id NAME) with NAME.json, its spec as `explain --input-spec` takes it (at least
   * channelOrder, scale, mean, std; the input and output come from the graph), and optional
   * NAME.labels.txt. Unset: none.
   */
  userModelsDir: string | null;
  limits: Limits;
  compute: ComputeSettings;
  annotation: AnnotationSettings;
  /**
   * SALIENCY_ADMIN_KEY: the key of campaign administration (`Authorization: Bearer <key>`; at least 16
   * characters). Unset: creating, closing, listing and reviewing campaigns is refused (ADMIN_DISABLED).
   */
  adminKey: string | null;
}

/** How far X-Forwarded-For is believed (see ServerSettings.trustProxy). */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'list'; addresses: string[] };

export interface Limits {
  /** SALIENCY_MAX_REQUEST_BYTES: largest HTTP request body (HTTP 413, REQUEST_TOO_LARGE). */
  maxRequestBytes: number;
  /**
   * SALIENCY_MAX_DRAIN_BYTES: how much of an oversized body is read and thrown away before the 413 is
   * sent, so that clients which only read the answer after sending everything (Node's fetch) see it;
   * a body beyond this closes the connection.
   */
  maxDrainBytes: number;
  /** SALIENCY_MAX_RESPONSE_BYTES: largest response: estimated before anything runs (QUERY_TOO_COMPLEX) and counted while PNGs and data URLs are made (RESPONSE_TOO_LARGE). */
  maxResponseBytes: number;
  /** SALIENCY_MAX_IMAGE_BYTES: largest image after base64 decoding (IMAGE_TOO_LARGE). */
  maxImageBytes: number;
  /** SALIENCY_MAX_IMAGE_PIXELS: largest decoded image, checked from its header (IMAGE_TOO_LARGE). */
  maxImagePixels: number;
  /** SALIENCY_MAX_TOP_K: largest topK or number of classes per explain (BAD_CLASS). */
  maxTopK: number;
  /** SALIENCY_MAX_METHODS: most methods per explain (BAD_REQUEST). */
  maxMethods: number;
  /**
   * SALIENCY_MAX_IG_STEPS: most Integrated Gradients steps one explain may ask for (`attribution.steps`;
   * BAD_ATTRIBUTION_OPTION). Each step is an input-gradient row per class (3 work units), so the query
   * cost bounds steps × classes as well; at most core's 10,000.
   */
  maxIgSteps: number;
  /** SALIENCY_MAX_SMOOTHGRAD_SAMPLES: most SmoothGrad samples per explain (`attribution.samples`; as the steps). */
  maxSmoothGradSamples: number;
  /** SALIENCY_MAX_SMOOTHGRAD_NOISE: largest SmoothGrad noise σ, as a fraction of the input's max − min (`attribution.noise`). */
  maxSmoothGradNoise: number;
  /** SALIENCY_MAX_SANITY_LAYERS: most randomised layers of one sanityCheck (each compiles the model again; BAD_REQUEST). */
  maxSanityLayers: number;
  /** SALIENCY_MAX_PNG_SIZE: largest `png(size)` (BAD_REQUEST). */
  maxPngSize: number;
  /** SALIENCY_MAX_PAGE_SIZE: largest `first` of a connection (BAD_REQUEST). */
  maxPageSize: number;
  /** SALIENCY_MAX_BATCH_IMAGES: most distinct images of one explainBatch (TOO_MANY_IMAGES); its cost counts every image × method. */
  maxBatchImages: number;
  /** SALIENCY_MAX_QUERY_DEPTH: deepest selection (QUERY_TOO_DEEP). */
  maxQueryDepth: number;
  /**
   * SALIENCY_MAX_QUERY_COST: the work one operation may ask for, in work units (one unit ≈ one forward
   * pass of a served model at batch 1; server/cost.ts), estimated before anything runs (QUERY_TOO_COMPLEX).
   */
  maxQueryCost: number;
  /** SALIENCY_PNG_PIXELS_PER_UNIT: pixels of a rendered PNG that cost one work unit (an overlay renders twice). */
  pngPixelsPerUnit: number;
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
  /**
   * SALIENCY_PERTURBATION_BATCH: Score-CAM / Ablation-CAM inputs per forward run; unset: each model's
   * measured size (the manifest's perturbationBatch), else the engine's default (8).
   */
  perturbationBatchSize: number | undefined;
  /** SALIENCY_CACHE_MB: memory for finished heatmaps, predictions and decoded images. */
  cacheMegabytes: number;
  /** SALIENCY_WORKERS: engine worker threads (each holds every model's ONNX sessions). */
  workers: number;
  /** SALIENCY_INTRA_OP_THREADS: ONNX Runtime threads per session run; 0 = one per core. */
  intraOpThreads: number;
  /** SALIENCY_EXECUTION_PROVIDER: auto (CUDA when it loads, else CPU), cuda or cpu. */
  executionProvider: 'auto' | 'cuda' | 'cpu';
  /**
   * SALIENCY_HEAVY_WORKERS: engine worker threads of their own for heavy explain requests and for
   * measures (faithfulness, captions), so light requests run beside them instead of after them
   * (at least 1; by default each uses half the cores' ONNX Runtime threads).
   */
  heavyWorkers: number;
  /** SALIENCY_HEAVY_UNITS: an explain request of more work units than this is heavy: it runs alone, on a heavy worker; also the most work units of one light batch. */
  heavyUnits: number;
  /**
   * SALIENCY_CLIENT_MAX_UNITS: work units one client may have admitted to the engine (queued or
   * running) at once; more is refused with RATE_LIMITED (HTTP 429, Retry-After). A client with
   * nothing admitted may always send one request (the query cost limit bounds it).
   */
  clientMaxUnits: number;
  /**
   * SALIENCY_DECODE_PIXELS: decoded pixels at full resolution one thread (each engine worker, and the
   * main thread for overlays and PNG rendering) holds at once; decodes beyond it wait. An image larger
   * than this still decodes, alone.
   */
  decodePixels: number;
  /**
   * SALIENCY_CAPTIONER_DIR: a free-text captioner's folder (an ONNX VisionEncoderDecoder export, see
   * models/captioner.ts) whose description of each caption's crop Heatmap.caption quotes; unset: none.
   */
  captionerDir: string | null;
}

/** Crowdsourced annotation (BubbleView sessions) and the human maps built from annotations. */
export interface AnnotationSettings {
  /** SALIENCY_ANNOTATION_MAX_CLICKS: most clicks of one session (TOO_MANY_CLICKS; a session may ask for fewer). */
  maxClicks: number;
  /** SALIENCY_ANNOTATION_TIME_LIMIT: seconds an annotator has from seeing the image (BAD_CLICK_TIMES). */
  timeLimitSeconds: number;
  /** SALIENCY_ANNOTATION_TICKET_TTL: seconds a ticket stays valid after startAnnotation (TICKET_EXPIRED). */
  ticketTtlSeconds: number;
  /** SALIENCY_ANNOTATION_RATE: submissions per minute per annotator and per client address; 0 = no limit (RATE_LIMITED). */
  submissionsPerMinute: number;
  /** SALIENCY_ANNOTATION_NEW_ANNOTATORS: new annotator tokens per hour per client address; 0 = no limit (RATE_LIMITED). */
  newAnnotatorsPerHour: number;
  /** SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS: earliest first click after the image is shown (IMPOSSIBLE_TIMING). */
  minFirstClickMs: number;
  /** SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS: shortest time between two clicks (IMPOSSIBLE_TIMING). */
  minClickIntervalMs: number;
  /**
   * SALIENCY_ANNOTATION_SECRET: the HMAC key of the tickets (at least 16 characters); unset: a random
   * key per process, so tickets die with a restart and are not accepted by other replicas.
   */
  secret: string | null;
  /** SALIENCY_HUMAN_MAP_SIGMA: density sigma as a fraction of the image's longer side (0.03 = OSIE's 24 px at 800 px). */
  humanMapSigma: number;
  /** SALIENCY_ALIGNMENT_MAX_SIDE: human maps and alignment are computed at the image scaled to at most this longer side. */
  alignmentMaxSide: number;
}

export const DEFAULT_DATABASE_URL = `file:${join(PROJECT_ROOT, 'var', 'saliency.sqlite')}`;

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative number`);
  return n;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean): number {
  const n = num(env, name, fallback);
  if (n <= 0 || (integer && !Number.isSafeInteger(n))) throw new Error(`${name}=${env[name]}: expected a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

/** A limit on IG steps or SmoothGrad samples: a positive integer up to core's MAX_ATTRIBUTION_PASSES. */
function passCount(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = positive(env, name, fallback, true);
  if (n > MAX_ATTRIBUTION_PASSES) throw new Error(`${name}=${env[name]}: at most ${MAX_ATTRIBUTION_PASSES} (the engine's own limit)`);
  return n;
}

function secret(env: NodeJS.ProcessEnv): string | null {
  const v = env.SALIENCY_ANNOTATION_SECRET;
  if (v === undefined || v === '') return null;
  if (v.length < 16) throw new Error('SALIENCY_ANNOTATION_SECRET: expected at least 16 characters (a random string; it signs annotation tickets)');
  return v;
}

/** SALIENCY_ADMIN_KEY: null when unset; at least 16 characters otherwise. */
export function adminKey(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  if (v.length < 16 || /\s/.test(v)) throw new Error('SALIENCY_ADMIN_KEY: expected at least 16 characters without spaces (a random string; it guards campaign administration)');
  return v;
}

/** SALIENCY_TRUST_PROXY: unset/false, a hop count, or trusted addresses and subnets. */
export function trustProxy(v: string | undefined): TrustProxy {
  const text = (v ?? '').trim();
  if (text === '' || /^(false|0|off|no)$/i.test(text)) return { kind: 'none' };
  if (/^\d+$/.test(text)) return { kind: 'hops', hops: Number(text) };
  const addresses = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of addresses) {
    const [ip, bits, extra] = a.split('/');
    if (extra !== undefined || isIP(ip) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new Error(`SALIENCY_TRUST_PROXY=${v}: expected false, a number of proxies, or a list of addresses / CIDR subnets ('${a}' is none)`);
    }
  }
  return { kind: 'list', addresses };
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
    corsOrigins: list(env.SALIENCY_CORS_ORIGINS) ?? ['local'],
    trustProxy: trustProxy(env.SALIENCY_TRUST_PROXY),
    crossOriginIsolation: crossOriginIsolation(env.SALIENCY_CROSS_ORIGIN_ISOLATION),
    modelsDir: DEFAULT_MODELS_DIR,
    models: list(env.SALIENCY_MODELS),
    userModelsDir: env.SALIENCY_USER_MODELS_DIR || null,
    limits: {
      maxRequestBytes: num(env, 'SALIENCY_MAX_REQUEST_BYTES', 16 * 1024 * 1024),
      maxDrainBytes: num(env, 'SALIENCY_MAX_DRAIN_BYTES', 64 * 1024 * 1024),
      maxResponseBytes: positive(env, 'SALIENCY_MAX_RESPONSE_BYTES', 64 * 1024 * 1024, true),
      maxImageBytes: num(env, 'SALIENCY_MAX_IMAGE_BYTES', 10 * 1024 * 1024),
      maxImagePixels: num(env, 'SALIENCY_MAX_IMAGE_PIXELS', 40_000_000),
      maxTopK: num(env, 'SALIENCY_MAX_TOP_K', 10),
      maxMethods: num(env, 'SALIENCY_MAX_METHODS', 10),
      maxIgSteps: passCount(env, 'SALIENCY_MAX_IG_STEPS', 500),
      maxSmoothGradSamples: passCount(env, 'SALIENCY_MAX_SMOOTHGRAD_SAMPLES', 500),
      maxSmoothGradNoise: num(env, 'SALIENCY_MAX_SMOOTHGRAD_NOISE', 1),
      maxSanityLayers: num(env, 'SALIENCY_MAX_SANITY_LAYERS', 30),
      maxPngSize: num(env, 'SALIENCY_MAX_PNG_SIZE', 2048),
      maxPageSize: num(env, 'SALIENCY_MAX_PAGE_SIZE', 100),
      maxBatchImages: positive(env, 'SALIENCY_MAX_BATCH_IMAGES', 100, true),
      maxQueryDepth: num(env, 'SALIENCY_MAX_QUERY_DEPTH', 10),
      maxQueryCost: num(env, 'SALIENCY_MAX_QUERY_COST', 4000),
      pngPixelsPerUnit: positive(env, 'SALIENCY_PNG_PIXELS_PER_UNIT', 65_536, false),
      requestsPerMinute: num(env, 'SALIENCY_RATE_LIMIT', 600),
    },
    compute: {
      microBatchSize: Math.max(1, num(env, 'SALIENCY_BATCH_SIZE', 8)),
      microBatchWindowMs: num(env, 'SALIENCY_BATCH_WINDOW_MS', 0),
      perturbationBatchSize: env.SALIENCY_PERTURBATION_BATCH ? Math.max(1, num(env, 'SALIENCY_PERTURBATION_BATCH', DEFAULT_BATCH_SIZE)) : undefined,
      cacheMegabytes: num(env, 'SALIENCY_CACHE_MB', 256),
      workers: Math.max(1, Math.floor(num(env, 'SALIENCY_WORKERS', 1))),
      intraOpThreads: Math.floor(num(env, 'SALIENCY_INTRA_OP_THREADS', 0)),
      executionProvider: ep,
      heavyWorkers: Math.max(1, Math.floor(num(env, 'SALIENCY_HEAVY_WORKERS', 1))),
      heavyUnits: positive(env, 'SALIENCY_HEAVY_UNITS', 64, false),
      clientMaxUnits: positive(env, 'SALIENCY_CLIENT_MAX_UNITS', 8000, false),
      decodePixels: positive(env, 'SALIENCY_DECODE_PIXELS', 40_000_000, true),
      // checked here, so that a wrong folder stops the server before it starts
      captionerDir: env.SALIENCY_CAPTIONER_DIR ? checkCaptionerDir(env.SALIENCY_CAPTIONER_DIR) : null,
    },
    annotation: {
      maxClicks: positive(env, 'SALIENCY_ANNOTATION_MAX_CLICKS', 50, true),
      timeLimitSeconds: positive(env, 'SALIENCY_ANNOTATION_TIME_LIMIT', 120, false),
      ticketTtlSeconds: positive(env, 'SALIENCY_ANNOTATION_TICKET_TTL', 1800, false),
      submissionsPerMinute: Math.floor(num(env, 'SALIENCY_ANNOTATION_RATE', 10)),
      newAnnotatorsPerHour: Math.floor(num(env, 'SALIENCY_ANNOTATION_NEW_ANNOTATORS', 20)),
      minFirstClickMs: num(env, 'SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS', 150),
      minClickIntervalMs: num(env, 'SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS', 100),
      secret: secret(env),
      humanMapSigma: positive(env, 'SALIENCY_HUMAN_MAP_SIGMA', 0.03, false),
      alignmentMaxSide: positive(env, 'SALIENCY_ALIGNMENT_MAX_SIDE', 400, true),
    },
    adminKey: adminKey(env.SALIENCY_ADMIN_KEY),
  };
}
