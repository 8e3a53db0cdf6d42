// explainBatch and batchJob: a batch's terms are checked once, as explain checks them (ExplainService.
// check: model, methods, layer, classes, attribution options), and every image id is looked up, before
// anything is written; then the batch and its items (image-major, then method) are stored in one
// transaction and handed to a runner. On PostgreSQL each item is a pg-boss job of the `explain-item`
// queue (one job per image × method), taken by `saliency-explainer worker` processes; on SQLite the
// items run in this process (in-process.ts). Progress is counted from the items' rows, so any replica
// answers batchJob(id) the same.
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { UnknownModelError } from '@saliency-explainer/core';
import type { ExplainService } from '../compute/explain-service.js';
import type { HeatmapResults } from '../compute/heatmap-results.js';
import type { AnnotationService } from '../annotations/service.js';
import type { ModelPool } from '../compute/model-pool.js';
import { DEFAULT_JOB_POLICY, ensureQueue, errorText, EXPLAIN_QUEUE, jobStates, type JobPolicy } from '../queue/queue.js';
import type { ApiSharedState } from '../queue/shared-state.js';
import type { PrismaStorage } from '../storage/prisma-storage.js';
import type { Storage } from '../storage/types.js';
import type { ErrorCode } from '../server/errors.js';
import { InProcessBatches } from './in-process.js';
import type { BatchItemJob } from './item.js';
import { BatchStore, type BatchItemRecord, type BatchJobView, type BatchRunner, type BatchTerms } from './store.js';

/** A batch request refused before anything was written, with its GraphQL code. */
export class BatchRequestError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BatchRequestError';
  }
}

export interface BatchInput {
  imageIds: readonly string[];
  model?: string | null;
  methods?: readonly string[] | null;
  topK?: number | null;
  classes?: readonly number[] | null;
  layer?: string | null;
  target?: 'LOGIT' | 'PROBABILITY' | null;
  eigenSmooth?: boolean | null;
  attribution?: BatchTerms['attribution'];
  faithfulness?: boolean | null;
  caption?: boolean | null;
}

export interface BatchLimits {
  /** SALIENCY_MAX_BATCH_IMAGES: most distinct images of one explainBatch (TOO_MANY_IMAGES). */
  maxBatchImages: number;
}

