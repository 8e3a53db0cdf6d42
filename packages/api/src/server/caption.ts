// Heatmap.caption and Explanation.caption: the heatmap's caption from the results service (computed on
// an engine worker on first request, stored), with the human reference its alignment uses, in the
// schema's shape (facts flattened: every field of every kind, unset ones null; the free-text
// captioner's phrase, when the server has one, apart from them).
import type { Caption as CoreCaption } from '@saliency-explainer/core';
import type { Caption } from '../generated/graphql.js';
import type { ExplanationRecord, HeatmapRecord, ImageRecord } from '../storage/types.js';
import { humanReference } from '../annotations/human-reference.js';
import type { AnnotationService } from '../annotations/service.js';
import type { CaptionHuman } from '../compute/heatmap-results.js';
import type { ApiContext } from './context.js';
import { bestHumanReference } from './alignment.js';
import { apiError } from './errors.js';

export async function captionOf(ctx: ApiContext, explanation: ExplanationRecord, heatmap: HeatmapRecord, seed: number | null | undefined): Promise<Caption> {
  const s = seed ?? 0;
  if (!Number.isInteger(s) || s < 0) throw apiError('BAD_REQUEST', 'seed must be a non-negative integer');
  try {
    await ctx.pool.get(explanation.modelId);
  } catch (e) {
    throw apiError('MODEL_UNAVAILABLE', `model '${explanation.modelId}' cannot be loaded: ${(e as Error).message}`);
  }
  const image = await ctx.storage.getImage(explanation.imageId);
  if (!image) throw apiError('NOT_FOUND', `no image ${explanation.imageId}`);
  const human = await captionHuman(ctx, image, explanation.modelId, heatmap);
  const result = await ctx.results.caption(ctx.client, explanation, heatmap, { seed: s }, human);
  const caption = result.value as CoreCaption;
  return {
    text: caption.text,
    facts: caption.facts.map((f) => ({ ...f, object: 'object' in f && f.object ? f.object : null })),
    captioner: caption.captioner ?? null,
    computeMs: result.computeMs,
    cached: result.cached,
  };
}

/**
 * The human reference a heatmap's caption scores against (the one its alignment uses), null when the
 * image has none. Shared with explainBatch(caption: true), so a batch stores the caption this reads back.
 */
export async function captionHuman(ctx: { annotations: AnnotationService }, image: ImageRecord, modelId: string, heatmap: HeatmapRecord): Promise<CaptionHuman | null> {
  const best = await bestHumanReference(heatmap, modelId, (source, filter) => humanReference(ctx, image, source, filter));
  return best && { map: best.human, source: best.reference === 'CROWD' ? 'crowd' : 'eye-tracking', key: `${best.reference} ${best.task ?? ''}`.trim() };
}
