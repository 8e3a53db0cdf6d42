// One worker thread answering requests by id: the plumbing under the server's CPU-bound helpers that
// must not run on the main thread (the main thread serves every request; a 0.5 s computation there
// would stall them all). A request's error comes back as an Error with the worker's name and message;
// a worker that dies fails its pending requests and is started afresh by the next call. A request's
// error keeps its string `code` when it had one.
import { Worker } from 'node:worker_threads';
import { workerScript } from './worker-script.js';

/** What a worker posts back for request `id`. */
export type RpcReply<R> = { id: number; ok: true; value: R } | { id: number; ok: false; error: { name: string; message: string; code?: string } };

/** The error part of a reply for what a worker threw (its name, message and any string `code`). */
export function replyError(e: unknown): { name: string; message: string; code?: string } {
  const err = e as Error & { code?: unknown };
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
}

interface Pending<R> {
  resolve: (value: R) => void;
  reject: (e: Error) => void;
}

export class RpcWorker<Q, R> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending<R>>();
  private nextId = 1;
  private closed = false;

  /** `script`: the compiled worker's URL, e.g. new URL('./scoring-worker.js', import.meta.url). */
  constructor(private readonly script: URL, private readonly workerData?: unknown) {}

  private start(): Worker {
    const worker = new Worker(workerScript(this.script), { workerData: this.workerData });
    worker.unref(); // an idle helper never keeps the process alive
    worker.on('message', (reply: RpcReply<R>) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }, reply.error.code ? { code: reply.error.code } : {}));
    });
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error(`worker ${why}`));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return worker;
  }

  /** Send one request; resolves with the worker's answer. */
  call(request: Q): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the worker is closed'));
    this.worker ??= this.start();
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
