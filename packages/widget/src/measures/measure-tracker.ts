// The state of one measurement of the shown map (its caption, its faithfulness report): computed once
// per map and run, kept for when the map is shown again, and, when another map is shown before it
// finishes, stopped between model runs (local engines) so the engine is free for the new one.
import { asWidgetError, type WidgetError } from '../errors.js';

export type MeasureStatus = 'computing' | 'ready' | 'failed';

export interface MeasureState<T> {
  key: string;
  status: MeasureStatus;
  value: T | null;
  error: WidgetError | null;
}

const isAbort = (e: unknown) => (e as Error | null)?.name === 'AbortError';

export class MeasureTracker<T> {
  /** The shown map's measurement (null when off or no map is shown). */
  current: MeasureState<T> | null = null;
  private readonly done = new Map<string, T>();
  private running: { key: string; abort: AbortController } | null = null;

  /**
   * @param onChange the state changed (the host re-renders)
   * @param onReady a measurement of the shown map is ready (also when shown again later)
   */
  constructor(private readonly onChange: () => void, private readonly onReady: (value: T) => void) {}

  /** Show `key`'s measurement (null: none), computing it with `compute` when it is not known yet. */
  show(key: string | null, compute: (signal: AbortSignal) => Promise<T>): void {
    if (key === (this.current?.key ?? null)) return;
    if (this.running && this.running.key !== key) {
      this.running.abort.abort();
      this.running = null;
    }
    if (key === null) {
      this.current = null;
      this.onChange();
      return;
    }
    const known = this.done.get(key);
    if (known !== undefined) {
      this.current = { key, status: 'ready', value: known, error: null };
      this.onChange();
      this.onReady(known);
      return;
    }
    this.current = { key, status: 'computing', value: null, error: null };
    this.onChange();
    const abort = new AbortController();
    this.running = { key, abort };
    // after the render that shows the map
    void new Promise((r) => setTimeout(r, 0)).then(() => {
      abort.signal.throwIfAborted();
      return compute(abort.signal);
    }).then((value) => {
      this.done.set(key, value);
      if (this.running?.abort === abort) this.running = null;
      if (this.current?.key !== key) return;
      this.current = { key, status: 'ready', value, error: null };
      this.onChange();
      this.onReady(value);
    }, (e: unknown) => {
      if (this.running?.abort === abort) this.running = null;
      if (isAbort(e) || this.current?.key !== key) return;
      this.current = { key, status: 'failed', value: null, error: asWidgetError(e, 'ENGINE_FAILED') };
      this.onChange();
    });
  }

  /** Forget everything (a new run: another image, model or engine). */
  clear(): void {
    this.running?.abort.abort();
    this.running = null;
    this.done.clear();
    if (this.current) {
      this.current = null;
      this.onChange();
    }
  }
}
