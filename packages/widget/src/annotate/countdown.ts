// The annotation clock: it starts on the animation frame after the blurred image was drawn (when the
// annotator first sees it), gives click times in ms since then, counts whole seconds down and says
// when the time is up.
export type CountdownEvent = 'second' | 'ten-seconds-left' | 'up';

const TICK_MS = 200;

export class Countdown {
  /** Whole seconds left (null before the start). */
  secondsLeft: number | null = null;
  timeUp = false;
  private shownAt: number | null = null;
  private limitMs = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pending = false;
  private generation = 0;

  constructor(private readonly onEvent: (e: CountdownEvent) => void) {}

  get started(): boolean {
    return this.shownAt !== null;
  }

  /** ms since the image was shown (0 before). */
  elapsed(): number {
    return this.shownAt === null ? 0 : performance.now() - this.shownAt;
  }

  /** Start at the next animation frame, once (later calls until reset() do nothing). */
  startAtNextFrame(limitSeconds: number): void {
    if (this.shownAt !== null || this.pending) return;
    this.pending = true;
    const generation = this.generation;
    requestAnimationFrame(() => {
      if (generation !== this.generation) return;
      this.pending = false;
      this.shownAt = performance.now();
      this.limitMs = limitSeconds * 1000;
      this.resume();
    });
  }

  /** Run the ticks again after stop() (the time kept passing). */
  resume(): void {
    if (this.shownAt === null || this.timeUp || this.timer !== null) return;
    this.tick();
    if (!this.timeUp) this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stop the ticks (submitted, detached). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Back to not started (a new session). */
  reset(): void {
    this.stop();
    this.generation++;
    this.pending = false;
    this.shownAt = null;
    this.secondsLeft = null;
    this.timeUp = false;
  }

  private tick(): void {
    const left = this.limitMs - this.elapsed();
    const seconds = Math.max(0, Math.ceil(left / 1000));
    if (seconds !== this.secondsLeft) {
      this.secondsLeft = seconds;
      this.onEvent(seconds === 10 && this.limitMs > 20_000 ? 'ten-seconds-left' : 'second');
    }
    if (left <= 0) {
      this.timeUp = true;
      this.stop();
      this.onEvent('up');
    }
  }
}
