// Collects the nodes and constants of a backward graph under fresh, collision-free names.
import { type NodeProto, type TensorProto, type AttrValue, makeFloatTensor, makeInt64Tensor, makeNode } from '../onnx/proto.js';
import type { GradEmitter } from './types.js';

export class GraphEmitter implements GradEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;

  constructor(private readonly prefix = 'grad') {}

  fresh(hint: string): string {
    return `__${this.prefix}/${hint}_${this.counter++}`;
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, nOutputs = 1): string[] {
    const outs = Array.from({ length: nOutputs }, () => this.fresh(opType));
    this.nodes.push(makeNode(opType, inputs, outs, attrs, this.fresh(`${opType}_node`)));
    return outs;
  }

  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    return this.op(opType, inputs, attrs, 1)[0];
  }

  constFloat(values: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.fresh('constf');
    this.initializers.push(makeFloatTensor(name, dims, values));
    return name;
  }

  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('consti');
    this.initializers.push(makeInt64Tensor(name, dims, values));
    return name;
  }
}
