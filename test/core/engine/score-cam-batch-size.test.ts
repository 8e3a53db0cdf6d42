// Score-CAM's batch size chosen per model (issue 17): the manifest names each model's measured best
// size (perturbationBatch), the engine uses it when no batch size is given and the caller's size
// when one is, the masked forwards come in runs of that size, and the maps are the same bits at any
// size. No timings here: test/bench/perturbation.bench.mjs measures which size is fastest.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_BATCH_SIZE, engineBatchSize, Explainer } from '../../../packages/core/src/engine.js';
import { findModel, parseManifest, validateSpec } from '../../../packages/core/src/model/manifest.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { parseExplainArgs } from '../../../packages/api/src/cli/args.js';
import { ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
const labelsOf = (spec: ModelSpec) => (Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8')));

/** The sizes of the masked forward runs of one Score-CAM explain. */
async function maskedRuns(engine: Explainer, x: Float32Array): Promise<{ sizes: number[]; maps: Float32Array[] }> {
  const sizes: number[] = [];
  const masked = engine.forwardMaskedInputs.bind(engine);
  engine.forwardMaskedInputs = (input, masks, n) => {
    sizes.push(n);
    return masked(input, masks, n);
  };
  const r = await engine.explain(x, { methods: ['scorecam'], topK: 2 });
  return { sizes, maps: r.maps.flatMap((m) => [m.raw.values, m.map.values]) };
}

describe('perturbation batch size per model', () => {
  it('engineBatchSize: the caller\'s size, else the model\'s, else DEFAULT_BATCH_SIZE', () => {
    expect(engineBatchSize({ perturbationBatch: 3 }, { batchSize: 5 })).toBe(5);
    expect(engineBatchSize({ perturbationBatch: 3 }, {})).toBe(3);
    expect(engineBatchSize({}, {})).toBe(DEFAULT_BATCH_SIZE);
    expect(engineBatchSize({}, { batchSize: 0 })).toBe(1);
  });

  it('the manifest names a measured size for SqueezeNet and ResNet-18; a bad one is refused', () => {
    for (const id of ['squeezenet1.0', 'resnet18']) {
      const b = findModel(manifest, id).perturbationBatch;
      expect(Number.isSafeInteger(b) && b! >= 1, `${id}: ${b}`).toBe(true);
    }
    const spec = findModel(manifest, 'squeezenet1.0');
    for (const bad of [0, 2.5, -1, '4']) {
      expect(() => validateSpec({ ...spec, perturbationBatch: bad as number })).toThrow(/perturbationBatch must be a positive integer/);
    }
  });

  it('the CLI leaves the size to the model unless --batch-size is given', () => {
    const plain = parseExplainArgs(['a.png']);
    const given = parseExplainArgs(['a.png', '--batch-size', '6']);
    expect(plain !== 'help' && plain.batchSize).toBeUndefined();
    expect(given !== 'help' && given.batchSize).toBe(6);
  });

  it.skipIf(!existsSync(resolve(cache, 'cifar10-tiny')))('the engine runs Score-CAM\'s masked forwards in runs of the model\'s size, or the caller\'s; same maps at each', async () => {
    const base = findModel(manifest, 'cifar10-tiny');
    const bytes = readFileSync(resolve(cache, base.file));
    const x = randn(3 * 32 * 32, rng(9), 1);
    const results: Float32Array[][] = [];
    for (const [spec, options, want] of [
      [{ ...base, perturbationBatch: 3 }, {}, 3],
      [{ ...base, perturbationBatch: 3 }, { batchSize: 5 }, 5],
      [{ ...base, perturbationBatch: undefined }, {}, DEFAULT_BATCH_SIZE],
      [{ ...base, perturbationBatch: 1 }, {}, 1],
    ] as [ModelSpec, { batchSize?: number }, number][]) {
      const engine = await Explainer.create(ort, bytes, spec, labelsOf(spec), options);
      try {
        expect(engine.batchSize).toBe(want);
        const { sizes, maps } = await maskedRuns(engine, x);
        expect(sizes.length).toBeGreaterThan(1);
        // every run full but the last (constant channels are skipped while a run fills)
        expect(sizes.slice(0, -1).every((n) => n === want)).toBe(true);
        expect(sizes.at(-1)!).toBeLessThanOrEqual(want);
        results.push(maps);
      } finally {
        await engine.release();
      }
    }
    for (const maps of results.slice(1)) maps.forEach((m, i) => expect(Array.from(m)).toEqual(Array.from(results[0][i])));
  });

  it.skipIf(!existsSync(resolve(cache, 'squeezenet1.0')))('SqueezeNet from the manifest: the engine takes its perturbationBatch', async () => {
    const spec = findModel(manifest, 'squeezenet1.0');
    const engine = await Explainer.create(ort, readFileSync(resolve(cache, spec.file)), spec, labelsOf(spec));
    try {
      expect(engine.batchSize).toBe(spec.perturbationBatch);
    } finally {
      await engine.release();
    }
  });
});
