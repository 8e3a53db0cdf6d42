// Micro-batching: explain requests for one model that arrive while its batches run, or within a short
// window, run together as one batch (one batched forward pass in an engine worker), at most
// `maxConcurrent` batches at a time (one per worker), so concurrent clients share forward passes
// instead of fighting for the cores.

export type BatchRunner<Req, Res> = (requests: Req[]) => Promise<PromiseSettledResult<Res>[]>;

interface Pending<Req, Res> {
  request: Req;
  resolve: (r: Res) => void;
  reject: (e: unknown) => void;
}

export interface BatchStats {
  batches: number;
  requests: number;
  largestBatch: number;
}

export class MicroBatcher<Req, Res> {
  private queue: Pending<Req, Res>[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  readonly stats: BatchStats = { batches: 0, requests: 0, largestBatch: 0 };

  constructor(
    private readonly run: BatchRunner<Req, Res>,
    private readonly maxSize: number,
    private readonly windowMs: number,
    private readonly maxConcurrent = 1,
  ) {}

  submit(request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.running >= this.maxConcurrent) return; // flushed when a running batch ends
      if (this.queue.length >= this.maxSize) this.flush();
      // a window of 0 still gathers what arrives in the same turn of the event loop
      else this.timer ??= this.windowMs > 0 ? setTimeout(() => this.flush(), this.windowMs) : setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxSize);
      this.running++;
      this.stats.batches++;
      this.stats.requests += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      this.run(batch.map((p) => p.request))
        .then((results) => results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i].resolve(r.value) : batch[i].reject(r.reason))))
        .catch((e: unknown) => batch.forEach((p) => p.reject(e)))
        .finally(() => {
          this.running--;
          // requests that queued meanwhile have waited long enough
          if (this.queue.length) this.flush();
        });
    }
  }
}
