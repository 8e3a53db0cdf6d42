// A semaphore counted in pixels: full-resolution images decoded (and large PNGs rendered) at once in
// one thread stay under `capacity` pixels (SALIENCY_DECODE_PIXELS), so memory follows the setting, not
// the number of concurrent requests. Waiters are served first come, first served (a large image is
// not overtaken forever by small ones); one larger than the capacity runs alone.

export class PixelGate {
  private inUse = 0;
  private readonly waiters: { pixels: number; go: () => void }[] = [];
  /** Most pixels held at once since the start (tests, /health). */
  peak = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('PixelGate: capacity must be positive');
  }

  /** Pixels held now. */
  get held(): number {
    return this.inUse;
  }

  /** Runs `fn` while holding `pixels` (at most the capacity). */
  async run<T>(pixels: number, fn: () => Promise<T> | T): Promise<T> {
    const n = Math.max(0, Math.min(pixels, this.capacity));
    await this.acquire(n);
    try {
      return await fn();
    } finally {
      this.release(n);
    }
  }

  private acquire(n: number): Promise<void> {
    if (this.waiters.length === 0 && this.inUse + n <= this.capacity) {
      this.take(n);
      return Promise.resolve();
    }
    return new Promise((go) => this.waiters.push({ pixels: n, go }));
  }

  private take(n: number): void {
    this.inUse += n;
    this.peak = Math.max(this.peak, this.inUse);
  }

  private release(n: number): void {
    this.inUse -= n;
    while (this.waiters.length && this.inUse + this.waiters[0].pixels <= this.capacity) {
      const w = this.waiters.shift()!;
      this.take(w.pixels);
      w.go();
    }
  }
}
