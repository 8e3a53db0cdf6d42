// The engine's admission and scheduling: every explain request arrives with its client and its
// work units (server/cost.ts) and waits in its client's queue; batches are formed round-robin over
// clients (one request per client per round), so a client that sends many requests gets its turn like
// everyone else, not before them. Micro-batching stays: requests of one model that wait together run
// as one batch (one batched forward pass), up to `maxBatch` requests and `heavyUnits` work units.
// A request above `heavyUnits` is heavy: it runs alone, on a heavy lane (an engine worker of its own);
// light batches have lanes of their own, so a light request never waits for a Score-CAM to finish.
// A client may have at most `clientMaxUnits` admitted (queued or running); beyond that submit()
// refuses with ClientBusyError, and Retry-After comes from the measured time per work unit.

export type GroupRunner<Req, Res> = (group: string, requests: Req[], heavy: boolean) => Promise<PromiseSettledResult<Res>[]>;

export interface FairQueueOptions {
  /** Most requests in one batch. */
  maxBatch: number;
  /** How long a request arriving when a lane is free waits for company (0: the same event-loop turn). */
  windowMs: number;
  /** Light batches running at once (one per engine worker). */
  lanes: number;
  /** Heavy batches running at once (one per heavy engine worker). */
  heavyLanes: number;
  /** Work units above which a request is heavy; also the most work units of one light batch. */
  heavyUnits: number;
  /** Work units one client may have queued or running. */
  clientMaxUnits: number;
}

export interface Job<Req> {
  client: string;
  /** Requests of one group (a model) batch together. */
  group: string;
  units: number;
  request: Req;
}

/** A client has more work admitted than it may; `retryAfter` is in seconds. */
export class ClientBusyError extends Error {
  constructor(readonly client: string, readonly admitted: number, readonly limit: number, readonly retryAfter: number) {
    super(`${client} has ${Math.ceil(admitted)} work units queued or running; the limit is ${limit} (SALIENCY_CLIENT_MAX_UNITS); retry in ${retryAfter} s`);
    this.name = 'ClientBusyError';
  }
}

interface Pending<Req, Res> extends Job<Req> {
  heavy: boolean;
  resolve: (r: Res) => void;
  reject: (e: unknown) => void;
}

export interface FairQueueStats {
  batches: number;
  requests: number;
  largestBatch: number;
  heavyBatches: number;
  refused: number;
}

export class FairQueue<Req, Res> {
  /** Each client's waiting requests, oldest first. */
  private readonly queues = new Map<string, Pending<Req, Res>[]>();
  /** Clients with waiting requests, the next to be served first. */
  private ring: string[] = [];
  private readonly admitted = new Map<string, number>();
  /** Light and heavy batches running. */
  private running = 0;
  private heavyRunning = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Measured wall time per work unit (moving average), for Retry-After. */
  private msPerUnit = 10;
  readonly stats: FairQueueStats = { batches: 0, requests: 0, largestBatch: 0, heavyBatches: 0, refused: 0 };

  constructor(private readonly run: GroupRunner<Req, Res>, readonly options: FairQueueOptions) {
    if (!(options.lanes >= 1 && options.heavyLanes >= 1)) throw new RangeError('FairQueue: needs at least one light and one heavy lane');
  }

  /** Work units a client has queued or running. */
  admittedUnits(client: string): number {
    return this.admitted.get(client) ?? 0;
  }

  submit(job: Job<Req>): Promise<Res> {
    const held = this.admittedUnits(job.client);
    if (held > 0 && held + job.units > this.options.clientMaxUnits) {
      this.stats.refused++;
      const retryAfter = Math.min(60, Math.max(1, Math.ceil((held * this.msPerUnit) / 1000)));
      return Promise.reject(new ClientBusyError(job.client, held, this.options.clientMaxUnits, retryAfter));
    }
    this.admitted.set(job.client, held + job.units);
    const done = new Promise<Res>((resolve, reject) => {
      const pending: Pending<Req, Res> = { ...job, heavy: job.units > this.options.heavyUnits, resolve, reject };
      const q = this.queues.get(job.client);
      if (q) q.push(pending);
      else {
        this.queues.set(job.client, [pending]);
        this.ring.push(job.client);
      }
      this.waiting++;
      this.schedule();
    });
    const release = () => {
      const left = this.admittedUnits(job.client) - job.units;
      if (left > 1e-9) this.admitted.set(job.client, left);
      else this.admitted.delete(job.client);
    };
    return done.finally(release);
  }

  /** Whether a batch of this kind could start now. */
  private free(heavy: boolean): boolean {
    return heavy ? this.heavyRunning < this.options.heavyLanes : this.running < this.options.lanes;
  }

  private schedule(): void {
    if (!this.free(false) && !this.free(true)) return; // a batch that ends flushes
    if (this.waiting >= this.options.maxBatch) this.flush();
    // a window of 0 still gathers what arrives in the same turn of the event loop
    else this.timer ??= this.options.windowMs > 0 ? setTimeout(() => this.flush(), this.options.windowMs) : setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    for (;;) {
      const batch = this.take();
      if (!batch) break;
      this.start(batch);
    }
  }

  /** The next batch: round-robin over clients; a heavy request alone, else light requests of one group. */
  private take(): Pending<Req, Res>[] | null {
    const { maxBatch, heavyUnits } = this.options;
    const batch: Pending<Req, Res>[] = [];
    const served: string[] = [];
    let kind: 'heavy' | 'light' | null = null;
    let group = '';
    let units = 0;
    for (;;) {
      let added = false;
      for (const client of this.ring) {
        if (batch.length >= maxBatch) break;
        const head = this.queues.get(client)?.[0];
        if (!head) continue;
        if (kind === null) {
          if (!this.free(head.heavy)) continue; // waits for a lane of its kind
          kind = head.heavy ? 'heavy' : 'light';
          group = head.group;
        } else if (head.heavy || head.group !== group || units + head.units > heavyUnits) {
          continue;
        }
        batch.push(this.queues.get(client)!.shift()!);
        units += head.units;
        served.push(client);
        added = true;
        if (kind === 'heavy') break;
      }
      if (kind !== 'light' || !added || batch.length >= maxBatch) break;
    }
    if (batch.length === 0) return null;
    // served clients go to the back of the ring, in the order served; emptied queues leave it
    const back = [...new Set(served)];
    this.ring = [...this.ring.filter((c) => !back.includes(c)), ...back].filter((c) => {
      if (this.queues.get(c)!.length > 0) return true;
      this.queues.delete(c);
      return false;
    });
    this.waiting -= batch.length;
    return batch;
  }

  private start(batch: Pending<Req, Res>[]): void {
    const heavy = batch[0].heavy;
    if (heavy) this.heavyRunning++;
    else this.running++;
    this.stats.batches++;
    if (heavy) this.stats.heavyBatches++;
    this.stats.requests += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const started = performance.now();
    const units = batch.reduce((a, p) => a + p.units, 0);
    this.run(batch[0].group, batch.map((p) => p.request), heavy)
      .then((results) => results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i].resolve(r.value) : batch[i].reject(r.reason))))
      .catch((e: unknown) => batch.forEach((p) => p.reject(e)))
      .finally(() => {
        if (units > 0) this.msPerUnit = 0.8 * this.msPerUnit + 0.2 * ((performance.now() - started) / units);
        if (heavy) this.heavyRunning--;
        else this.running--;
        if (this.waiting > 0) this.flush();
      });
  }
}
