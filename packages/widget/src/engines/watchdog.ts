// The local engine's start-up watchdog. Once ONNX Runtime Web and the model are downloaded, creating
// the engine (the runtime's wasm start in its proxy worker, which fetches its glue module, then graph
// compilation and sessions) has no progress to show, and nothing in ORT Web bounds it: a worker request
// that never completes (a proxy, a flaky network; the browser bench's request interception once did it)
// would leave the widget "loading" for ever. The watchdog gives that step `engine-timeout` ms; past it
// the engine fails with ENGINE_TIMEOUT, so mode="auto" moves on to the API, and the runtime is
// remembered as stalled: every later engine on the page that needs it fails at once the same way (its
// sessions are created one after another, so they would wait behind the stalled one). Work that still
// finishes late is handed to `late` (to release it).
import { WidgetError } from '../errors.js';

/** Default of the `engine-timeout` attribute: ms the local engine may take to start once its files are here. */
export const DEFAULT_ENGINE_TIMEOUT_MS = 60_000;

const stalled = new Map<string, WidgetError>();

/** Checks an `engine-timeout` value: ms ≥ 0, where 0 turns the watchdog off. */
export function checkEngineTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new WidgetError('BAD_ATTRIBUTE', `engine-timeout="${ms}": expected milliseconds ≥ 0 (0: no limit)`);
  return ms;
}

/** The ENGINE_TIMEOUT error of `runtime` if it stalled earlier on this page. */
export function stalledRuntime(runtime: string): WidgetError | undefined {
  return stalled.get(runtime);
}

/**
 * `work`, or an ENGINE_TIMEOUT error if it has not settled after `ms` (0: no limit); `runtime` names
 * the runtime `work` waits on, remembered as stalled when the time runs out.
 */
export function watchEngineStart<T>(work: Promise<T>, ms: number, runtime: string, late: (value: T) => void): Promise<T> {
  if (ms === 0) return work;
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      const error = new WidgetError('ENGINE_TIMEOUT', `${runtime} did not start the engine within ${ms} ms (engine-timeout); it is not used again on this page`);
      stalled.set(runtime, error);
      reject(error);
    }, ms);
    work.then((value) => {
      clearTimeout(timer);
      if (expired) late(value);
      else resolve(value);
    }, (e: unknown) => {
      clearTimeout(timer);
      if (!expired) reject(e);
    });
  });
}
