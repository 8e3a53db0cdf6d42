// The human reference of an image for other server code (Heatmap.alignment): the pooled human map of
// one source and crowd task (core's HumanMap: scoring frame, people's points in it, density, fixation map), or null
// when the image has no annotation of that source. Served from the annotation service's cache, so the
// alignment of many heatmaps of one image pools the annotations once.
import type { HumanMap } from '@saliency-explainer/core';
import type { AnnotationSource, ImageRecord } from '../storage/types.js';
import type { TaskFilter } from './human-attention.js';
import type { AnnotationService } from './service.js';

export async function humanReference(ctx: { annotations: AnnotationService }, image: ImageRecord, source: AnnotationSource, filter?: TaskFilter): Promise<HumanMap | null> {
  const pooled = await ctx.annotations.human.get(image, source, filter);
  return pooled ? pooled.map : null;
}
