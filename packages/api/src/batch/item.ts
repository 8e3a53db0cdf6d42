// One item of a batch (an image × method), computed the same way wherever it runs — on the server's
// own compute workers (SQLite) or in `saliency-explainer worker` (a pg-boss job): ExplainService.explain
// with the batch's terms and the one method, which returns the stored explanation of an identical
// earlier request instead of computing (its request key is unique in the database). So a job run twice
// stores one explanation, and the item's row is set to the same values twice. With `faithfulness` the
// heatmaps' reports follow, through HeatmapResults (read back when stored, keyed by heatmap and seed);
// with `caption` their captions, each with the human reference the server's Heatmap.caption uses (the
// AnnotationService's pooled map, excluded campaign participants left out), so the stored caption is
// the one Heatmap.caption(seed: 0) reads back.
import { UnknownModelError } from '@saliency-explainer/core';
import { ExplainRequestError, type ExplainService } from '../compute/explain-service.js';
import type { HeatmapResults } from '../compute/heatmap-results.js';
import type { AnnotationService } from '../annotations/service.js';
import { captionHuman } from '../server/caption.js';
import type { Storage } from '../storage/types.js';
import type { BatchStore, BatchTerms } from './store.js';

/** The data of one job of the `explain-item` queue. */
export interface BatchItemJob {
  v: 1;
  batchId: string;
  position: number;
  imageId: string;
  method: string;
  terms: BatchTerms;
}

export type BatchItemOutcome =
  | { ok: true; explanationId: string; cached: boolean }
  /** A request the item cannot ever satisfy (the image no longer decodes, …): failed, not retried. */
  | { ok: false; code: string; message: string };

/** Errors that would fail again on any machine: the item fails at once. RATE_LIMITED is not one of them. */
function permanent(e: unknown): e is ExplainRequestError {
  return e instanceof ExplainRequestError && e.code !== 'RATE_LIMITED';
}

/**
 * Computes (or finds) the item's explanation and marks the item. Throws what may go better on a retry
 * (an engine failure, a model this machine lacks, a lost database connection); the caller decides.
 */
export async function runBatchItem(
  explain: ExplainService, storage: Storage, store: BatchStore, job: BatchItemJob, client: string, results?: HeatmapResults,
  annotations?: AnnotationService,
): Promise<BatchItemOutcome> {
  if (job.v !== 1) throw new Error(`batch job version ${String(job.v)} is not one this worker knows (1); update the worker`);
  const image = await storage.getImage(job.imageId);
  if (!image) {
    const message = `image ${job.imageId} is not stored`;
    await store.failed(job.batchId, job.position, message);
    return { ok: false, code: 'NOT_FOUND', message };
  }
  const t = job.terms;
  try {
    const out = await explain.explain({
      image, client, model: t.model, methods: [job.method], layer: t.layer, target: t.target, eigenSmooth: t.eigenSmooth,
      ...(t.classes ? { classes: t.classes } : { topK: t.topK }),
      ...(t.attribution ? { attribution: t.attribution } : {}),
    });
    if (t.faithfulness) {
      if (!results) throw new Error('faithfulness reports are not available here');
      for (const h of out.explanation.heatmaps) await results.faithfulness(client, out.explanation, h, { seed: 0 });
    }
    if (t.caption) {
      if (!results || !annotations) throw new Error('captions are not available here');
      for (const h of out.explanation.heatmaps) {
        await results.caption(client, out.explanation, h, { seed: 0 }, await captionHuman({ annotations }, image, out.explanation.modelId, h));
      }
    }
    await store.done(job.batchId, job.position, out.explanation.id);
    return { ok: true, explanationId: out.explanation.id, cached: out.cached };
  } catch (e) {
    if (permanent(e)) {
      await store.failed(job.batchId, job.position, `${e.code}: ${e.message}`);
      return { ok: false, code: e.code, message: e.message };
    }
    if (e instanceof UnknownModelError) throw new Error(`model '${t.model}' is not served here: ${e.message}`);
    throw e;
  }
}
