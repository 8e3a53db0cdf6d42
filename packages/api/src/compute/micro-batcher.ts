// Micro-batching: explain requests for one model that arrive while a batch runs, or within a short
// window, run together as one Explainer.explainMany call (one batched forward run), one batch at a
// time per model, so concurrent clients share forward passes instead of fighting for the cores.
import type { ExplainRequest, ExplainResult } from '@saliency-explainer/core';

export type BatchRunner = (requests: ExplainRequest[]) => Promise<PromiseSettledResult<ExplainResult>[]>;

interface Pending {
  request: ExplainRequest;
  resolve: (r: ExplainResult) => void;
  reject: (e: unknown) => void;
}

export interface BatchStats {
  batches: number;
  requests: number;
  largestBatch: number;
}

export class MicroBatcher {
  private queue: Pending[] = [];
  private running = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  readonly stats: BatchStats = { batches: 0, requests: 0, largestBatch: 0 };

  constructor(private readonly run: BatchRunner, private readonly maxSize: number, private readonly windowMs: number) {}

  submit(request: ExplainRequest): Promise<ExplainResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.running) return; // flushed when the running batch ends
      if (this.queue.length >= this.maxSize) this.flush();
      // a window of 0 still gathers what arrives in the same turn of the event loop
      else this.timer ??= this.windowMs > 0 ? setTimeout(() => this.flush(), this.windowMs) : setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxSize);
    this.running = true;
    this.stats.batches++;
    this.stats.requests += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    this.run(batch.map((p) => p.request))
      .then((results) => results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i].resolve(r.value) : batch[i].reject(r.reason))))
      .catch((e: unknown) => batch.forEach((p) => p.reject(e)))
      .finally(() => {
        this.running = false;
        // requests that queued meanwhile have waited long enough
        if (this.queue.length) this.flush();
      });
  }
}
