// An eval worker thread: one ImageEvaluator (the data set, one Explainer per model, the scorer) that
// evaluates whole images, so that every core runs single-threaded work without waiting on another.
// Messages in: { id, kind: 'load', models } | { id, kind: 'evaluate', job }; out: { id, output } | { id, error }.
import { parentPort, workerData } from 'node:worker_threads';
import { ImageEvaluator, type EvaluatorConfig, type ImageJob } from './evaluator.js';

export type WorkerMessage = { kind: 'load'; models: string[] } | { kind: 'evaluate'; job: ImageJob };
export type WorkerRequest = WorkerMessage & { id: number };

const evaluator = new ImageEvaluator(workerData as EvaluatorConfig);

/** One message at a time: an image's work is CPU-bound, and interleaving two would only blur their timings. */
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (msg: WorkerRequest) => {
  queue = queue.then(() => handle(msg));
});

async function handle(msg: WorkerRequest): Promise<void> {
  try {
    if (msg.kind === 'load') {
      for (const id of msg.models) await evaluator.model(id);
      parentPort!.postMessage({ id: msg.id, output: null });
    } else {
      parentPort!.postMessage({ id: msg.id, output: await evaluator.evaluate(msg.job) });
    }
  } catch (e) {
    const err = e as { name?: string; message?: string; stack?: string; code?: unknown; exitCode?: unknown };
    parentPort!.postMessage({
      id: msg.id,
      error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, code: typeof err?.code === 'string' ? err.code : undefined, exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined },
    });
  }
}
