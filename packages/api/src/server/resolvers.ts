// The resolvers of schema.graphql, typed by the generated `Resolvers`. They only translate: the work
// is done by ExplainService, ModelPool, Storage and the core engine.
import { GraphQLScalarType, Kind } from 'graphql';
import { camMethods, COLORMAPS, getAlignmentMetric, methodAliases, UnknownModelError, type ColormapName } from '@saliency-explainer/core';
import { getLeaderboardColumn, type LeaderboardColumn } from '../eval/columns.js';
import { buildLeaderboard, columnProtocol } from '../eval/leaderboard.js';
import { CI_LEVEL } from '../eval/stats.js';
import { ExplainRequestError } from '../compute/explain-service.js';
import { StorageError, type ExplanationRecord, type ImageRecord } from '../storage/types.js';
import type { Leaderboard, LeaderboardRowKind, Resolvers } from '../generated/graphql.js';
import type { ApiContext } from './context.js';
import { apiError } from './errors.js';
import { alignmentOf, NoReferenceError } from './alignment.js';
import { humanReference } from '../annotations/human-reference.js';
import { defaultColormap, renderHeatmapPng } from './render.js';
import { pngSize } from '../annotations/render.js';
import { decodeImageAt } from '../images/decode.js';
import { faithfulnessOf } from './faithfulness.js';
import { captionOf } from './caption.js';
import { sanityCheckOf } from './sanity.js';
import { graphqlAttribution } from './cost.js';
import { decodeUpload, MIME } from './upload.js';
import { detectorHeatmapPng, servedDetector } from './detector-fields.js';

const SHA256 = /^[0-9a-f]{64}$/;

const COST_CLASSES = { gradient: 'GRADIENT', activation: 'ACTIVATION', perturbation: 'PERTURBATION', 'gradient-input': 'GRADIENT_INPUT' } as const;

/** Client mistakes become typed GraphQL errors; anything else stays an internal error. */
function typed(e: unknown): never {
  if (e instanceof ExplainRequestError) throw apiError(e.code, e.message, e.extra);
  if (e instanceof UnknownModelError) throw apiError('UNKNOWN_MODEL', e.message);
  if (e instanceof StorageError && e.code === 'BAD_CURSOR') throw apiError('BAD_CURSOR', e.message);
  throw e;
}

function pageSize(first: number | null | undefined, ctx: ApiContext): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > ctx.limits.maxPageSize) {
    throw apiError('BAD_REQUEST', `first must be in 1..${ctx.limits.maxPageSize} (SALIENCY_MAX_PAGE_SIZE)`);
  }
  return n;
}

async function served(ctx: ApiContext, id: string) {
  if (ctx.pool.isDetector(id)) throw apiError('BAD_REQUEST', `model '${id}' is an object detector: this is offered for classifiers only`);
  try {
    return await ctx.pool.get(id);
  } catch (e) {
    if (e instanceof UnknownModelError) typed(e);
    throw apiError('MODEL_UNAVAILABLE', `model '${id}' cannot be loaded: ${(e as Error).message}`);
  }
}

async function listExplanations(ctx: ApiContext, filter: { imageId?: string; modelId?: string }, first: number | null | undefined, after: string | null | undefined) {
  try {
    return await ctx.storage.listExplanations(filter, pageSize(first, ctx), after);
  } catch (e) {
    return typed(e);
  }
}

async function imageOf(ctx: ApiContext, id: string): Promise<ImageRecord> {
  const image = await ctx.storage.getImage(id);
  if (!image) throw apiError('NOT_FOUND', `no image ${id}`);
  return image;
}

/**
 * The leaderboard of a stored eval run (null: no run) on one column — an alignment metric or a
 * faithfulness column (eval/columns.ts; model rows only) — computed from its stored scores by
 * eval/leaderboard.ts.
 */
