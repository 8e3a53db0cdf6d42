// Explanations as a service: validate → the stored explanation of an identical request (persistent
// cache) → coalesce identical in-flight requests → reuse cached heatmaps and predictions (memory
// cache keyed by image sha256, model, layer, method, class, target) → compute only what is missing
// through the engine's fair queue (per-client admission, round-robin micro-batches, heavy lanes) →
// store everything in one transaction.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  AttributionOptionsError, attributionOptionsFor, camMethods, ExplainError, getCamMethod, resizeForModel, resolveAttributionOptions, topPredictions,
  type AttributionOptions, type RgbImage,
} from '@saliency-explainer/core';
import { decodeImage, imageHeader } from '../images/decode.js';
import { explainUnits, requestedMethods } from '../server/cost.js';
import type { ExplanationRecord, HeatmapRecord, ImageRecord, Storage } from '../storage/types.js';
import { ClientBusyError, FairQueue } from './fair-queue.js';
import type { ModelPool, ServedModel } from './model-pool.js';
import { PixelGate } from './pixel-gate.js';
import { DetectorService } from './detector-service.js';
import { fromWire } from './worker-pool.js';
import type { Computed, MeasureJob, WorkItem } from './worker-protocol.js';

/** What waits in the engine's fair queue: an explain item, or a measure of a stored heatmap (faithfulness, caption). */
export type EngineRequest = WorkItem | { measure: MeasureJob };

export type TargetName = 'LOGIT' | 'PROBABILITY';

export interface ExplainArgs {
  image: ImageRecord;
  /** The image's bytes when the caller has them (a fresh upload); otherwise read from storage. */
  bytes?: Uint8Array;
  /** Who asks (the client address): the key of the fair queue's admission and round-robin. */
  client: string;
  /** Stores an uploaded image; called just before the explanation is saved, so failures store nothing. */
  storeImage?: () => Promise<void>;
  model: string;
  methods: string[];
  topK?: number;
  classes?: number[];
  layer?: string;
  target: TargetName;
  eigenSmooth: boolean;
  /** Options of the pixel attributions (IG steps and rule, SmoothGrad samples, noise, seed); defaults where absent. */
  attribution?: AttributionOptions;
  /** Detectors: the boxes the gradient methods explain, indices of the detections (0 = best); default: the best box. */
  boxes?: number[];
}

export interface ExplainOutcome {
  explanation: ExplanationRecord;
  /** true: nothing was computed (a stored identical request). */
  cached: boolean;
}

export interface ServiceLimits {
  maxTopK: number;
  maxMethods: number;
  maxImagePixels: number;
  /** SALIENCY_MAX_IG_STEPS, SALIENCY_MAX_SMOOTHGRAD_SAMPLES, SALIENCY_MAX_SMOOTHGRAD_NOISE (server/settings.ts). */
  maxIgSteps: number;
  maxSmoothGradSamples: number;
  maxSmoothGradNoise: number;
}

/** How the engine is shared (server/settings.ts ComputeSettings). */
export interface Scheduling {
  /** Most requests per micro-batch, and how long an idle engine waits for company. */
  size: number;
  windowMs: number;
  heavyUnits: number;
  clientMaxUnits: number;
  /** Full-resolution pixels this thread decodes at once (overlay views). */
  decodePixels: number;
}

export interface ServiceStats {
  explainRequests: number;
  storedHits: number;
  coalesced: number;
  heatmapCacheHits: number;
  computedHeatmaps: number;
  engineRuns: number;
}

/** An error a client caused, with the GraphQL code it maps to. */
export class ExplainRequestError extends Error {
  constructor(
    readonly code: 'UNKNOWN_METHOD' | 'BAD_CLASS' | 'BAD_BOX' | 'BAD_LAYER' | 'BAD_REQUEST' | 'BAD_ATTRIBUTION_OPTION' | 'NOT_FOUND' | 'BAD_IMAGE' | 'RATE_LIMITED',
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ExplainRequestError';
  }
}

