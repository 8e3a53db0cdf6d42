// The resolvers of the annotation part of schema.graphql (startAnnotation, submitAnnotation,
// Image.annotations, Image.humanAttention and their types), merged with server/resolvers.ts by
// start.ts. Translation only: the work is done by AnnotationService and HumanAttentionPool.
import { COLORMAPS, type ColormapName } from '@saliency-explainer/core';
import type { AnnotationTask, Resolvers } from '../generated/graphql.js';
import { decodeImageAt } from '../images/decode.js';
import type { ApiContext } from '../server/context.js';
import { apiError } from '../server/errors.js';
import { StorageError, type ImageRecord } from '../storage/types.js';
import { pngSize, renderHumanPng } from './render.js';
import { AnnotationError } from './validate.js';

/** AnnotationErrors become typed GraphQL errors; anything else stays an internal error. */
export async function typed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AnnotationError) throw apiError(e.code, e.message, e.extra);
    throw e;
  }
}

async function imageOf(ctx: ApiContext, id: string): Promise<ImageRecord> {
  const image = await ctx.storage.getImage(id);
  if (!image) throw apiError('NOT_FOUND', `no image ${id}`);
  return image;
}

const TASKS: readonly AnnotationTask[] = ['DESCRIBE', 'FIND'];

export const annotationResolvers: Resolvers = {
  Mutation: {
    startAnnotation: (_p, { input }, ctx) => typed(() => ctx.annotations.start(input, ctx.client)),
    submitAnnotation: (_p, { input }, ctx) => typed(() => ctx.annotations.submit(input.ticket, input.clicks, ctx.client)),
  },
  Image: {
    annotations: async (img, { source, first, after }, ctx) => {
      const n = first ?? 20;
      if (!Number.isInteger(n) || n < 1 || n > ctx.limits.maxPageSize) {
        throw apiError('BAD_REQUEST', `first must be in 1..${ctx.limits.maxPageSize} (SALIENCY_MAX_PAGE_SIZE)`);
      }
      try {
        return await ctx.storage.pageAnnotations(img.id, source ?? undefined, n, after);
      } catch (e) {
        if (e instanceof StorageError && e.code === 'BAD_CURSOR') throw apiError('BAD_CURSOR', e.message);
        throw e;
      }
    },
    humanAttention: (img, { source, task, classIndex, model }, ctx) => {
      if (task == null) {
        if (classIndex != null || model != null) throw apiError('BAD_REQUEST', 'classIndex and model go with task: FIND');
        return ctx.annotations.human.get(img, source);
      }
      if (source !== 'CROWD') throw apiError('BAD_REQUEST', `task filters crowd annotations; ${source} has none`);
      if (task === 'DESCRIBE') {
        if (classIndex != null || model != null) throw apiError('BAD_REQUEST', 'classIndex and model go with task: FIND');
        return ctx.annotations.human.get(img, source, { task });
      }
      if (classIndex == null || !Number.isInteger(classIndex) || classIndex < 0) throw apiError('BAD_REQUEST', 'task: FIND needs a classIndex ≥ 0');
      return ctx.annotations.human.get(img, source, { task, classIndex, model: model ?? ctx.pool.defaultId });
    },
  },
  AnnotationConnection: {
    edges: (page, _a, ctx) => page.items.map((node) => ({ node, cursor: ctx.storage.annotationCursor(node) })),
    pageInfo: (page) => ({ endCursor: page.endCursor, hasNextPage: page.hasNextPage }),
    totalCount: (page) => page.totalCount,
  },
  AnnotationEdge: {
    cursor: (e) => e.cursor,
    node: (e) => e.node,
  },
  Annotation: {
    image: (a, _args, ctx) => imageOf(ctx, a.imageId),
    task: (a) => (TASKS.includes(a.task as AnnotationTask) ? (a.task as AnnotationTask) : null),
    points: (a) => a.points.map((p) => ({ x: p.x, y: p.y, t: p.t ?? null, duration: p.duration ?? null })),
  },
  HumanAttention: {
    sigma: (h) => h.map.sigma,
    frameWidth: (h) => h.map.width,
    frameHeight: (h) => h.map.height,
    maxSide: (_h, _a, ctx) => ctx.annotations.human.options.maxSide,
    agreement: (h) => h.agreement(),
    png: async (h, { colormap, overlay, size, imageWeight }, ctx) => {
      const name = (colormap ?? 'JET').toLowerCase() as ColormapName;
      if (!COLORMAPS.includes(name)) throw apiError('BAD_REQUEST', `unknown colormap ${colormap}`);
      const max = ctx.limits.maxPngSize;
      if (size != null && (!Number.isInteger(size) || size < 1 || size > max)) throw apiError('BAD_REQUEST', `size must be in 1..${max} (SALIENCY_MAX_PNG_SIZE)`);
      const weight = imageWeight ?? 0.5;
      if (!(weight >= 0 && weight <= 1)) throw apiError('BAD_REQUEST', 'imageWeight must be in [0, 1]');
      ctx.response.check('a human attention PNG');
      const side = size ?? Math.min(max, Math.max(h.image.width, h.image.height));
      const out = pngSize(h.image.width, h.image.height, side);
      const png = await ctx.explain.gate.run(out.width * out.height, async () => {
        let under;
        if (overlay) {
          const bytes = await ctx.storage.getImageBytes(h.image.id);
          if (!bytes) throw apiError('NOT_FOUND', `the bytes of image ${h.image.id} are not stored`);
          // decoded straight to the PNG's size: memory follows the output, not the photo
          under = await decodeImageAt(bytes, ctx.limits.maxImagePixels, out.width, out.height);
        }
        return renderHumanPng(h.map.density, h.image.width, h.image.height, { colormap: name, size: side, under, imageWeight: weight });
      });
      const url = `data:image/png;base64,${png.toString('base64')}`;
      ctx.response.charge(url.length, 'a human attention PNG');
      return url;
    },
  },
};