async function leaderboard(ctx: ApiContext, dataset: string, metricId: string, runId: string | null | undefined): Promise<Leaderboard | null> {
  let metric: LeaderboardColumn;
  try {
    metric = getLeaderboardColumn(metricId);
  } catch (e) {
    throw apiError('BAD_REQUEST', (e as Error).message);
  }
  const run = runId != null ? await ctx.storage.getEvalRun(runId) : await ctx.storage.latestEvalRun(dataset);
  if (!run || run.dataset !== dataset) return null;
  const computed = run.params.metrics;
  const protocol = columnProtocol(run, metric);
  if ((Array.isArray(computed) && !computed.includes(metric.id)) || protocol === null) {
    throw apiError('BAD_REQUEST', `eval run ${run.id} did not compute ${metric.id}${Array.isArray(computed) ? ` (it computed ${computed.join(', ')})` : ''}`);
  }
  const board = buildLeaderboard(run, metric.id, await ctx.storage.listEvalScores({ protocol, metric: metric.id }));
  return {
    dataset,
    metric: metric.id,
    metricName: metric.name,
    higherIsBetter: metric.higherIsBetter,
    ciLevel: CI_LEVEL,
    run: {
      id: run.id, dataset: run.dataset, protocol: run.protocol, startedAt: run.startedAt, finishedAt: run.finishedAt,
      wallSeconds: run.wallMs === null ? null : run.wallMs / 1000, imageCount: run.images.length, images: run.images,
      params: JSON.stringify(run.params),
    },
    rows: board.rows.map((r) => {
      const isModel = r.kind === 'model';
      return {
        rank: r.rank, kind: r.kind.toUpperCase() as LeaderboardRowKind, isCeiling: r.kind === 'ceiling', isBaseline: r.kind === 'baseline',
        model: isModel ? r.model : null, layer: isModel ? r.layer : null, method: r.method,
        target: isModel ? (r.target === 'PROBABILITY' ? 'PROBABILITY' : 'LOGIT') : null, label: r.label,
        mean: r.mean, ci: r.ci, ciLow: r.ciLow, ciHigh: r.ciHigh, std: r.std, n: r.n,
      };
    }),
  };
}

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant, e.g. 2026-11-30T08:00:00.000Z',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  parseValue: (v) => new Date(String(v)),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? new Date(ast.value) : null) as Date,
});

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    models: (_p, _a, ctx) => [...ctx.pool.ids, ...ctx.pool.detectorIds].map((id) => ({ id })),
    methods: () => camMethods.map((m) => ({ id: m.id, name: m.name, needsGradients: m.needsGradients, cost: m.cost, kind: m.kind })),
    image: async (_p, { id }, ctx) => (SHA256.test(id) ? ctx.storage.getImage(id) : null),
    explanation: async (_p, { id }, ctx) => {
      const record = await ctx.storage.getExplanation(id);
      return record ? { record, cached: false } : null;
    },
    explanations: (_p, { imageId, modelId, first, after }, ctx) =>
      listExplanations(ctx, { imageId: imageId ?? undefined, modelId: modelId ?? undefined }, first, after),
    health: () => ({}),
    leaderboard: (_p, { dataset, metric, run }, ctx) => leaderboard(ctx, dataset, metric, run),
    sanityCheck: (_p, args, ctx) => sanityCheckOf(ctx, args),
  },
  Mutation: {
    uploadImage: async (_p, { data }, ctx) => {
      const up = await decodeUpload(data, ctx.limits);
      return ctx.storage.putImage(up.record, up.bytes);
    },
    explain: async (_p, { input }, ctx) => {
      if ((input.imageId == null) === (input.image == null)) throw apiError('BAD_REQUEST', 'give exactly one of imageId and image');
      let image: ImageRecord;
      let upload;
      if (input.image != null) {
        // stored only together with the explanation: a request that fails writes nothing
        upload = await decodeUpload(input.image, ctx.limits);
        image = (await ctx.storage.getImage(upload.record.id)) ?? { ...upload.record, createdAt: new Date() };
      } else {
        image = await imageOf(ctx, input.imageId!);
      }
      const model = input.model ?? ctx.pool.defaultId;
      try {
        if (ctx.pool.isDetector(model)) await servedDetector(ctx, model);
        else await served(ctx, model);
        const out = await ctx.explain.explain({
          image, model, client: ctx.client,
          bytes: upload?.bytes,
          storeImage: upload ? () => ctx.storage.putImage(upload.record, upload.bytes).then(() => undefined) : undefined,
          methods: input.methods ?? [],
          topK: input.topK ?? undefined,
          classes: input.classes ?? undefined,
          layer: input.layer ?? undefined,
          target: input.target ?? 'LOGIT',
          eigenSmooth: input.eigenSmooth ?? false,
          attribution: graphqlAttribution(input.attribution),
          boxes: input.boxes ?? undefined,
        });
        return { record: out.explanation, cached: out.cached };
      } catch (e) {
        return typed(e);
      }
    },
  },
  Model: {
    // a detector's defaultLayer: its layers (one per stride) joined by commas, as `layer` takes them
    id: (m) => m.id,
    task: (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? ctx.pool.detectorSpec(m.id) : ctx.pool.spec(m.id)).task,
    inputWidth: (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? ctx.pool.detectorSpec(m.id) : ctx.pool.spec(m.id)).input.width,
    inputHeight: (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? ctx.pool.detectorSpec(m.id) : ctx.pool.spec(m.id)).input.height,
    labelsCount: async (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? await servedDetector(ctx, m.id) : await served(ctx, m.id)).numClasses,
    defaultLayer: async (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? (await servedDetector(ctx, m.id)).defaultLayers.join(',') : (await served(ctx, m.id)).defaultLayer),
    targetLayers: async (m, _a, ctx) => (ctx.pool.isDetector(m.id) ? await servedDetector(ctx, m.id) : await served(ctx, m.id)).analysis.candidateLayers(),
    executionProvider: (_m, _a, ctx) => ctx.pool.executionProvider,
    isDefault: (m, _a, ctx) => m.id === ctx.pool.defaultId,
    labels: async (m, { first }, ctx) => (ctx.pool.isDetector(m.id) ? await servedDetector(ctx, m.id) : await served(ctx, m.id)).labels.slice(0, Math.max(0, first ?? 1000)),
  },
  Method: {
    name: (m) => m.id,
    displayName: (m) => m.name,
    aliases: (m) => methodAliases(m.id),
    needsGradients: (m) => m.needsGradients,
    costClass: (m) => COST_CLASSES[m.cost],
    kind: (m) => (m.kind === 'attribution' ? 'ATTRIBUTION' : 'CAM'),
  },
  Image: {
    dataUrl: async (img, _a, ctx) => {
      ctx.response.charge(Math.ceil((img.byteLength * 4) / 3) + 32, `the data URL of image ${img.id}`);
      const bytes = await ctx.storage.getImageBytes(img.id);
      if (!bytes) throw apiError('NOT_FOUND', `the bytes of image ${img.id} are not stored`);
      return `data:${MIME[img.format] ?? 'application/octet-stream'};base64,${Buffer.from(bytes).toString('base64')}`;
    },
    explanations: (img, { modelId, first, after }, ctx) => listExplanations(ctx, { imageId: img.id, modelId: modelId ?? undefined }, first, after),
  },
  Explanation: {
    id: (e) => e.record.id,
    image: (e, _a, ctx) => imageOf(ctx, e.record.imageId),
    model: (e) => ({ id: e.record.modelId }),
    layer: (e) => e.record.layer,
    target: (e) => (e.record.target === 'PROBABILITY' ? 'PROBABILITY' : 'LOGIT'),
    methods: (e) => e.record.methods,
    predictions: (e) => e.record.predictions,
    detections: (e) => e.record.detections?.map((d, index) => ({ index, ...d })) ?? null,
    attributionOptions: (e) => {
      const o = e.record.attributionOptions;
      if (!o) return null;
      const int = (v: unknown) => (typeof v === 'number' ? v : null);
      return {
        steps: int(o.steps), samples: int(o.samples), noise: int(o.noise), seed: int(o.seed),
        integration: o.integration === 'riemann_trapezoid' ? 'RIEMANN_TRAPEZOID' : o.integration === 'gausslegendre' ? 'GAUSS_LEGENDRE' : null,
      };
    },
    heatmaps: (e, { method, classIndex, first }) => {
      if (first != null && (!Number.isInteger(first) || first < 1)) throw apiError('BAD_REQUEST', 'first must be a positive integer');
      return e.record.heatmaps
        .filter((h) => (method == null || h.method === method) && (classIndex == null || h.classIndex === classIndex))
        .slice(0, first ?? undefined)
        .map((heatmap) => ({ heatmap, explanation: e.record }));
    },
    caption: (e, { seed }, ctx) => {
      const first = e.record.heatmaps[0];
      if (!first) throw apiError('NOT_FOUND', 'the explanation has no heatmap');
      return captionOf(ctx, e.record, first, seed);
    },
    cached: (e) => e.cached,
    computeMs: (e) => e.record.computeMs,
    createdAt: (e) => e.record.createdAt,
  },
  Heatmap: {
    method: (h) => h.heatmap.method,
    classIndex: (h) => h.heatmap.classIndex,
    label: (h) => h.heatmap.label,
    score: (h) => h.heatmap.score,
    width: (h) => h.heatmap.width,
    height: (h) => h.heatmap.height,
    raw: (h, _a, ctx) => {
      ctx.response.charge(h.heatmap.raw.length * 20, 'a raw heatmap');
      return Array.from(h.heatmap.raw);
    },
    attribution: (h, _a, ctx) => {
      const a = h.heatmap.attribution;
      if (!a) return null;
      ctx.response.charge(a.values.length * 20, 'a pixel attribution');
      let scale = 0;
      for (const v of a.values) scale = Math.max(scale, Math.abs(v));
      return { channels: a.channels, width: h.heatmap.width, height: h.heatmap.height, scale, values: Array.from(a.values) };
    },
    convergenceDelta: (h) => h.heatmap.convergenceDelta ?? null,
    box: (h) => h.heatmap.box ?? null,
    png: async (h, { colormap, overlay, size, imageWeight }, ctx) => {
      const name = (colormap?.toLowerCase() ?? defaultColormap(h.heatmap.method)) as ColormapName;
      if (!COLORMAPS.includes(name)) throw apiError('BAD_REQUEST', `unknown colormap ${colormap}`);
      if (size != null && (!Number.isInteger(size) || size < 1 || size > ctx.limits.maxPngSize)) {
        throw apiError('BAD_REQUEST', `size must be in 1..${ctx.limits.maxPngSize} (SALIENCY_MAX_PNG_SIZE)`);
      }
      const weight = imageWeight ?? 0.5;
      if (!(weight >= 0 && weight <= 1)) throw apiError('BAD_REQUEST', 'imageWeight must be in [0, 1]');
      const e: ExplanationRecord = h.explanation;
      ctx.response.check('a heatmap PNG');
      if (ctx.pool.isDetector(e.modelId)) return detectorHeatmapPng(ctx, h.heatmap, e, { colormap: name, overlay: overlay ?? false, size, imageWeight: weight });
      const { spec } = await served(ctx, e.modelId);
      // on the photo's aspect, `size` (default: the model's input side) on its longer side
      const image = await imageOf(ctx, e.imageId);
      const out = pngSize(image.width, image.height, size ?? Math.max(spec.input.width, spec.input.height));
      // rendering holds a few RGB copies of the output: it waits at the main thread's pixel gate
      const png = await ctx.explain.gate.run(out.width * out.height, async () => {
        let under;
        if (overlay) {
          const bytes = await ctx.storage.getImageBytes(image.id);
          if (!bytes) throw apiError('NOT_FOUND', `the bytes of image ${image.id} are not stored`);
          // decoded straight to the PNG's size: memory follows the output, not the photo
          under = await decodeImageAt(bytes, ctx.limits.maxImagePixels, out.width, out.height);
        }
        return renderHeatmapPng(h.heatmap, spec.input, { colormap: name, under, imageWeight: weight, ...out });
      });
      const url = `data:image/png;base64,${png.toString('base64')}`;
      ctx.response.charge(url.length, 'a heatmap PNG');
      return url;
    },
    alignment: async (h, { metrics, reference }, ctx) => {
      const ids = metrics ?? undefined;
      for (const id of ids ?? []) {
        try {
          getAlignmentMetric(id);
        } catch (e) {
          throw apiError('BAD_REQUEST', (e as Error).message);
        }
      }
      const e: ExplanationRecord = h.explanation;
      const image = await imageOf(ctx, e.imageId);
      const model = await served(ctx, e.modelId);
      try {
        const a = await alignmentOf(h.heatmap, {
          input: model.spec.input,
          view: () => ctx.explain.view(image, model),
          model: e.modelId,
          human: (source, filter) => humanReference(ctx, image, source, filter),
          alignToHuman: (map, input, human, m) => ctx.scoring.align(map, input, human, m),
        }, ids, reference ?? undefined);
        return { ...a, scores: a.scores.map((sc) => ({ metric: sc.id, name: sc.name, higherIsBetter: sc.higherIsBetter, value: sc.value, reason: sc.reason ?? null })) };
      } catch (err) {
        if (err instanceof NoReferenceError) throw apiError('NOT_FOUND', err.message);
        throw err;
      }
    },
    caption: (h, { seed }, ctx) => captionOf(ctx, h.explanation, h.heatmap, seed),
    faithfulness: async (h, { seed }, ctx) => {
      const s = seed ?? 0;
      if (!Number.isInteger(s) || s < 0) throw apiError('BAD_REQUEST', 'seed must be a non-negative integer');
      await served(ctx, h.explanation.modelId);
      return faithfulnessOf(await ctx.results.faithfulness(ctx.client, h.explanation, h.heatmap, { seed: s }));
    },
  },
  EvalRun: {
    images: (run, { first }) => {
      const n = first ?? 100;
      if (!Number.isInteger(n) || n < 0) throw apiError('BAD_REQUEST', 'first must be a non-negative integer');
      return run.images.slice(0, n);
    },
  },
  ExplanationConnection: {
    edges: (page, _a, ctx) => page.items.map((node) => ({ node, cursor: ctx.storage.cursorOf(node) })),
    pageInfo: (page) => ({ endCursor: page.endCursor, hasNextPage: page.hasNextPage }),
    totalCount: (page) => page.totalCount,
  },
  ExplanationEdge: {
    cursor: (e) => e.cursor,
    node: (e) => ({ record: e.node, cached: false }),
  },
  Health: {
    ok: async (_h, _a, ctx) => {
      try {
        await ctx.storage.ping();
        return true;
      } catch {
        return false;
      }
    },
    version: (_h, _a, ctx) => ctx.version,
    database: (_h, _a, ctx) => ctx.storage.provider,
    executionProvider: (_h, _a, ctx) => ctx.pool.executionProvider,
    models: (_h, _a, ctx) => ctx.pool.ids,
    uptimeSeconds: (_h, _a, ctx) => (Date.now() - ctx.startedAt) / 1000,
    queue: (_h, _a, ctx) => (ctx.shared ? ctx.shared.queueHealth() : null),
    stats: (_h, _a, ctx) => {
      const b = ctx.explain.batcherStats();
      return { ...ctx.explain.stats, batches: b.batches, batchedRequests: b.requests, largestBatch: b.largestBatch, heavyBatches: b.heavyBatches, refusedRequests: b.refused };
    },
  },
};
