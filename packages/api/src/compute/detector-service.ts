// Explanations of object detectors as a service, beside ExplainService's classifiers (which hands a
// detector's request here): check the request → the stored explanation of an identical request →
// coalesce identical in-flight requests → the detector thread through a fair queue of its own (per
// client admission, SALIENCY_CLIENT_MAX_UNITS) → store the boxes and maps in one transaction.
// An explanation of a detector stores its boxes (`detections`, best score first; `predictions` holds
// their classes and scores) and a heatmap per (gradient method, box) plus one per image for EigenCAM;
// a heatmap's raw map is the final map on the letterboxed model input (width × height of the input).
import { createHash } from 'node:crypto';
import { getCamMethod } from '@saliency-explainer/core';
import { detectorUnits } from '../server/cost.js';
import type { ExplanationRecord, Storage } from '../storage/types.js';
import type { ExplainArgs, ExplainOutcome, Scheduling, ServiceLimits } from './explain-service.js';
import { ExplainRequestError } from './explain-service.js';
import type { DetectorExplainResult } from './detector-protocol.js';
import { ClientBusyError, FairQueue } from './fair-queue.js';
import type { ModelPool } from './model-pool.js';

interface Resolved {
  methods: string[];
  boxes: number[] | null;
  layers: string[] | null;
  key: string;
}

/** The layers a request names: ExplainInput.layer, one name or several separated by commas. */
export function detectorLayers(layer: string | undefined): string[] | null {
  if (layer === undefined) return null;
  const list = layer.split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

export class DetectorService {
  private readonly inflight = new Map<string, Promise<ExplanationRecord>>();
  private readonly queue: FairQueue<{ model: string; request: () => Promise<DetectorExplainResult> }, DetectorExplainResult>;

  constructor(
    private readonly pool: ModelPool,
    private readonly storage: Storage,
    private readonly limits: ServiceLimits,
    scheduling: Scheduling,
  ) {
    // one detector thread: one request at a time, each alone (a detector's run is not batched)
    this.queue = new FairQueue(async (_group, requests) => Promise.allSettled(requests.map((r) => r.request())), {
      maxBatch: 1, windowMs: 0, lanes: 1, heavyLanes: 1, heavyUnits: scheduling.heavyUnits, clientMaxUnits: scheduling.clientMaxUnits,
    });
  }

  async explain(args: ExplainArgs): Promise<ExplainOutcome> {
    const r = await this.resolve(args);
    const stored = await this.storage.findExplanationByKey(r.key);
    if (stored) return { explanation: stored, cached: true };
    let job = this.inflight.get(r.key);
    if (!job) {
      job = this.compute(args, r).finally(() => this.inflight.delete(r.key));
      this.inflight.set(r.key, job);
    }
    return { explanation: await job, cached: false };
  }

  private async resolve(args: ExplainArgs): Promise<Resolved> {
    const served = await this.pool.detector(args.model);
    if (args.classes?.length || args.topK !== undefined) {
      throw new ExplainRequestError('BAD_REQUEST', `'${args.model}' is an object detector: pick boxes (boxes: [0] = the best box), not classes or topK`);
    }
    if (args.target !== 'LOGIT') throw new ExplainRequestError('BAD_REQUEST', 'a detector box is explained by its score (objectness × class probability): target is LOGIT');
    const requested = args.methods.length ? args.methods : ['gradcam'];
    if (requested.length > this.limits.maxMethods) {
      throw new ExplainRequestError('BAD_REQUEST', `${requested.length} methods requested; the limit is ${this.limits.maxMethods} (SALIENCY_MAX_METHODS)`);
    }
    const ids = new Set(requested.map((m) => {
      let method;
      try {
        method = getCamMethod(m);
      } catch (e) {
        throw new ExplainRequestError('UNKNOWN_METHOD', (e as Error).message);
      }
      if (method.id !== 'eigencam' && !(method.kind === 'cam' && method.cost === 'gradient')) {
        throw new ExplainRequestError('UNKNOWN_METHOD', `'${method.id}' is not offered for detectors: EigenCAM (one map per image) and the gradient CAMs (one map per box) are`);
      }
      return method.id;
    }));
    const methods = [...ids].sort((a, b) => (a === 'eigencam' ? -1 : b === 'eigencam' ? 1 : a.localeCompare(b)));
    let boxes: number[] | null = null;
    if (args.boxes?.length) {
      boxes = [...new Set(args.boxes)].sort((a, b) => a - b);
      const bad = boxes.find((b) => !Number.isInteger(b) || b < 0);
      if (bad !== undefined) throw new ExplainRequestError('BAD_BOX', `box ${bad} is not a box index (0 = the best box)`);
      if (boxes.length > this.limits.maxTopK) throw new ExplainRequestError('BAD_BOX', `${boxes.length} boxes requested; the limit is ${this.limits.maxTopK} (SALIENCY_MAX_TOP_K)`);
    }
    const layers = detectorLayers(args.layer);
    for (const l of layers ?? []) {
      try {
        served.analysis.checkLayer(l);
      } catch (e) {
        throw new ExplainRequestError('BAD_LAYER', (e as Error).message);
      }
    }
    const key = createHash('sha256').update(JSON.stringify({
      v: 1, task: 'detection', image: args.image.id, model: served.spec.id, layers, methods, boxes, eigenSmooth: args.eigenSmooth,
    })).digest('hex');
    return { methods, boxes, layers, key };
  }

  private async compute(args: ExplainArgs, r: Resolved): Promise<ExplanationRecord> {
    const started = performance.now();
    const served = await this.pool.detector(args.model);
    const bytes = args.bytes ?? (await this.storage.getImageBytes(args.image.id));
    if (!bytes) throw new ExplainRequestError('NOT_FOUND', `image ${args.image.id} is not stored`);
    const units = detectorUnits(r.methods.map((m) => getCamMethod(m)), r.boxes?.length ?? 1);
    const result = await this.queue.submit({
      client: args.client, group: served.spec.id, units,
      request: { model: served.spec.id, request: () => this.pool.detectors.explain({ model: served.spec.id, bytes, methods: r.methods, boxes: r.boxes, layers: r.layers, eigenSmooth: args.eigenSmooth }) },
    }).catch((e: unknown) => {
      if (e instanceof ClientBusyError) throw new ExplainRequestError('RATE_LIMITED', e.message, { retryAfter: e.retryAfter });
      const code = (e as { code?: string }).code;
      if (code === 'BAD_BOX' || code === 'BAD_LAYER') throw new ExplainRequestError(code, (e as Error).message);
      if ((e as { name?: string }).name === 'ImageDecodeError') throw new ExplainRequestError('BAD_IMAGE', (e as Error).message);
      throw e;
    });
    await args.storeImage?.();
    return this.storage.saveExplanation({
      requestKey: r.key,
      imageId: args.image.id,
      model: { id: served.spec.id, task: served.spec.task, inputWidth: served.spec.input.width, inputHeight: served.spec.input.height, numClasses: served.numClasses },
      layer: (r.layers ?? served.defaultLayers).join(','),
      target: 'LOGIT',
      methods: r.methods,
      predictions: result.detections.map((d) => ({ classIndex: d.classIndex, label: d.label, score: d.score })),
      detections: result.detections,
      heatmaps: result.maps.map((m) => ({
        method: m.method, classIndex: m.classIndex, label: m.label, score: m.score, width: m.width, height: m.height, raw: m.raw, box: m.box,
      })),
      computeMs: performance.now() - started,
    });
  }
}
