// Exported fused files of tiny classifiers built here, run by plain onnxruntime-node, against the
// engine's unfused path (to 1e-5): a non-square input and layer, a skip connection that the head
// reads besides the layer (a side tensor), a final Softmax (logits found before it), a head whose
// last channel mixer gathers class rows and one that does not (a temperature after the Gemm: the
// one-hot seeds go through the whole head), and probability targets.
import { describe, it, expect } from 'vitest';
import { Explainer } from '../../../packages/core/src/engine.js';
import { encodeModel, makeNode } from '../../../packages/core/src/onnx/proto.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { FUSED_METHODS } from '../../../packages/core/src/fused/methods.js';
import { TinyBuilder, tinyModel } from '../../helpers/tiny-models.js';
import { ort, randn, rng } from '../../helpers/ort.js';
import { expectSameAsEngine, runExported } from './plain-ort.js';

const H = 20;
const W = 28;
const CLASSES = 7;

/** x [1,3,20,28] → conv → relu → maxpool → conv → relu = feat [1,8,10,14]; head: relu(feat + skip) → GAP → Gemm (→ /T) → softmax. */
function tinyBytes(temperature: boolean): Uint8Array {
  const b = new TinyBuilder(11);
  const c1 = b.op('Relu', [b.op('Conv', ['x', b.weight([6, 3, 3, 3], 0.4), b.weight([6], 0.1)], { pads: [1, 1, 1, 1] })]);
  const pooled = b.op('MaxPool', [c1], { kernel_shape: [2, 2], strides: [2, 2] });
  b.nodes.push(makeNode('Conv', [pooled, b.weight([8, 6, 3, 3], 0.3), b.weight([8], 0.1)], ['pre'], { pads: [1, 1, 1, 1] }, 'conv2'));
  b.nodes.push(makeNode('Relu', ['pre'], ['feat'], {}, 'relu2'));
  const skip = b.op('Conv', [pooled, b.weight([8, 6, 1, 1], 0.3)]);
  const joined = b.op('Relu', [b.op('Add', ['feat', skip])]);
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [joined])], { axis: 1 });
  let logits = b.op('Gemm', [flat, b.weight([CLASSES, 8], 0.8), b.weight([CLASSES], 0.2)], { transB: 1 });
  if (temperature) logits = b.op('Div', [logits, b.scalar(0.7)]);
  b.nodes.push(makeNode('Softmax', [logits], ['probs'], { axis: -1 }, 'softmax'));
  return encodeModel(tinyModel({ input: [1, 3, H, W], nodes: b.nodes, initializers: b.initializers, output: 'probs', outputDims: ['N', CLASSES] }));
}

const spec: ModelSpec = {
  id: 'tiny', task: 'classification', file: 'tiny.onnx', labels: [], targetLayer: 'feat',
  input: { name: 'x', height: H, width: W, layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' },
  output: { name: 'probs', kind: 'softmax' },
};
const labels = Array.from({ length: CLASSES }, (_, i) => `class ${i}`);

describe('exported fused tiny classifiers in plain onnxruntime-node', () => {
  for (const temperature of [false, true]) {
    for (const target of ['logit', 'probability'] as const) {
      it(`every fused method, top-3, ${target} targets, ${temperature ? 'temperature after the Gemm' : 'Gemm last'}`, async () => {
        const bytes = tinyBytes(temperature);
        const engine = await Explainer.create(ort, bytes, spec, labels, { fused: false });
        try {
          for (const seed of [1, 2]) {
            const x = randn(3 * H * W, rng(seed));
            for (const method of FUSED_METHODS) {
              const exported = Explainer.exportOnnx(bytes, spec, { method, topK: 3, target, raw: true });
              expect(exported.layerShape).toEqual([1, 8, 10, 14]);
              expect(exported.gathered).toBe(method !== 'eigencam' && target === 'logit' && !temperature);
              const got = await runExported(exported.bytes, 'x', x, [1, 3, H, W]);
              const r = await engine.explain(x, { methods: [method], topK: 3, target });
              // probability seeds p_c(1 − p_c) of a confident class cancel in float32 (p = 0.985 leaves
              // 1 − p with ~4e-6 relative error on either side), which Grad-CAM++'s α (cubic in the
              // gradient) carries into the raw scale: raw to 1e-4 there; the final maps stay at 1e-5
              expectSameAsEngine(got, r, method, 1e-5, target === 'probability' ? 1e-4 : 1e-5);
            }
          }
        } finally {
          await engine.release();
        }
      });
    }
  }

  it('eigen smoothing fuses too (the weighted tensor projected on its first principal component)', async () => {
    const bytes = tinyBytes(false);
    const engine = await Explainer.create(ort, bytes, spec, labels, { fused: false });
    try {
      const x = randn(3 * H * W, rng(5));
      for (const method of ['gradcam', 'layercam', 'gradcam++']) {
        const exported = Explainer.exportOnnx(bytes, spec, { method, topK: 2, eigenSmooth: true, raw: true });
        const got = await runExported(exported.bytes, 'x', x, [1, 3, H, W]);
        expectSameAsEngine(got, await engine.explain(x, { methods: [method], topK: 2, eigenSmooth: true }), method);
      }
    } finally {
      await engine.release();
    }
  });
});
