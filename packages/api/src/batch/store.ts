// Batch rows (BatchJob, BatchItem) on the Prisma client of the storage, SQLite or PostgreSQL. A batch is
// written with all its items in one transaction (a batch that fails to start leaves nothing); an item
// only ever moves QUEUED → DONE | FAILED, by conditional updates keyed by (batch, position), so a job run
// twice (a retry, a worker that died after storing) sets the same row to the same values. Progress is
// counted from the items; `finishedAt` is set once, by whoever finishes the last item.
import type { AttributionOptions } from '@saliency-explainer/core';
import type { StorageClient } from '../storage/prisma-storage.js';

export type BatchRunner = 'IN_PROCESS' | 'QUEUE';
export type BatchItemState = 'QUEUED' | 'DONE' | 'FAILED';
export type BatchJobState = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

/** What every item of a batch shares: ExplainArgs less the image, the method and the client. */
export interface BatchTerms {
  model: string;
  layer: string;
  topK?: number;
  classes?: number[];
  target: 'LOGIT' | 'PROBABILITY';
  eigenSmooth: boolean;
  attribution?: AttributionOptions;
  /** Also the faithfulness report (seed 0) of every heatmap of the item's explanation. */
  faithfulness?: boolean;
  /** Also the caption (seed 0) of every heatmap, with the human reference Heatmap.caption uses. */
  caption?: boolean;
}

export interface NewBatchItem {
  position: number;
  imageId: string;
  method: string;
  jobId?: string;
}

export interface BatchItemRecord {
  batchId: string;
  position: number;
  imageId: string;
  method: string;
  state: BatchItemState;
  explanationId: string | null;
  error: string | null;
  jobId: string | null;
}

/** A batch with its counts (what BatchJob resolves from). */
export interface BatchJobView {
  id: string;
  model: string;
  terms: BatchTerms;
  runner: BatchRunner;
  total: number;
  done: number;
  failed: number;
  state: BatchJobState;
  createdAt: Date;
  finishedAt: Date | null;
}

export function batchState(total: number, done: number, failed: number): BatchJobState {
  if (done + failed >= total) return failed > 0 ? 'FAILED' : 'COMPLETED';
  return done + failed > 0 ? 'RUNNING' : 'QUEUED';
}

const itemOf = (r: { batchId: string; position: number; imageId: string; method: string; state: string; explanationId: string | null; error: string | null; jobId: string | null }): BatchItemRecord => ({
  batchId: r.batchId, position: r.position, imageId: r.imageId, method: r.method, state: r.state as BatchItemState,
  explanationId: r.explanationId, error: r.error, jobId: r.jobId,
});

export class BatchStore {
  constructor(private readonly client: StorageClient) {}

  async create(id: string, terms: BatchTerms, runner: BatchRunner, items: readonly NewBatchItem[]): Promise<void> {
    await this.client.$transaction([
      this.client.batchJob.create({ data: { id, model: terms.model, terms: terms as object, total: items.length, runner } }),
      this.client.batchItem.createMany({ data: items.map((i) => ({ batchId: id, position: i.position, imageId: i.imageId, method: i.method, jobId: i.jobId ?? null })) }),
    ]);
  }

  /** Removes a batch and its items (a batch whose jobs could not be queued). */
  async remove(id: string): Promise<void> {
    await this.client.batchJob.deleteMany({ where: { id } });
  }

  async get(id: string): Promise<BatchJobView | null> {
    const row = await this.client.batchJob.findUnique({ where: { id } });
    if (!row) return null;
    const counts = await this.client.batchItem.groupBy({ by: ['state'], where: { batchId: id }, _count: { _all: true } });
    const n = (s: BatchItemState) => counts.find((c) => c.state === s)?._count._all ?? 0;
    const done = n('DONE');
    const failed = n('FAILED');
    return {
      id: row.id, model: row.model, terms: row.terms as unknown as BatchTerms, runner: row.runner as BatchRunner, total: row.total,
      done, failed, state: batchState(row.total, done, failed), createdAt: row.createdAt, finishedAt: row.finishedAt,
    };
  }

  async items(batchId: string, first: number, offset: number): Promise<BatchItemRecord[]> {
    const rows = await this.client.batchItem.findMany({ where: { batchId }, orderBy: { position: 'asc' }, skip: offset, take: first });
    return rows.map(itemOf);
  }

  async item(batchId: string, position: number): Promise<BatchItemRecord | null> {
    const row = await this.client.batchItem.findUnique({ where: { batchId_position: { batchId, position } } });
    return row ? itemOf(row) : null;
  }

  async queuedItems(batchId: string): Promise<BatchItemRecord[]> {
    const rows = await this.client.batchItem.findMany({ where: { batchId, state: 'QUEUED' }, orderBy: { position: 'asc' } });
    return rows.map(itemOf);
  }

  /** Batches of a runner not finished yet, oldest first (the in-process runner resumes them at start). */
  async unfinished(runner: BatchRunner): Promise<string[]> {
    const rows = await this.client.batchJob.findMany({ where: { runner, finishedAt: null }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** The item is stored as `explanationId` (again, for a job run twice: the same row, the same values). */
  async done(batchId: string, position: number, explanationId: string): Promise<void> {
    await this.client.batchItem.updateMany({ where: { batchId, position, state: { not: 'FAILED' } }, data: { state: 'DONE', explanationId, error: null } });
    await this.finishIfDone(batchId);
  }

  /** The item failed for good (a stored item stays stored). */
  async failed(batchId: string, position: number, error: string): Promise<void> {
    await this.client.batchItem.updateMany({ where: { batchId, position, state: 'QUEUED' }, data: { state: 'FAILED', error: error.slice(0, 2000) } });
    await this.finishIfDone(batchId);
  }

  private async finishIfDone(batchId: string): Promise<void> {
    const queued = await this.client.batchItem.count({ where: { batchId, state: 'QUEUED' } });
    if (queued === 0) await this.client.batchJob.updateMany({ where: { id: batchId, finishedAt: null }, data: { finishedAt: new Date() } });
  }
}
