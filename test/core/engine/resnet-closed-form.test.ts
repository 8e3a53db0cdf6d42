// The whole engine on the ResNet-18 fixture, whose head (ReLU → global average pool → Gemm) makes
// several CAM methods closed-form in the fc weights W and the activations A: an independent check
// of gradients, targets and method formulas together on a real network.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Explainer } from '../../../packages/core/src/engine.js';
import { GraphIndex } from '../../../packages/core/src/onnx/graph.js';
import { buildForwardModel } from '../../../packages/core/src/autodiff/compile.js';
import { softmax } from '../../../packages/core/src/cam/targets.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { ort, session, run, rng, randn } from '../../helpers/ort.js';
import { expectClose } from '../cam/context.js';

const shared = resolve(__dirname, '../../../../shared/models');
const file = resolve(shared, 'fixtures/resnet18.onnx');
const LAYER = '/layer4/layer4.1/relu_1/Relu_output_0';
const spec: ModelSpec = {
  id: 'resnet18', task: 'classification', file: 'fixtures/resnet18.onnx', labels: [],
  input: { name: 'input', height: 224, width: 224, layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'stretch' },
  output: { name: 'logits', kind: 'logits' },
};

describe.skipIf(!existsSync(file))('engine on ResNet-18 (closed forms of a GAP-linear head)', () => {
  let explainer: Explainer;
  let W: Float64Array; // [1000, 512]
  let A: Float32Array; // [512, 7, 7]
  let logits: Float32Array;
  const x = randn(3 * 224 * 224, rng(3), 1);
  const C = 512;
  const hw = 49;

  beforeAll(async () => {
    const bytes = readFileSync(file);
    const labels = Array.from({ length: 1000 }, (_, i) => `class ${i}`);
    explainer = await Explainer.create(ort, bytes, spec, labels, { batchSize: 64 });
    W = new GraphIndex(explainer.analysis.model.graph!).constantValue('fc.weight')!.values;
    const fwd = await session(buildForwardModel(explainer.analysis, [LAYER]));
    const out = await run(fwd, { input: { data: x, dims: [1, 3, 224, 224] } });
    A = out[LAYER].data;
    logits = out.logits.data;
  });
  afterAll(() => explainer?.release());

  /** relu(Σ_c w_c A_c) */
  const camOf = (w: (c: number) => number) => {
    const cam = new Float64Array(hw);
    for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) cam[p] += w(c) * A[c * hw + p];
    return Array.from(cam, (v) => Math.max(v, 0));
  };
  const mean = (c: number) => { let s = 0; for (let p = 0; p < hw; p++) s += A[c * hw + p]; return s / hw; };
  const scale = (v: ArrayLike<number>) => { const m = Math.max(...Array.from(v)); return Array.from(v, (q) => q / m); };

  it('Grad-CAM, HiResCAM and XGrad-CAM of a logit are relu(Σ_c W_kc/hw · A_c)', async () => {
    const r = await explainer.explain(x, { methods: ['gradcam', 'hirescam', 'xgradcam'], topK: 3 });
    expect(r.layer).toBe(LAYER);
    expect(r.maps).toHaveLength(9);
    for (const m of r.maps) {
      const k = m.classIndex;
      const expected = camOf((c) => W[k * C + c] / hw);
      expect([m.raw.width, m.raw.height]).toEqual([7, 7]);
      // relative to the map's peak: the three methods agree up to float32 rounding and XGrad-CAM's 1e-7
      expectClose(scale(m.raw.values), scale(expected), 2e-4);
    }
  });

  it('probability targets use d softmax_k / d z = p_k (e_k − p)', async () => {
    const p = softmax(logits);
    const k = 17;
    const r = await explainer.explain(x, { methods: ['gradcam'], classes: [k], target: 'probability' });
    const expected = camOf((c) => {
      let wbar = 0;
      for (let j = 0; j < 1000; j++) wbar += p[j] * W[j * C + c];
      return (p[k] * (W[k * C + c] - wbar)) / hw;
    });
    if (Math.max(...expected) > 0) expectClose(scale(r.maps[0].raw.values), scale(expected), 1e-3);
  });

  it('Ablation-CAM weights are W_kc·mean(A_c) / logit_k (ablated channels are 0 after ReLU)', async () => {
    const r = await explainer.explain(x, { methods: ['ablationcam'], classes: [5, 400] });
    for (const m of r.maps) {
      const k = m.classIndex;
      const expected = camOf((c) => (W[k * C + c] * mean(c)) / logits[k]);
      expectClose(m.raw.values, expected, 2e-3 * Math.max(...expected, 1e-6));
    }
  });

  it('Grad-CAM top-k equals one class at a time (one head-gradient run for all k)', async () => {
    const all = await explainer.explain(x, { methods: ['gradcam'], topK: 4 });
    for (const m of all.maps) {
      const one = await explainer.explain(x, { methods: ['gradcam'], classes: [m.classIndex] });
      expectClose(m.raw.values, one.maps[0].raw.values, 1e-5);
    }
  });

  it('every method gives finite maps of the right sizes, final maps scaled to [0, 1]', async () => {
    const r = await explainer.explain(x, { methods: ['gradcam', 'hirescam', 'gradcam-elementwise', 'gradcam++', 'xgradcam', 'layercam', 'eigencam', 'eigengradcam'], topK: 2 });
    expect(r.predictions).toHaveLength(2);
    expect(r.inputShape).toEqual([1, 3, 224, 224]);
    for (const m of r.maps) {
      expect(m.raw.values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect([m.map.width, m.map.height]).toEqual([224, 224]);
      const mx = Math.max(...m.map.values);
      expect(Math.min(...m.map.values)).toBe(0);
      if (Math.max(...m.raw.values) > 0) expect(mx).toBeCloseTo(1, 5);
    }
  });

  it('rejects a bad layer, class, method or input with typed errors', async () => {
    await expect(explainer.explain(x, { layer: 'nope' })).rejects.toMatchObject({ code: 'BAD_LAYER' });
    await expect(explainer.explain(x, { classes: [1000] })).rejects.toMatchObject({ code: 'BAD_CLASS' });
    await expect(explainer.explain(x, { topK: 0 })).rejects.toMatchObject({ code: 'BAD_CLASS' });
    await expect(explainer.explain(x, { methods: ['occlusion'] })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(explainer.explain(new Float32Array(10))).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
