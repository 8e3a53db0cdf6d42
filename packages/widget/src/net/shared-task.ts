// One download or load shared by every widget on the page that needs it, each seeing its progress.
import type { DownloadProgress } from './cached-fetch.js';

export type ProgressListener = (p: DownloadProgress) => void;

export class SharedTask<T> {
  readonly promise: Promise<T>;
  private readonly listeners = new Set<ProgressListener>();
  private last: DownloadProgress | null = null;

  constructor(start: (emit: ProgressListener) => Promise<T>) {
    this.promise = start((p) => {
      this.last = p;
      for (const l of this.listeners) l(p);
    });
  }

  /** Follow the progress (the latest value at once); returns the unsubscribe function. */
  subscribe(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last);
    return () => this.listeners.delete(listener);
  }

  /** The result, reporting progress to `listener` meanwhile. */
  async follow(listener?: ProgressListener): Promise<T> {
    const off = listener ? this.subscribe(listener) : () => undefined;
    try {
      return await this.promise;
    } finally {
      off();
    }
  }
}

/** The task under `key`, started once; a failed task is forgotten so that a later call retries. */
export function sharedTask<T>(tasks: Map<string, SharedTask<T>>, key: string, start: (emit: ProgressListener) => Promise<T>): SharedTask<T> {
  let task = tasks.get(key);
  if (!task) {
    const created = new SharedTask(start);
    created.promise.catch(() => {
      if (tasks.get(key) === created) tasks.delete(key);
    });
    tasks.set(key, created);
    task = created;
  }
  return task;
}
