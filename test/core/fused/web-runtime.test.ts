// The exported fused file runs in ONNX Runtime Web's wasm backend too (what the widget and a browser
// page use; here in Node, one thread), Loop and float64 projection included, with the maps of the
// Node engine's unfused path to 1e-5; and the engine handed onnxruntime-web takes its fused path.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { Explainer } from '../../../packages/core/src/engine.js';
import type { OrtRuntime } from '../../../packages/core/src/runtime.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { ort, randn, rng } from '../../helpers/ort.js';
import { maxAbsDiff } from './plain-ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');

describe.skipIf(!existsSync(resolve(cache, 'squeezenet1.0')))('fused SqueezeNet in onnxruntime-web (wasm)', () => {
  let spec: ModelSpec;
  let labels: string[];
  let bytes: Uint8Array;
  let node: Explainer;
  const x = randn(3 * 224 * 224, rng(17), 40);
  beforeAll(async () => {
    ortWeb.env.wasm.numThreads = 1;
    const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
    spec = findModel(manifest, 'squeezenet1.0');
    labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    bytes = readFileSync(resolve(cache, spec.file));
    node = await Explainer.create(ort, bytes, spec, labels, { fused: false });
  });
  afterAll(() => node?.release());

  it('the exported file (Grad-CAM++, EigenCAM top-3) gives the Node engine\'s classes and maps', async () => {
    for (const method of ['gradcam++', 'eigencam']) {
      const exported = Explainer.exportOnnx(bytes, spec, { method, topK: 3 });
      const session = await ortWeb.InferenceSession.create(exported.bytes, { executionProviders: ['wasm'] });
      const out = await session.run({ data_0: new ortWeb.Tensor('float32', x, [1, 3, 224, 224]) });
      await session.release();
      const r = await node.explain(x, { methods: [method], topK: 3 });
      expect(Array.from(out.classes.data as BigInt64Array, Number)).toEqual(r.predictions.map((p) => p.index));
      r.maps.forEach((m, k) => expect(maxAbsDiff((out.maps.data as Float32Array).subarray(k * 50176, (k + 1) * 50176), m.map.values)).toBeLessThanOrEqual(1e-5));
    }
  });

  it('the engine on onnxruntime-web runs the fused graph, with the same maps', async () => {
    const web = await Explainer.create(ortWeb as unknown as OrtRuntime, bytes, spec, labels);
    try {
      const r = await web.explain(x, { methods: ['gradcam'], topK: 2 });
      const sessions = (web as unknown as { fusedSessions: Map<string, { ready: Promise<unknown> }> }).fusedSessions;
      expect(sessions.size).toBe(1);
      expect(await [...sessions.values()][0].ready).not.toBeNull();
      const ref = await node.explain(x, { methods: ['gradcam'], topK: 2 });
      expect(r.predictions.map((p) => p.index)).toEqual(ref.predictions.map((p) => p.index));
      r.maps.forEach((m, k) => expect(maxAbsDiff(m.map.values, ref.maps[k].map.values)).toBeLessThanOrEqual(1e-5));
    } finally {
      await web.release();
    }
  });
});
