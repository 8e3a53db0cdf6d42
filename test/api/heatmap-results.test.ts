// HeatmapResults on its own: concurrent requests for one result share one storage lookup and one
// computation, whatever the timing — the second request arrives while the first is still looking in
// storage (the race a slow database opens), and it must join, not compute again.
import { describe, it, expect } from 'vitest';
import { HeatmapResults, type MeasureRunner } from '../../packages/api/src/compute/heatmap-results.js';
import type { ExplanationRecord, HeatmapRecord, Storage } from '../../packages/api/src/storage/types.js';

/** A promise the test resolves. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

describe('HeatmapResults', () => {
  it('shares one lookup and one computation among requests that arrive during the lookup', async () => {
    const lookup = gate();
    let lookups = 0;
    const saved: unknown[] = [];
    const storage = {
      getHeatmapResult: async () => {
        lookups++;
        await lookup.promise; // the database is slow
        return saved.length ? { value: saved[0], computeMs: 1 } : null;
      },
      saveHeatmapResult: async (r: { value: unknown; computeMs: number }) => {
        saved.push(r.value);
        return r;
      },
      getImageBytes: async () => new Uint8Array([1, 2, 3]),
    } as unknown as Storage;
    let measured = 0;
    const engine: MeasureRunner = { measure: async () => ({ auc: ++measured }) };
    const results = new HeatmapResults(storage, engine, () => 224);
    const heatmap = { method: 'gradcam', classIndex: 1, label: 'x', score: 0.5, width: 1, height: 1, raw: new Float32Array([1]) } as HeatmapRecord;
    const explanation = { id: 'e1', modelId: 'm', imageId: 'i', heatmaps: [heatmap] } as unknown as ExplanationRecord;

    const a = results.faithfulness('c', explanation, heatmap, { seed: 0 });
    const b = results.faithfulness('c', explanation, heatmap, { seed: 0 }); // while a is looking up
    lookup.open();
    const [ra, rb] = await Promise.all([a, b]);
    expect([lookups, measured, saved.length]).toEqual([1, 1, 1]);
    expect([ra.cached, rb.cached]).toEqual([false, true]);
    expect(ra.value).toEqual(rb.value);
    // once done, a later request reads it back from storage
    const rc = await results.faithfulness('c', explanation, heatmap, { seed: 0 });
    expect([rc.cached, lookups, measured]).toEqual([true, 2, 1]);
  });
});
