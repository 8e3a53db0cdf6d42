// Tiny ONNX classifiers built in tests: input x [N, C, H, W] → the ops under test → Flatten → Gemm
// → logits [N, classes]. The batch is symbolic so finite differences run as one batch.
import { DataType, encodeModel, makeFloatTensor, makeInt64Tensor, makeNode, makeValueInfo, type AttrValue, type ModelProto, type NodeProto, type TensorProto } from '../../packages/core/src/onnx/proto.js';
import { ort, rng, randn } from './ort.js';

export class TinyBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private n = 0;
  readonly random: () => number;

  constructor(seed = 1) {
    this.random = rng(seed);
  }

  /** A float initializer, random normal × scale unless values are given. */
  weight(dims: number[], scale = 0.5, values?: number[]): string {
    const name = `w${this.n++}`;
    const count = dims.reduce((a, b) => a * b, 1);
    this.initializers.push(makeFloatTensor(name, dims, values ?? randn(count, this.random, scale)));
    return name;
  }

  ints(values: number[]): string {
    const name = `i${this.n++}`;
    this.initializers.push(makeInt64Tensor(name, [values.length], values));
    return name;
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string {
    const outs = Array.from({ length: outputs }, () => `t${this.n++}`);
    this.nodes.push(makeNode(opType, inputs, outs, attrs, `${opType.toLowerCase()}_${this.n}`));
    return outs[0];
  }
}

export interface TinyModel {
  model: ModelProto;
  bytes: Uint8Array;
  inputShape: number[];
  classes: number;
}

function graphModel(b: TinyBuilder, input: number[], output: string, outputDims: (number | string)[] | null, opset: number): ModelProto {
  const out = outputDims ? makeValueInfo(output, DataType.FLOAT, outputDims) : { name: output, type: { tensorType: { elemType: DataType.FLOAT } } };
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'tiny',
      node: b.nodes,
      initializer: b.initializers,
      input: [makeValueInfo('x', DataType.FLOAT, ['N', ...input])],
      output: [out],
    },
  };
}

/**
 * Build a classifier around `body` (which maps 'x' to a tensor of any rank ≥ 2). The size of the
 * flattened body output is found by running it once.
 */
export async function tinyClassifier(input: number[], body: (b: TinyBuilder, x: string) => string,
  opts: { classes?: number; opset?: number; seed?: number } = {}): Promise<TinyModel> {
  const classes = opts.classes ?? 3;
  const opset = opts.opset ?? 17;
  const probe = new TinyBuilder(opts.seed ?? 1);
  const probeOut = body(probe, 'x');
  const s = await ort.InferenceSession.create(encodeModel(graphModel(probe, input, probeOut, null, opset)));
  const n = input.reduce((a, b) => a * b, 1);
  const res = await s.run({ x: new ort.Tensor('float32', new Float32Array(n), [1, ...input]) });
  const features = res[probeOut].dims.slice(1).reduce((a, b) => a * b, 1);
  await s.release();

  const b = new TinyBuilder(opts.seed ?? 1);
  const y = body(b, 'x');
  const flat = b.op('Flatten', [y], { axis: 1 });
  const W = b.weight([classes, features], 1 / Math.sqrt(features));
  const B = b.weight([classes], 0.1);
  b.nodes.push(makeNode('Gemm', [flat, W, B], ['logits'], { transB: 1 }, 'classifier'));
  const model = graphModel(b, input, 'logits', ['N', classes], opset);
  return { model, bytes: encodeModel(model), inputShape: [1, ...input], classes };
}
