// An Explainer around a tiny hand-made classifier: x [1, 3, H, W] → body → 'feat' (the target layer)
// → Flatten → Gemm(W, b) → logits, with W and b given, so attributions have closed forms.
import { makeFloatTensor, makeNode, type NodeProto, type TensorProto } from '../../../packages/core/src/onnx/proto.js';
import { Explainer } from '../../../packages/core/src/engine.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { tinyModel } from '../../helpers/tiny-models.js';
import { encodeModel } from '../../../packages/core/src/onnx/proto.js';
import { ort } from '../../helpers/ort.js';

export interface TinyEngineSpec {
  height: number;
  width: number;
  /** The op between x and 'feat': 'Identity' (a linear model) or 'Relu'. */
  body: 'Identity' | 'Relu';
  /** [classes, 3·H·W] row-major. */
  weights: number[][];
  bias: number[];
  batchSize?: number;
}

export async function tinyEngine(t: TinyEngineSpec): Promise<Explainer> {
  const classes = t.weights.length;
  const features = 3 * t.height * t.width;
  const nodes: NodeProto[] = [
    makeNode(t.body, ['x'], ['feat'], {}, 'body'),
    makeNode('Flatten', ['feat'], ['flat'], { axis: 1 }, 'flatten'),
    makeNode('Gemm', ['flat', 'W', 'b'], ['logits'], { transB: 1 }, 'classifier'),
  ];
  const initializers: TensorProto[] = [makeFloatTensor('W', [classes, features], t.weights.flat()), makeFloatTensor('b', [classes], t.bias)];
  const model = tinyModel({ input: [1, 3, t.height, t.width], nodes, initializers, output: 'logits', outputDims: ['N', classes] });
  const spec: ModelSpec = {
    id: 'tiny', task: 'classification', file: 'tiny.onnx', labels: [], targetLayer: 'feat',
    input: { name: 'x', height: t.height, width: t.width, layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' },
    output: { name: 'logits', kind: 'logits' },
  };
  const labels = Array.from({ length: classes }, (_, i) => `class ${i}`);
  return Explainer.create(ort, encodeModel(model), spec, labels, { batchSize: t.batchSize ?? 16 });
}