interface Resolved {
  served: ServedModel;
  methods: string[];
  layer: string;
  classes: number[] | null;
  topK: number;
  /** Every attribution option resolved (what the engine runs with). */
  attribution: Required<AttributionOptions>;
  /** The options the requested methods read (attributionOptionsFor): part of the request key, stored with the explanation. */
  usedOptions: Record<string, string | number>;
  key: string;
}

/** A map as the memory cache keeps it. */
interface CachedMap {
  width: number;
  height: number;
  raw: Float32Array;
  attribution?: { channels: number; values: Float32Array };
  convergenceDelta?: number;
}

/**
 * The attribution options resolved and checked against the server's limits: BAD_ATTRIBUTION_OPTION
 * (extensions: option, and limit with the setting's name where a limit was passed) for any value out of
 * range, whether or not a requested method reads it.
 */
export function checkAttributionOptions(o: AttributionOptions | undefined, limits: ServiceLimits): Required<AttributionOptions> {
  let r: Required<AttributionOptions>;
  try {
    r = resolveAttributionOptions(o);
  } catch (e) {
    if (e instanceof AttributionOptionsError) throw new ExplainRequestError('BAD_ATTRIBUTION_OPTION', e.message, { option: e.option });
    throw e;
  }
  const over = (option: keyof AttributionOptions, value: number, limit: number, setting: string) => {
    if (value > limit) {
      throw new ExplainRequestError('BAD_ATTRIBUTION_OPTION', `attribution.${option} is ${value}; the limit is ${limit} (${setting})`, { option, limit, setting });
    }
  };
  over('steps', r.steps, limits.maxIgSteps, 'SALIENCY_MAX_IG_STEPS');
  over('samples', r.samples, limits.maxSmoothGradSamples, 'SALIENCY_MAX_SMOOTHGRAD_SAMPLES');
  over('noise', r.noise, limits.maxSmoothGradNoise, 'SALIENCY_MAX_SMOOTHGRAD_NOISE');
  if (r.seed < 0) throw new ExplainRequestError('BAD_ATTRIBUTION_OPTION', `attribution.seed must be ≥ 0, not ${r.seed}`, { option: 'seed' });
  return r;
}

const METHOD_ORDER = new Map(camMethods.map((m, i) => [m.id, i]));

export class ExplainService {
  private readonly inflight = new Map<string, Promise<ExplanationRecord>>();
  /** One queue for every model: the workers (and their lanes) are shared. */
  readonly queue: FairQueue<EngineRequest, unknown>;
  /** Full-resolution decodes on this thread (overlay views of stored images). */
  readonly gate: PixelGate;
  /** heatmap key → relu(cam) at the layer's resolution */
  private readonly heatmaps: LRUCache<string, CachedMap>;
  /** image + model → softmax probabilities */
  private readonly probabilities: LRUCache<string, Float32Array>;
  /** image + model → the image as the model sees it (resized / cropped RGB) */
  private readonly views: LRUCache<string, RgbImage>;
  readonly stats: ServiceStats = { explainRequests: 0, storedHits: 0, coalesced: 0, heatmapCacheHits: 0, computedHeatmaps: 0, engineRuns: 0 };
  /** Object detectors' explanations (compute/detector-service.ts). */
  readonly detectors: DetectorService;

