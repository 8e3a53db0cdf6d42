// Graph-building helpers of the fused explain graph: a GraphEmitter that knows the opset (ReduceMean,
// ReduceMax and ReduceMin take their axes as an attribute before opset 18 and as an input from 18 on;
// ReduceSum from 13 on), float64 constants, and sub-graph (Loop body) attributes.
import { GraphEmitter } from '../autodiff/emitter.js';
import { type AttributeProto, type GraphProto, type NodeProto, type TensorProto, AttrType, DataType } from '../onnx/proto.js';

export function makeDoubleTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = Float64Array.from(values as ArrayLike<number>);
  return { name, dims: [...dims], dataType: DataType.DOUBLE, rawData: new Uint8Array(data.buffer) };
}

export class FusedEmitter extends GraphEmitter {
  constructor(readonly opset: number, prefix = 'fused') {
    super(prefix);
  }

  /** ReduceSum / ReduceMean / ReduceMax / ReduceMin over `axes`, in this opset's form. */
  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', x: string, axes: number[], keepdims: boolean): string {
    const inputForm = op === 'ReduceSum' || this.opset >= 18;
    return inputForm
      ? this.op1(op, [x, this.constInt64(axes)], { keepdims: keepdims ? 1 : 0 })
      : this.op1(op, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  constDouble(values: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.fresh('constd');
    this.initializers.push(makeDoubleTensor(name, dims, values));
    return name;
  }

  /** A scalar float constant. */
  scalar(v: number): string {
    return this.constFloat([v], []);
  }

  /** A node with a graph attribute (Loop's body); returns its outputs. */
  opWithGraph(opType: string, inputs: string[], attrName: string, graph: GraphProto, nOutputs: number): string[] {
    const outs = Array.from({ length: nOutputs }, () => this.fresh(opType));
    const attribute: AttributeProto[] = [{ name: attrName, type: AttrType.GRAPH, g: graph }];
    const node: NodeProto = { opType, input: inputs, output: outs, attribute, name: this.fresh(`${opType}_node`), domain: '' };
    this.nodes.push(node);
    return outs;
  }
}
