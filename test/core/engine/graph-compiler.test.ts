// EngineOptions.compiler (issue 17, item 5: the widget compiles the engine's graphs in a Web Worker):
// an engine whose every graph request and result goes through structuredClone — what crossing to a
// worker does — and whose compile errors cross as GraphErrorWire gives the same bits as the engine
// that compiles in place, for fused and unfused CAMs, Score-CAM, the gathered head gradient, a pixel
// attribution and the logits; every session it creates is made from bytes the compiler returned.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyseModel, Explainer, ExplainError } from '../../../packages/core/src/engine.js';
import {
  compileGraph, graphBytes, graphErrorFromWire, graphErrorToWire, type GraphCompiler, type GraphKind,
} from '../../../packages/core/src/engine-graphs.js';
import type { ExplainResult } from '../../../packages/core/src/explain-types.js';
import type { OrtRuntime } from '../../../packages/core/src/runtime.js';
import { findModel, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import { DataType } from '../../../packages/core/src/onnx/proto.js';
import { ort, randn, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const cache = resolve(root, 'models/cache');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
const spec = findModel(manifest, 'squeezenet1.0');
/** 16 channels: Score-CAM's 16 masks in runs of 4 (batchSize). */
const SMALL_LAYER = 'fire2/squeeze1x1_2';

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** Predictions, probabilities and every map of a result, as exact bits. */
function fingerprint(r: ExplainResult) {
  return {
    layer: r.layer,
    predictions: r.predictions.map((p) => [p.index, p.label, bits(Float32Array.of(p.score))]),
    probabilities: bits(r.probabilities),
    maps: r.maps.map((m) => ({
      method: m.method, classIndex: m.classIndex, label: m.label,
      raw: bits(m.raw.values), map: bits(m.map.values), ...(m.attribution ? { attribution: bits(m.attribution.values) } : {}),
    })),
  };
}

describe.skipIf(!existsSync(resolve(cache, spec.file)))('an engine given a graph compiler (structured clones, as a worker gets)', () => {
  const bytes = new Uint8Array(readFileSync(resolve(cache, spec.file)));
  const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(resolve(cache, spec.labels), 'utf8'));
  const x = randn(3 * 224 * 224, rng(17), 1);
  /** What the compiler was asked, in order, and what it answered null to. */
  const asked: GraphKind[] = [];
  const nulls: GraphKind[] = [];
  /** The byte arrays the compiler returned, and the models the engine made sessions of. */
  const compiled = new Set<Uint8Array>();
  const sessionModels: Uint8Array[] = [];
  let inPlace: Explainer;
  let viaCompiler: Explainer;

  beforeAll(async () => {
    // the compiler's own analysis of the model, as the widget's worker builds it
    const analysis = analyseModel(bytes, spec);
    const compiler: GraphCompiler = async (request) => {
      asked.push(request.kind);
      let result;
      try {
        result = structuredClone(compileGraph(analysis, structuredClone(request)));
      } catch (e) {
        throw graphErrorFromWire(structuredClone(graphErrorToWire(e)));
      }
      if (result === null) nulls.push(request.kind);
      for (const b of graphBytes(result)) compiled.add(b);
      return result;
    };
    const counting: OrtRuntime = {
      Tensor: ort.Tensor as unknown as OrtRuntime['Tensor'],
      InferenceSession: {
        create: (model, options) => {
          sessionModels.push(model);
          return (ort as unknown as OrtRuntime).InferenceSession.create(model, options);
        },
      },
    };
    inPlace = await Explainer.create(ort, bytes, spec, labels, { batchSize: 4 });
    viaCompiler = await Explainer.create(counting, bytes, spec, labels, { batchSize: 4, compiler });
  });
  afterAll(async () => {
    await inPlace?.release();
    await viaCompiler?.release();
  });

  const same = async (options: Parameters<Explainer['explain']>[1]) => {
    const want = fingerprint(await inPlace.explain(x, options));
    const got = fingerprint(await viaCompiler.explain(x, options));
    expect(got).toEqual(want);
    return got;
  };

  it('creates the default layer’s graphs through the compiler', () => {
    expect(asked).toEqual(['layer']);
    expect(sessionModels.length).toBe(3);
  });

  it('Grad-CAM top 5 (the fused graph): the same bits', async () => {
    const r = await same({ methods: ['gradcam'], topK: 5 });
    expect(r.maps.length).toBe(5);
    expect(asked.at(-1)).toBe('fused');
  });

  it('EigenCAM (fused, top 2): the same bits', async () => {
    await same({ methods: ['eigencam'], topK: 2 });
    expect(asked.at(-1)).toBe('fused');
  });

  it('Score-CAM with Grad-CAM at a 16-channel layer (layer graphs, gathered head gradient, masked forward): the same bits', async () => {
    const before = asked.length;
    const r = await same({ methods: ['gradcam', 'scorecam'], topK: 2, layer: SMALL_LAYER });
    expect(r.layer).toBe(SMALL_LAYER);
    expect(asked.slice(before)).toEqual(['layer', 'gathered', 'masked']);
  });

  it('a pixel attribution (input gradient, probability target) and the predictions (logits): the same bits', async () => {
    const before = asked.length;
    await same({ methods: ['saliency'], topK: 2, target: 'probability' });
    expect(Array.from(await viaCompiler.predict(x))).toEqual(Array.from(await inPlace.predict(x)));
    expect(asked.slice(before)).toEqual(['input-gradient', 'logits']);
  });

  it('a fused plan that does not fuse is null, and the unfused path answers with the same bits', async () => {
    const before = asked.length;
    await same({ methods: ['gradcam', 'gradcam'], topK: 1 });
    expect(asked.slice(before)).toEqual(['fused', 'gathered']);
    expect(nulls).toEqual(['fused']);
  });

  it('a layer the model does not have: the same BAD_LAYER ExplainError, across the wire', async () => {
    const want = await inPlace.explain(x, { methods: ['gradcam'], layer: 'no/such/layer' }).catch((e: unknown) => e);
    const got = await viaCompiler.explain(x, { methods: ['gradcam'], layer: 'no/such/layer' }).catch((e: unknown) => e);
    expect(want).toBeInstanceOf(ExplainError);
    expect(got).toBeInstanceOf(ExplainError);
    expect([(got as ExplainError).code, (got as ExplainError).message]).toEqual([(want as ExplainError).code, (want as ExplainError).message]);
    expect((got as ExplainError).code).toBe('BAD_LAYER');
  });

  it('its own analysis keeps the fp16 weights uncast (shapes and names only), and cannot compile', () => {
    const fp16 = (e: Explainer) => (e.analysis.model.graph!.initializer ?? []).filter((t) => t.dataType === DataType.FLOAT16).length;
    expect(inPlace.analysis.weights).toBe(true);
    expect(fp16(inPlace)).toBe(0);
    expect(viaCompiler.analysis.weights).toBe(false);
    expect(fp16(viaCompiler)).toBeGreaterThan(0); // model-fp16.onnx: every weight
    expect(viaCompiler.analysis.inputShape).toEqual(inPlace.analysis.inputShape);
    expect([...viaCompiler.analysis.shapes]).toEqual([...inPlace.analysis.shapes]);
    expect(viaCompiler.analysis.candidateLayers()).toEqual(inPlace.analysis.candidateLayers());
    expect(() => compileGraph(viaCompiler.analysis, { kind: 'logits' })).toThrow('weights: false');
  });

  it('every session was made from bytes the compiler returned (nothing compiled in place)', () => {
    expect(sessionModels.length).toBeGreaterThan(0);
    expect(sessionModels.every((m) => compiled.has(m))).toBe(true);
    expect(sessionModels.length).toBe(compiled.size);
  });
});
