// What is computed about a stored heatmap on request (its faithfulness report; its caption next): read
// from storage when it was computed before, else computed once on an engine worker — concurrent
// requests for the same result share one computation — and stored, keyed by (heatmap, kind, options).
import { createHash } from 'node:crypto';
import type { ExplanationRecord, HeatmapRecord, HeatmapResultKind, Storage } from '../storage/types.js';
import type { ModelPool } from './model-pool.js';

/** Bumped when a measure's definition changes meaning, so stored results of the old one are not served. */
export const RESULT_VERSIONS: Readonly<Record<HeatmapResultKind, number>> = { faithfulness: 1, caption: 1 };

export interface HeatmapResult<T> {
  value: T;
  /** Wall time of the computation that produced it. */
  computeMs: number;
  /** Whether it was read back (stored or being computed for another request) rather than computed for this one. */
  cached: boolean;
}

/** sha256 (16 hex digits) of the canonical JSON of a result's options and its kind's version. */
export function resultOptionsKey(kind: HeatmapResultKind, options: Record<string, unknown>): string {
  const canonical = JSON.stringify({ v: RESULT_VERSIONS[kind], ...Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b))) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export class HeatmapResults {
  private readonly inFlight = new Map<string, Promise<HeatmapResult<unknown>>>();

  constructor(private readonly storage: Storage, private readonly pool: ModelPool) {}

  /** The faithfulness report of one heatmap of `explanation` (core's FaithfulnessReport as JSON). */
  faithfulness(explanation: ExplanationRecord, heatmap: HeatmapRecord, options: { seed: number }): Promise<HeatmapResult<unknown>> {
    return this.get('faithfulness', explanation, heatmap, options, async () => {
      const bytes = await this.storage.getImageBytes(explanation.imageId);
      if (!bytes) throw new Error(`the bytes of image ${explanation.imageId} are not stored`);
      return this.pool.measure(explanation.modelId, {
        what: 'faithfulness', bytes, classIndex: heatmap.classIndex,
        raw: { width: heatmap.width, height: heatmap.height, values: heatmap.raw },
        options,
      });
    });
  }

  private async get(kind: HeatmapResultKind, explanation: ExplanationRecord, heatmap: HeatmapRecord, options: Record<string, unknown>,
    compute: () => Promise<unknown>): Promise<HeatmapResult<unknown>> {
    const position = explanation.heatmaps.indexOf(heatmap);
    if (position < 0) throw new Error('the heatmap is not one of its explanation\'s');
    const key = { explanationId: explanation.id, position, kind, optionsKey: resultOptionsKey(kind, options) };
    const id = `${key.explanationId}/${position}/${kind}/${key.optionsKey}`;
    const running = this.inFlight.get(id);
    if (running) return { ...(await running), cached: true };
    const stored = await this.storage.getHeatmapResult(key);
    if (stored) return { value: stored.value, computeMs: stored.computeMs, cached: true };
    const work = (async () => {
      const started = performance.now();
      const value = await compute();
      const saved = await this.storage.saveHeatmapResult({ ...key, value, computeMs: performance.now() - started });
      return { value: saved.value, computeMs: saved.computeMs, cached: false };
    })();
    this.inFlight.set(id, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(id);
    }
  }
}
