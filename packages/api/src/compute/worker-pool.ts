// The main thread's side of the engine workers: starts them, sends each job to the least busy one,
// matches replies to jobs, and replaces a worker that dies (its jobs fail, the server keeps serving).
import { Worker } from 'node:worker_threads';
import { workerScript } from './worker-script.js';
import { ExplainError } from '@saliency-explainer/core';
import type { ItemResult, MeasureJob, Reply, Request, WireError, WorkerConfig, WorkItem } from './worker-protocol.js';

type Pending = { resolve: (r: Reply) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}


/** An error from a worker, as the class the rest of the server knows. */
export function fromWire(e: WireError): Error {
  if (e.name === 'ExplainError' && e.code) return new ExplainError(e.code as ExplainError['code'], e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code) Object.assign(err, { code: e.code });
  return err;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number, private readonly config: WorkerConfig) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(workerScript(new URL('./engine-worker.js', import.meta.url)), { workerData: this.config });
    const slot: Slot = { worker, busy: 0, pending: new Map() };
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      slot.busy--;
      p.resolve(reply);
    });
    const fail = (why: string) => {
      for (const p of slot.pending.values()) p.reject(new Error(`engine worker ${why}`));
      slot.pending.clear();
      slot.busy = 0;
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }

  private send(slot: Slot, msg: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      slot.pending.set(msg.id, { resolve, reject });
      slot.busy++;
      slot.worker.postMessage(msg);
    });
  }

  /** Load a model in every worker (its sessions compiled before the first request). */
  async load(model: string): Promise<void> {
    const replies = await Promise.all(this.slots.map((s) => this.send(s, { kind: 'load', id: this.nextId++, model })));
    const failed = replies.find((r) => r.kind === 'loaded' && r.error);
    if (failed?.error) throw fromWire(failed.error);
  }

  /** Run one batch on the least busy worker; one result per item, in order. */
  async explain(model: string, items: WorkItem[]): Promise<ItemResult[]> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const reply = await this.send(slot, { kind: 'explain', id: this.nextId++, model, items });
    if (reply.kind !== 'explained') throw new Error(`engine worker answered ${reply.kind} to explain`);
    if (reply.error) throw fromWire(reply.error);
    return reply.results;
  }

  /** Measure one heatmap (faithfulness, caption) on the least busy worker; the measure's JSON object. */
  async measure(model: string, job: MeasureJob): Promise<unknown> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const reply = await this.send(slot, { kind: 'measure', id: this.nextId++, model, job });
    if (reply.kind !== 'measured') throw new Error(`engine worker answered ${reply.kind} to measure`);
    if (reply.error) throw fromWire(reply.error);
    return reply.value;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