  constructor(
    private readonly pool: ModelPool,
    private readonly storage: Storage,
    private readonly limits: ServiceLimits,
    scheduling: Scheduling,
    cacheBytes: number,
  ) {
    this.queue = new FairQueue<EngineRequest, unknown>(async (model, requests, heavy) => {
      // explain items of a batch run as one batched worker call; measures each on their own
      const out: PromiseSettledResult<unknown>[] = new Array(requests.length);
      const explainAt = requests.flatMap((r, i) => ('measure' in r ? [] : [i]));
      const measures = requests.map(async (r, i) => {
        if (!('measure' in r)) return;
        out[i] = await this.pool.measure(model, r.measure).then(
          (value): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason }));
      });
      const batch = (async () => {
        if (!explainAt.length) return;
        this.stats.engineRuns++;
        const results = await this.pool.explain(model, explainAt.map((i) => requests[i] as WorkItem), heavy);
        results.forEach((r, j) => {
          out[explainAt[j]] = r.ok ? { status: 'fulfilled', value: r.value } : { status: 'rejected', reason: fromWire(r.error) };
        });
      })();
      await Promise.all([...measures, batch]);
      return out;
    }, {
      maxBatch: scheduling.size, windowMs: scheduling.windowMs, lanes: pool.workerCount, heavyLanes: pool.heavyWorkerCount,
      heavyUnits: scheduling.heavyUnits, clientMaxUnits: scheduling.clientMaxUnits,
    });
    this.gate = new PixelGate(scheduling.decodePixels);
    this.detectors = new DetectorService(pool, storage, limits, scheduling);
    // the budget is split: maps and probabilities are small, model-size views larger
    const part = Math.max(1, Math.floor(cacheBytes / 4));
    this.heatmaps = new LRUCache({ maxSize: part, sizeCalculation: (v) => v.raw.byteLength + (v.attribution?.values.byteLength ?? 0) + 64 });
    this.probabilities = new LRUCache({ maxSize: part, sizeCalculation: (v) => v.byteLength + 64 });
    this.views = new LRUCache({ maxSize: 2 * part, sizeCalculation: (v) => v.data.byteLength + 64 });
  }

  /**
   * Measure a stored heatmap (faithfulness, caption) on an engine worker, through the same fair queue
   * as explains: admitted per client, round-robin, heavy ones in heavy lanes.
   */
  measure(client: string, model: string, units: number, job: MeasureJob): Promise<unknown> {
    return this.queue.submit({ client, group: model, units, request: { measure: job } }).catch((e: unknown) => {
      if (e instanceof ClientBusyError) throw new ExplainRequestError('RATE_LIMITED', e.message, { retryAfter: e.retryAfter });
      throw e;
    });
  }

  batcherStats(): { batches: number; requests: number; largestBatch: number; heavyBatches: number; refused: number } {
    const { batches, requests, largestBatch, heavyBatches, refused } = this.queue.stats;
    return { batches, requests, largestBatch, heavyBatches, refused };
  }

  async explain(args: ExplainArgs): Promise<ExplainOutcome> {
    this.stats.explainRequests++;
    if (this.pool.isDetector(args.model)) return this.detectors.explain(args);
    if (args.boxes?.length) throw new ExplainRequestError('BAD_REQUEST', `boxes are for object detectors; '${args.model}' is a classifier (pick classes or topK)`);
    const r = await this.resolve(args);
    const stored = await this.storage.findExplanationByKey(r.key);
    if (stored) {
      this.stats.storedHits++;
      return { explanation: stored, cached: true };
    }
    let job = this.inflight.get(r.key);
    if (job) {
      this.stats.coalesced++;
      return { explanation: await job, cached: false };
    }
    job = this.compute(args, r).finally(() => this.inflight.delete(r.key));
    this.inflight.set(r.key, job);
    return { explanation: await job, cached: false };
  }

  /**
   * Checks a request as explain() would (model, methods, layer, classes, attribution options; the same
   * typed ExplainRequestErrors) without computing or storing anything: the methods' ids as stored (each
   * once, in the catalogue's order) and the layer. explainBatch checks its terms once with this.
   */
  async check(args: Omit<ExplainArgs, 'client'>): Promise<{ methods: string[]; layer: string }> {
    const r = await this.resolve({ ...args, client: '' });
    return { methods: r.methods, layer: r.layer };
  }

  /** Check everything the client chose before any work, and derive the canonical request key. */
  private async resolve(args: ExplainArgs): Promise<Resolved> {
    const served = await this.pool.get(args.model);
    const requested = args.methods.length ? args.methods : ['gradcam'];
    if (requested.length > this.limits.maxMethods) {
      throw new ExplainRequestError('BAD_REQUEST', `${requested.length} methods requested; the limit is ${this.limits.maxMethods} (SALIENCY_MAX_METHODS)`);
    }
    const ids = requested.map((m) => {
      try {
        return getCamMethod(m).id;
      } catch (e) {
        throw new ExplainRequestError('UNKNOWN_METHOD', (e as Error).message);
      }
    });
    const methods = [...new Set(ids)].sort((a, b) => METHOD_ORDER.get(a)! - METHOD_ORDER.get(b)!);
    const layer = args.layer ?? served.defaultLayer;
    try {
      served.analysis.checkLayer(layer);
    } catch (e) {
      throw new ExplainRequestError('BAD_LAYER', (e as Error).message);
    }
    const n = served.numClasses;
    let classes: number[] | null = null;
    let topK = 1;
    if (args.classes?.length) {
      if (args.topK !== undefined) throw new ExplainRequestError('BAD_REQUEST', 'give topK or classes, not both');
      classes = [...new Set(args.classes)];
      const bad = classes.find((c) => !Number.isInteger(c) || c < 0 || c >= n);
      if (bad !== undefined) throw new ExplainRequestError('BAD_CLASS', `class ${bad} is not in 0..${n - 1} of model '${served.spec.id}'`);
      if (classes.length > this.limits.maxTopK) {
        throw new ExplainRequestError('BAD_CLASS', `${classes.length} classes requested; the limit is ${this.limits.maxTopK} (SALIENCY_MAX_TOP_K)`);
      }
    } else {
      topK = args.topK ?? 1;
      if (!Number.isInteger(topK) || topK < 1 || topK > Math.min(n, this.limits.maxTopK)) {
        throw new ExplainRequestError('BAD_CLASS', `topK must be in 1..${Math.min(n, this.limits.maxTopK)} (SALIENCY_MAX_TOP_K)`);
      }
    }
    const attribution = checkAttributionOptions(args.attribution, this.limits);
    const usedOptions = attributionOptionsFor(methods, attribution) as Record<string, string | number>;
    // methods that read no option keep the key they had before options existed
    const key = createHash('sha256').update(JSON.stringify({
      v: 1, image: args.image.id, model: served.spec.id, layer, target: args.target, methods,
      classes, topK: classes ? null : topK, eigenSmooth: args.eigenSmooth,
      ...(Object.keys(usedOptions).length ? { attribution: usedOptions } : {}),
    })).digest('hex');
    return { served, methods, layer, classes, topK, attribution, usedOptions, key };
  }

  /** The image as the model sees it (for overlays and alignment; the engine workers make their own). */
  async view(image: ImageRecord, served: ServedModel): Promise<RgbImage> {
    const key = `${image.id}/${served.spec.id}`;
    let v = this.views.get(key);
    if (!v) {
      const bytes = await this.storage.getImageBytes(image.id);
      if (!bytes) throw new ExplainRequestError('NOT_FOUND', `image ${image.id} is not stored`);
      const { pixels } = await imageHeader(bytes, this.limits.maxImagePixels);
      v = await this.gate.run(pixels, async () => resizeForModel((await decodeImage(bytes, this.limits.maxImagePixels)).image, served.spec.input));
      this.views.set(key, v);
    }
    return v;
  }

  private async compute(args: ExplainArgs, r: Resolved): Promise<ExplanationRecord> {
    const started = performance.now();
    const { served } = r;
    const model = served.spec.id;
    const probsKey = `${args.image.id}/${model}`;
    // a pixel method's map depends on the options it reads (IG's steps and rule, SmoothGrad's samples, noise, seed)
    const optionsOf = new Map(r.methods.map((m) => {
      const used = attributionOptionsFor([m], r.attribution);
      return [m, Object.keys(used).length ? JSON.stringify(used) : ''];
    }));
    const mapKey = (method: string, c: number) =>
      `${args.image.id}/${model}/${r.layer}/${method}/${c}/${args.target}/${args.eigenSmooth ? 1 : 0}/${optionsOf.get(method) ?? ''}`;

    let probs = this.probabilities.get(probsKey);
    const fresh = new Map<string, CachedMap>();
    const classesOf = (p: Float32Array) => r.classes ?? topPredictions(p, r.topK, served.labels).map((x) => x.index);
    // without cached probabilities the classes of a top-k request are unknown: compute every method
    const missing = probs ? r.methods.filter((m) => classesOf(probs!).some((c) => !this.heatmaps.has(mapKey(m, c)))) : r.methods;
    if (!probs || missing.length) {
      const bytes = args.bytes ?? (await this.storage.getImageBytes(args.image.id));
      if (!bytes) throw new ExplainRequestError('NOT_FOUND', `image ${args.image.id} is not stored`);
      const units = explainUnits(requestedMethods(missing), r.classes?.length ?? r.topK, served.analysis.shapeOf(r.layer)[1] ?? 0, r.attribution);
      const result = (await this.queue.submit({ client: args.client, group: model, units, request: {
        bytes,
        options: {
          methods: missing,
          ...(r.classes ? { classes: r.classes } : { topK: r.topK }),
          layer: r.layer,
          target: args.target === 'PROBABILITY' ? 'probability' : 'logit',
          eigenSmooth: args.eigenSmooth,
          attribution: r.attribution,
        },
      } }).catch((e: unknown) => {
        if (e instanceof ClientBusyError) throw new ExplainRequestError('RATE_LIMITED', e.message, { retryAfter: e.retryAfter });
        if (e instanceof ExplainError && e.code !== 'BAD_INPUT') throw new ExplainRequestError(e.code, e.message);
        // stored images were decoded when they were uploaded; this one no longer decodes
        if ((e as { name?: string }).name === 'ImageDecodeError') throw new ExplainRequestError('BAD_IMAGE', (e as Error).message);
        throw e;
      })) as Computed;
      probs = result.probabilities;
      this.probabilities.set(probsKey, probs);
      this.views.set(`${args.image.id}/${model}`, result.view);
      for (const m of result.maps) {
        const map: CachedMap = {
          width: m.width, height: m.height, raw: m.raw,
          ...(m.attribution ? { attribution: m.attribution } : {}),
          ...(m.convergenceDelta === undefined ? {} : { convergenceDelta: m.convergenceDelta }),
        };
        fresh.set(mapKey(m.method, m.classIndex), map);
        this.heatmaps.set(mapKey(m.method, m.classIndex), map);
        this.stats.computedHeatmaps++;
      }
    }
    const classes = classesOf(probs);
    const heatmaps: HeatmapRecord[] = [];
    for (const method of r.methods) {
      for (const c of classes) {
        const key = mapKey(method, c);
        const m = fresh.get(key) ?? this.heatmaps.get(key);
        if (!m) throw new Error(`heatmap ${method}/${c} was neither cached nor computed`);
        if (!fresh.has(key)) this.stats.heatmapCacheHits++;
        heatmaps.push({
          method, classIndex: c, label: served.labels[c], score: probs[c], width: m.width, height: m.height, raw: m.raw,
          ...(m.attribution ? { attribution: m.attribution } : {}),
          ...(m.convergenceDelta === undefined ? {} : { convergenceDelta: m.convergenceDelta }),
        });
      }
    }
    const nPred = r.classes ? Math.max(5, r.classes.length) : r.topK;
    const predictions = topPredictions(probs, Math.min(nPred, served.numClasses), served.labels)
      .map((p) => ({ classIndex: p.index, label: p.label, score: p.score }));
    await args.storeImage?.();
    return this.storage.saveExplanation({
      requestKey: r.key,
      imageId: args.image.id,
      model: { id: model, task: served.spec.task, inputWidth: served.spec.input.width, inputHeight: served.spec.input.height, numClasses: served.numClasses },
      layer: r.layer,
      target: args.target,
      methods: r.methods,
      predictions,
      attributionOptions: Object.keys(r.usedOptions).length ? r.usedOptions : null,
      heatmaps,
      computeMs: performance.now() - started,
    });
  }
}
