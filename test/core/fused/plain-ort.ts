// Run an exported fused file the way a user does: plain onnxruntime-node, InferenceSession.create on
// the file with ONNX Runtime's defaults (no project code between the file and the numbers), and
// compare its outputs with the engine's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { ExplainResult } from '../../../packages/core/src/explain-types.js';

ort.env.logLevel = 'error';

const dir = mkdtempSync(join(tmpdir(), 'fused-export-'));
let files = 0;

export interface PlainOutputs {
  classes: number[];
  scores: Float32Array;
  maps: Float32Array;
  mapDims: readonly number[];
  raw?: Float32Array;
  rawDims?: readonly number[];
}

/** Write `bytes` to a file, load it with plain onnxruntime-node and run it on `input` [1, C, H, W]. */
export async function runExported(bytes: Uint8Array, inputName: string, input: Float32Array, inputShape: readonly number[]): Promise<PlainOutputs> {
  const file = join(dir, `model-${files++}.onnx`);
  writeFileSync(file, bytes);
  const session = await ort.InferenceSession.create(file);
  try {
    expect([...session.inputNames]).toEqual([inputName]);
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, inputShape) });
    expect(out.classes.type).toBe('int64');
    expect(out.scores.type).toBe('float32');
    return {
      classes: Array.from(out.classes.data as BigInt64Array, Number),
      scores: out.scores.data as Float32Array,
      maps: out.maps.data as Float32Array,
      mapDims: out.maps.dims,
      ...(out.raw ? { raw: out.raw.data as Float32Array, rawDims: out.raw.dims } : {}),
    };
  } finally {
    await session.release();
  }
}

/** max |a − b| */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/**
 * The exported file's outputs against the engine's result for the same method and classes: classes
 * and their order equal, scores to 1e-6, final maps to `mapTol` (absolute, maps are in [0, 1]), raw
 * maps to `rawTol` (default `mapTol`) relative to the largest raw value.
 */
export function expectSameAsEngine(got: PlainOutputs, r: ExplainResult, method: string, mapTol = 1e-5, rawTol = mapTol): { worstMap: number; worstRaw: number } {
  const K = got.classes.length;
  expect(got.classes).toEqual(r.predictions.slice(0, K).map((p) => p.index));
  got.classes.forEach((c, k) => expect(Math.abs(got.scores[k] - r.probabilities[c])).toBeLessThanOrEqual(1e-6 * Math.max(1, r.probabilities[c])));
  let worstMap = 0;
  let worstRaw = 0;
  got.classes.forEach((c, k) => {
    const m = r.maps.find((q) => q.method === method && q.classIndex === c)!;
    expect(m, `${method} ${c}`).toBeDefined();
    const HW = m.map.width * m.map.height;
    expect(got.mapDims).toEqual([K, m.map.height, m.map.width]);
    const maps = got.maps.subarray(k * HW, (k + 1) * HW);
    for (const v of maps) expect(v >= 0 && v <= 1).toBe(true);
    worstMap = Math.max(worstMap, maxAbsDiff(maps, m.map.values));
    if (got.raw) {
      const hw = m.raw.width * m.raw.height;
      expect(got.rawDims).toEqual([K, m.raw.height, m.raw.width]);
      const top = Math.max(...m.raw.values, 1e-30);
      worstRaw = Math.max(worstRaw, maxAbsDiff(got.raw.subarray(k * hw, (k + 1) * hw), m.raw.values) / top);
    }
  });
  expect(worstMap, `${method}: final maps`).toBeLessThanOrEqual(mapTol);
  expect(worstRaw, `${method}: raw maps (relative to their maximum)`).toBeLessThanOrEqual(rawTol);
  return { worstMap, worstRaw };
}
