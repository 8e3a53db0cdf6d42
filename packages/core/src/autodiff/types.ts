// The contract between the gradient compiler and the per-op backward rules.
//
// Batch convention: forward tensors have a leading batch dim B (1 in head-gradient models);
// gradient tensors have a leading dim K, one row per seed (requested class), with B = 1 or
// B = K. Rules broadcast forward tensors against gradients along dim 0 (ONNX elementwise
// broadcasting does it) and never hard-code K: reshapes keep dim 0 with -1.
import type { NodeProto, AttrValue } from '../onnx/proto.js';

export interface GradEmitter {
  /** Add a backward node; returns its (fresh) output names. */
  op(opType: string, inputs: string[], attrs?: Record<string, AttrValue | undefined>, nOutputs?: number): string[];
  /** Same, for a node with one output. */
  op1(opType: string, inputs: string[], attrs?: Record<string, AttrValue | undefined>): string;
  constFloat(values: ArrayLike<number>, dims: readonly number[]): string;
  constInt64(values: readonly number[], dims?: readonly number[]): string;
}

export interface BackwardContext {
  node: NodeProto;
  /** Forward input / output names (usable as inputs of backward nodes). */
  inputs: string[];
  outputs: string[];
  /** Gradient w.r.t. each output ([K, ...]); null where none flows. */
  gradOutputs: (string | null)[];
  /** Which inputs need a gradient (they depend on the differentiation source). */
  needsGrad: boolean[];
  /** Static shape of a forward tensor (batch B). */
  shape(name: string): number[];
  /** Value of a constant tensor (initializer / Constant), else undefined. */
  constant(name: string): { dims: number[]; values: Float64Array } | undefined;
  emit: GradEmitter;
}

/** Returns the gradient w.r.t. each input (null where not needed or not defined). */
export type BackwardRule = (ctx: BackwardContext) => (string | null)[];

export class UnsupportedOpError extends Error {
  constructor(readonly opType: string, readonly nodeName: string, detail = '') {
    super(`no backward rule for op ${opType} at node ${nodeName}${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
  }
}
