// What lets `explain` overlap one input's files with the next input's work, on one JavaScript thread:
// * readAhead: the next input's file is read and decoded (sharp, on libuv's threads) while this one
//   is explained;
// * OrderedOutput: an explained input's PNGs are encoded and written (sharp and zlib on libuv's
//   threads, fs) while the next inputs are explained; its line is printed (and its report entry
//   kept) once its files are on disk, in input order. At most `window` inputs are in flight, so
//   memory stays bounded; a failed write stops the run at the next add or drain (the lines of the
//   inputs after it are not printed).

/** take(i) gives read(i)'s promise and starts read(i + 1); read(0) starts at once. */
export function readAhead<T>(count: number, read: (i: number) => Promise<T>): (i: number) => Promise<T> {
  const started = new Map<number, Promise<T>>();
  const start = (i: number) => {
    if (i >= count || started.has(i)) return;
    const p = read(i);
    p.catch(() => undefined); // reported when its turn comes
    started.set(i, p);
  };
  start(0);
  return (i) => {
    start(i);
    const p = started.get(i)!;
    started.delete(i);
    start(i + 1);
    return p;
  };
}

interface Pending {
  files: Promise<unknown>;
  finish: () => void;
  written: boolean;
}

export class OrderedOutput {
  private readonly pending: Pending[] = [];

  /** `window`: inputs whose files may still be in flight when add returns. */
  constructor(readonly window: number) {}

  /** Inputs queued whose lines are not printed yet. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Queues an input: `files` (its writes, in flight) and `finish` (print its line), called once the
   * files are written and every earlier input has finished. Returns when at most `window` inputs are
   * left in flight (having printed every line that was ready); rejects with the first failed write.
   */
  async add(files: Promise<unknown>, finish: () => void): Promise<void> {
    const p: Pending = { files, finish, written: false };
    files.then(() => {
      p.written = true;
    }, () => undefined); // a failure is awaited in turn below, which rethrows
    this.pending.push(p);
    await this.settle(this.window);
  }

  /** Waits for every queued input and prints the lines left. */
  drain(): Promise<void> {
    return this.settle(0);
  }

  /** After a failure: waits for the writes in flight to end, printing nothing more. */
  async abandon(): Promise<void> {
    const left = this.pending.splice(0);
    await Promise.allSettled(left.map((p) => p.files));
  }

  /** Finishes inputs in order until at most `keep` are left, then those already written at the front. */
  private async settle(keep: number): Promise<void> {
    while (this.pending.length > keep || this.pending[0]?.written) {
      const p = this.pending[0];
      await p.files;
      this.pending.shift();
      p.finish();
    }
  }
}
