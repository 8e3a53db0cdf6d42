// The batches of a server without a job queue (SQLite, the zero-setup default): their items run on the
// server's own compute workers through ExplainService, a few at a time (one per compute lane), under the
// batch's own client key, so that the engine's fair queue serves a batch as one more client next to the
// interactive ones. A closing server finishes the items in hand; the rest stay QUEUED and run again
// when the server starts next (resume()).
import type { ExplainService } from '../compute/explain-service.js';
import type { HeatmapResults } from '../compute/heatmap-results.js';
import type { AnnotationService } from '../annotations/service.js';
import type { Storage } from '../storage/types.js';
import { runBatchItem } from './item.js';
import type { BatchStore } from './store.js';

export class InProcessBatches {
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly explain: ExplainService,
    private readonly storage: Storage,
    private readonly store: BatchStore,
    /** Items of one batch computed at once. */
    private readonly lanes: number,
    private readonly results?: HeatmapResults,
    private readonly annotations?: AnnotationService,
  ) {}

  /** Runs the batch's queued items (again) unless it is running already. */
  start(batchId: string): void {
    if (this.closed || this.running.has(batchId)) return;
    const run = this.run(batchId)
      .catch((e: unknown) => console.error(`saliency-explainer: batch ${batchId} stopped: ${(e as Error).message}`))
      .finally(() => this.running.delete(batchId));
    this.running.set(batchId, run);
  }

  /** Settles when the batch's run in this process has ended (for tests and close). */
  async settled(batchId: string): Promise<void> {
    await this.running.get(batchId);
  }

  /** Restarts the unfinished in-process batches (a server that stopped with items queued). */
  async resume(): Promise<number> {
    const ids = await this.store.unfinished('IN_PROCESS');
    for (const id of ids) this.start(id);
    return ids.length;
  }

  private async run(batchId: string): Promise<void> {
    const batch = await this.store.get(batchId);
    if (!batch) return;
    const items = await this.store.queuedItems(batchId);
    let next = 0;
    const lane = async () => {
      while (!this.closed && next < items.length) {
        const item = items[next++];
        const job = { v: 1 as const, batchId, position: item.position, imageId: item.imageId, method: item.method, terms: batch.terms };
        try {
          await runBatchItem(this.explain, this.storage, this.store, job, `batch:${batchId}`, this.results, this.annotations);
        } catch (e) {
          // no queue to retry it: the item fails with its error (explain it again to retry)
          await this.store.failed(batchId, item.position, (e as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.lanes, items.length)) }, lane));
  }

  /** Stops taking items and waits for those in hand. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running.values()]);
  }
}
