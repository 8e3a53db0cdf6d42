// A worker process's side of explainBatch: the `explain-item` jobs computed by an ExplainService of its
// own (a ModelPool of compute threads, the server's settings from the environment: SALIENCY_* limits,
// execution provider, perturbation batch, cache) on the shared database, started on the first job. An
// item runs exactly as on a server (batch/item.ts), so its maps and stored explanation are the ones a
// server would make. Captions (explainBatch(caption: true)) take their human reference from an
// AnnotationService built as the server builds its own (annotation settings from the environment, a
// campaign's excluded participants left out), so the worker stores the caption a server would.
import { ExplainService } from '../compute/explain-service.js';
import { HeatmapResults } from '../compute/heatmap-results.js';
import { AnnotationService } from '../annotations/service.js';
import { CampaignStore } from '../campaigns/store.js';
import { ModelPool } from '../compute/model-pool.js';
import { settingsFromEnv } from '../server/settings.js';
import type { Storage } from '../storage/types.js';
import type { PrismaStorage } from '../storage/prisma-storage.js';
import { runBatchItem, type BatchItemJob, type BatchItemOutcome } from './item.js';
import { BatchStore } from './store.js';

export interface BatchWorkerOptions {
  storage: Storage;
  modelsDir: string;
  /** Compute threads (items at once). */
  threads: number;
  /** ONNX Runtime threads per compute thread. */
  intraOpThreads: number;
  /** The worker's id, the fair queue's client key of its items. */
  worker: string;
  env?: NodeJS.ProcessEnv;
}

export class BatchItemRunner {
  private service: { pool: ModelPool; explain: ExplainService; results: HeatmapResults; annotations: AnnotationService } | undefined;
  private readonly store: BatchStore;

  constructor(private readonly options: BatchWorkerOptions) {
    this.store = new BatchStore((options.storage as PrismaStorage).client);
  }

  private explainService(): { explain: ExplainService; results: HeatmapResults; annotations: AnnotationService } {
    if (!this.service) {
      const s = settingsFromEnv(this.options.env ?? process.env);
      const pool = new ModelPool({
        modelsDir: this.options.modelsDir, userModelsDir: s.userModelsDir, models: null, executionProvider: s.compute.executionProvider,
        perturbationBatchSize: s.compute.perturbationBatchSize, workers: this.options.threads, intraOpThreads: this.options.intraOpThreads,
        maxImagePixels: s.limits.maxImagePixels, decodePixels: s.compute.decodePixels, heavyWorkers: 1,
      });
      const explain = new ExplainService(pool, this.options.storage, s.limits, {
        size: s.compute.microBatchSize, windowMs: s.compute.microBatchWindowMs, heavyUnits: s.compute.heavyUnits,
        clientMaxUnits: Number.MAX_SAFE_INTEGER, decodePixels: s.compute.decodePixels,
      }, s.compute.cacheMegabytes * 1024 * 1024);
      const results = new HeatmapResults(this.options.storage, explain, (model) => {
        const { width, height } = pool.spec(model).input;
        return Math.max(width, height);
      }, s.compute.captionerDir);
      // the server's human references: its annotation settings, campaigns' excluded participants left out
      const annotations = new AnnotationService(this.options.storage, pool, s.annotation);
      const campaigns = new CampaignStore((this.options.storage as PrismaStorage).client);
      annotations.human.exclude = (imageId) => campaigns.excludedAnnotations(imageId);
      this.service = { pool, explain, results, annotations };
    }
    return this.service;
  }

  run(job: BatchItemJob): Promise<BatchItemOutcome> {
    const { explain, results, annotations } = this.explainService();
    return runBatchItem(explain, this.options.storage, this.store, job, this.options.worker, results, annotations);
  }

  /** The item failed its last attempt: it is marked FAILED with the error (the job is parked by pg-boss). */
  async failed(job: BatchItemJob, error: string): Promise<void> {
    await this.store.failed(job.batchId, job.position, error);
  }

  async close(): Promise<void> {
    await this.service?.pool.close();
    this.service = undefined;
  }
}