export class BatchService {
  readonly store: BatchStore;
  readonly runner: BatchRunner;
  readonly local: InProcessBatches;
  private queueReady: Promise<PgBoss> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly explain: ExplainService,
    private readonly pool: ModelPool,
    private readonly limits: BatchLimits,
    private readonly shared: ApiSharedState | undefined,
    results?: HeatmapResults,
    annotations?: AnnotationService,
    private readonly policy: JobPolicy = DEFAULT_JOB_POLICY,
  ) {
    this.store = new BatchStore((storage as PrismaStorage).client);
    this.runner = storage.provider === 'postgresql' && shared?.pool ? 'QUEUE' : 'IN_PROCESS';
    this.local = new InProcessBatches(explain, storage, this.store, Math.max(1, pool.workerCount), results, annotations);
  }

  /** Checks the request; nothing is written when it is refused. */
  async plan(input: BatchInput): Promise<{ terms: BatchTerms; imageIds: string[]; methods: string[] }> {
    const imageIds = [...new Set(input.imageIds)];
    if (imageIds.length === 0) throw new BatchRequestError('BAD_REQUEST', 'imageIds is empty: give the stored images to explain');
    if (imageIds.length > this.limits.maxBatchImages) {
      throw new BatchRequestError('TOO_MANY_IMAGES', `${imageIds.length} images in one batch; the limit is ${this.limits.maxBatchImages} (SALIENCY_MAX_BATCH_IMAGES): split it`, { limit: this.limits.maxBatchImages, setting: 'SALIENCY_MAX_BATCH_IMAGES' });
    }
    const model = input.model ?? this.pool.defaultId;
    if (this.pool.isDetector(model)) throw new BatchRequestError('BAD_REQUEST', `model '${model}' is an object detector: explainBatch is for classifiers (use explain per image)`);
    const missing: string[] = [];
    let first: Awaited<ReturnType<Storage['getImage']>> = null;
    for (const id of imageIds) {
      const image = /^[0-9a-f]{64}$/.test(id) ? await this.storage.getImage(id) : null;
      if (!image) missing.push(id);
      else first ??= image;
    }
    if (missing.length > 0) {
      throw new BatchRequestError('NOT_FOUND', `${missing.length} of the images are not stored: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, { imageIds: missing });
    }
    const target = input.target ?? 'LOGIT';
    const eigenSmooth = input.eigenSmooth ?? false;
    const base = {
      model, target, eigenSmooth,
      ...(input.classes?.length ? { classes: [...input.classes] } : input.topK != null ? { topK: input.topK } : {}),
      ...(input.attribution ? { attribution: input.attribution } : {}),
      ...(input.faithfulness ? { faithfulness: true } : {}),
      ...(input.caption ? { caption: true } : {}),
    };
    let checked;
    try {
      checked = await this.explain.check({ ...base, image: first!, methods: [...(input.methods ?? [])], layer: input.layer ?? undefined });
    } catch (e) {
      if (e instanceof UnknownModelError) throw new BatchRequestError('UNKNOWN_MODEL', e.message);
      throw e;
    }
    return { terms: { ...base, layer: checked.layer }, imageIds, methods: checked.methods };
  }

  /** Stores the batch and starts it: queued jobs (PostgreSQL) or this process's compute workers (SQLite). */
  async start(input: BatchInput): Promise<BatchJobView> {
    const { terms, imageIds, methods } = await this.plan(input);
    const id = randomUUID();
    const items = imageIds.flatMap((imageId, i) => methods.map((method, j) => ({
      position: i * methods.length + j, imageId, method, ...(this.runner === 'QUEUE' ? { jobId: randomUUID() } : {}),
    })));
    const boss = this.runner === 'QUEUE' ? await this.queue() : null;
    await this.store.create(id, terms, this.runner, items);
    if (boss) {
      const jobs: PgBoss.JobInsert<BatchItemJob>[] = items.map((it) => ({
        id: it.jobId, name: EXPLAIN_QUEUE,
        data: { v: 1, batchId: id, position: it.position, imageId: it.imageId, method: it.method, terms },
        retryLimit: this.policy.retryLimit, retryDelay: this.policy.retryDelay, retryBackoff: true, expireInSeconds: this.policy.expireInSeconds,
      }));
      try {
        for (let i = 0; i < jobs.length; i += 500) await boss.insert(jobs.slice(i, i + 500));
      } catch (e) {
        // the batch is not left half-queued: its rows go, and jobs queued before the failure find no item
        await boss.cancel(EXPLAIN_QUEUE, jobs.map((j) => j.id!)).catch(() => undefined);
        await this.store.remove(id);
        throw e;
      }
    } else {
      this.local.start(id);
    }
    return (await this.store.get(id))!;
  }

  private queue(): Promise<PgBoss> {
    return (this.queueReady ??= (async () => {
      const boss = await this.shared!.queue();
      if (!boss) throw new Error('the job queue is not available');
      await ensureQueue(boss, EXPLAIN_QUEUE);
      return boss;
    })().catch((e: unknown) => {
      this.queueReady = undefined;
      throw e;
    }));
  }

  /**
   * The batch with its counts. A queued batch's items whose jobs were parked (failed after their last
   * retry, e.g. by the reaper of a worker that died) are marked FAILED with the job's error first.
   */
  async get(id: string): Promise<BatchJobView | null> {
    const view = await this.store.get(id);
    if (!view || view.runner !== 'QUEUE' || view.finishedAt !== null || !this.shared?.pool) return view;
    const queued = (await this.store.queuedItems(id)).filter((i): i is BatchItemRecord & { jobId: string } => i.jobId !== null);
    const byJob = new Map(queued.map((i) => [i.jobId, i]));
    let changed = false;
    for (const s of await jobStates(this.shared.pool, EXPLAIN_QUEUE, [...byJob.keys()])) {
      if (s.state !== 'failed' && s.state !== 'cancelled') continue;
      await this.store.failed(id, byJob.get(s.id)!.position, s.state === 'failed' ? `parked after ${s.retryCount} retries: ${errorText(s.output)}` : 'cancelled in the job queue');
      changed = true;
    }
    return changed ? this.store.get(id) : view;
  }

  items(id: string, first: number, offset: number): Promise<BatchItemRecord[]> {
    return this.store.items(id, first, offset);
  }

  /** Resumes this process's unfinished batches (SQLite). */
  async resume(): Promise<number> {
    return this.runner === 'IN_PROCESS' ? this.local.resume() : 0;
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
