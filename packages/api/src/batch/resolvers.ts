// The resolvers of explainBatch, batchJob and the BatchJob / BatchItem types. They translate: the
// checks, the rows and the runners are BatchService's (batch/service.ts).
import { ExplainRequestError } from '../compute/explain-service.js';
import type { Resolvers } from '../generated/graphql.js';
import { graphqlAttribution } from '../server/cost.js';
import { apiError } from '../server/errors.js';
import type { ApiContext } from '../server/context.js';
import { BatchRequestError } from './service.js';

function typed(e: unknown): never {
  if (e instanceof BatchRequestError) throw apiError(e.code, e.message, e.extra);
  if (e instanceof ExplainRequestError) throw apiError(e.code, e.message, e.extra);
  throw e;
}

function pageOf(first: number | null | undefined, offset: number | null | undefined, ctx: ApiContext): { first: number; offset: number } {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > ctx.limits.maxPageSize) throw apiError('BAD_REQUEST', `first must be in 1..${ctx.limits.maxPageSize} (SALIENCY_MAX_PAGE_SIZE)`);
  const o = offset ?? 0;
  if (!Number.isInteger(o) || o < 0) throw apiError('BAD_REQUEST', 'offset must be a non-negative integer');
  return { first: n, offset: o };
}

export const batchResolvers: Resolvers = {
  Query: {
    batchJob: (_p, { id }, ctx) => ctx.batches.get(id),
  },
  Mutation: {
    explainBatch: async (_p, { input }, ctx) => {
      try {
        return await ctx.batches.start({
          imageIds: input.imageIds, model: input.model, methods: input.methods, topK: input.topK, classes: input.classes,
          layer: input.layer, target: input.target, eigenSmooth: input.eigenSmooth, attribution: graphqlAttribution(input.attribution),
          faithfulness: input.faithfulness, caption: input.caption,
        });
      } catch (e) {
        return typed(e);
      }
    },
  },
  BatchJob: {
    faithfulness: (b) => b.terms.faithfulness ?? false,
    caption: (b) => b.terms.caption ?? false,
    items: (b, { first, offset }, ctx) => {
      const p = pageOf(first, offset, ctx);
      return ctx.batches.items(b.id, p.first, p.offset);
    },
  },
  BatchItem: {
    explanation: async (i, _a, ctx) => {
      if (!i.explanationId) return null;
      const record = await ctx.storage.getExplanation(i.explanationId);
      return record ? { record, cached: false } : null;
    },
  },
};
