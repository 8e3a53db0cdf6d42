// What is computed about a stored heatmap on request (its faithfulness report, its caption): read
// from storage when it was computed before, else computed once on an engine worker — concurrent
// requests for the same result share one computation — and stored, keyed by (heatmap, kind, options).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { HumanMap } from '@saliency-explainer/core';
import type { ExplanationRecord, HeatmapRecord, HeatmapResultKind, Storage } from '../storage/types.js';
import { CAPTION_UNITS, faithfulnessUnits } from '../server/cost.js';
import type { MeasureJob } from './worker-protocol.js';

/** Runs a measure job on the engine (ExplainService.measure: the fair queue, then a worker). */
export interface MeasureRunner {
  measure(client: string, model: string, units: number, job: MeasureJob): Promise<unknown>;
}

/** The human reference a caption's human fact scores against (the one the heatmap's alignment uses). */
export interface CaptionHuman {
  map: HumanMap;
  source: 'crowd' | 'eye-tracking';
  /** What identifies it among its image's references, e.g. 'CROWD FIND' (stored captions are keyed by it and its size). */
  key: string;
}

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

  /** `captionerDir`: the free-text captioner captions quote (SALIENCY_CAPTIONER_DIR); stored captions are keyed by its name. */
  constructor(private readonly storage: Storage, private readonly engine: MeasureRunner, private readonly inputSide: (model: string) => number,
    private readonly captionerDir: string | null = null) {}

  /** The faithfulness report of one heatmap of `explanation` (core's FaithfulnessReport as JSON). */
  faithfulness(client: string, explanation: ExplanationRecord, heatmap: HeatmapRecord, options: { seed: number }): Promise<HeatmapResult<unknown>> {
    return this.get('faithfulness', explanation, heatmap, options, async () => {
      const bytes = await this.storage.getImageBytes(explanation.imageId);
      if (!bytes) throw new Error(`the bytes of image ${explanation.imageId} are not stored`);
      return this.engine.measure(client, explanation.modelId, faithfulnessUnits(this.inputSide(explanation.modelId)), {
        what: 'faithfulness', bytes, classIndex: heatmap.classIndex,
        raw: { width: heatmap.width, height: heatmap.height, values: heatmap.raw },
        options,
      });
    });
  }

  /**
   * The caption of one heatmap (core's Caption as JSON): contrasted with the explanation's maps of the
   * same method for its other classes, with a human fact when `human` is given. The stored caption is
   * keyed by the reference and its number of people too, so a new annotation makes a new caption.
   */
  caption(client: string, explanation: ExplanationRecord, heatmap: HeatmapRecord, options: { seed: number }, human: CaptionHuman | null): Promise<HeatmapResult<unknown>> {
    const key = { ...options, human: human ? `${human.key} ${human.map.observers.length}` : null, ...(this.captionerDir ? { captioner: basename(this.captionerDir) } : {}) };
    return this.get('caption', explanation, heatmap, key, async () => {
      const bytes = await this.storage.getImageBytes(explanation.imageId);
      if (!bytes) throw new Error(`the bytes of image ${explanation.imageId} are not stored`);
      const raw = (h: HeatmapRecord) => ({ width: h.width, height: h.height, values: h.raw });
      return this.engine.measure(client, explanation.modelId, CAPTION_UNITS, {
        what: 'caption', bytes, classIndex: heatmap.classIndex, raw: raw(heatmap), options,
        others: explanation.heatmaps.filter((o) => o.method === heatmap.method && o.classIndex !== heatmap.classIndex)
          .map((o) => ({ classIndex: o.classIndex, raw: raw(o) })),
        human: human ? { map: human.map, source: human.source } : undefined,
        ...(this.captionerDir ? { captionerDir: this.captionerDir } : {}),
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
    // registered before the first await (the storage lookup is part of the work): a request arriving
    // while the lookup runs joins it instead of looking up, missing and computing a second time
    const work = (async () => {
      const stored = await this.storage.getHeatmapResult(key);
      if (stored) return { value: stored.value, computeMs: stored.computeMs, cached: true };
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
