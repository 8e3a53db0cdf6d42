// The main thread's side of the eval workers: each image goes to the worker with the fewest images
// queued. With size 0 the images are evaluated inline, on the calling thread (--workers 0).
import { Worker } from 'node:worker_threads';
import { workerScript } from '../compute/worker-script.js';
import { CliError, type ExitCode } from '../errors.js';
import { ImageEvaluator, type EvaluatorConfig, type ImageJob, type ImageOutput } from './evaluator.js';
import type { WorkerMessage } from './eval-worker.js';

interface WireError { name: string; message: string; stack?: string; code?: string; exitCode?: number }
type Pending = { resolve: (o: unknown) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}


/** A worker's error as the class the CLI knows (typed CLI errors keep their exit code). */
function fromWire(e: WireError): Error {
  const err = e.exitCode !== undefined && e.code !== undefined ? new CliError(e.exitCode as ExitCode, e.code, e.message) : new Error(e.message);
  if (!(err instanceof CliError)) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export class EvalPool {
  private readonly slots: Slot[] = [];
  private readonly inline?: ImageEvaluator;
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number, config: EvaluatorConfig) {
    if (size === 0) this.inline = new ImageEvaluator(config);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerScript(new URL('./eval-worker.js', import.meta.url)), { workerData: config });
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (msg: { id: number; output?: unknown; error?: WireError }) => {
        const p = slot.pending.get(msg.id);
        if (!p) return;
        slot.pending.delete(msg.id);
        if (msg.error) p.reject(fromWire(msg.error));
        else p.resolve(msg.output);
      });
      const fail = (why: string) => {
        for (const p of slot.pending.values()) p.reject(new Error(`eval worker ${why}`));
        slot.pending.clear();
      };
      worker.on('error', (e) => fail(`failed: ${e.message}`));
      worker.on('exit', (code) => {
        if (!this.closed) fail(`exited with code ${code}`);
      });
      this.slots.push(slot);
    }
  }

  private send(slot: Slot, msg: WorkerMessage): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...msg, id });
    });
  }

  /** Create the models' Explainers everywhere before the first image (a model that cannot run fails here). */
  async load(models: string[]): Promise<void> {
    if (this.inline) {
      for (const id of models) await this.inline.model(id);
      return;
    }
    await Promise.all(this.slots.map((s) => this.send(s, { kind: 'load', models })));
  }

  evaluate(job: ImageJob): Promise<ImageOutput> {
    if (this.inline) return this.inline.evaluate(job);
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return this.send(slot, { kind: 'evaluate', job }) as Promise<ImageOutput>;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inline?.release();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
