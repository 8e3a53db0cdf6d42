// A hand-made CamContext for method tests: given activations, gradients and a JS "model".
import type { CamContext, CamTarget } from '../../../packages/core/src/cam/types.js';

export interface FakeContextInit {
  /** [C][h·w] */
  activations: number[][];
  height: number;
  width: number;
  /** per target: [C][h·w] */
  gradients?: number[][][];
  targets: CamTarget[];
  numClasses?: number;
  /** the input [ch][H·W] and its size */
  input?: { channels: number[][]; height: number; width: number };
  /** logits of one input [ch·H·W] */
  modelOnInput?: (x: Float32Array) => number[];
  /** logits of one activation tensor [C·h·w] */
  modelOnActivations?: (a: Float32Array) => number[];
  batchSize?: number;
  eigenSmooth?: boolean;
}

export function fakeContext(init: FakeContextInit): CamContext & { calls: number[] } {
  const C = init.activations.length;
  const hw = init.height * init.width;
  const numClasses = init.numClasses ?? 2;
  const input = init.input ?? { channels: [[0]], height: 1, width: 1 };
  const inputData = Float32Array.from(input.channels.flat());
  const actData = Float32Array.from(init.activations.flat());
  const calls: number[] = [];
  const batched = (fn: ((x: Float32Array) => number[]) | undefined, size: number) => async (batch: Float32Array, n: number) => {
    if (!fn) throw new Error('no model given');
    if (batch.length !== n * size) throw new Error(`batch of ${n} has ${batch.length} values`);
    calls.push(n);
    const out = new Float32Array(n * numClasses);
    for (let i = 0; i < n; i++) out.set(fn(batch.subarray(i * size, (i + 1) * size)), i * numClasses);
    return out;
  };
  const logits = init.modelOnActivations ? Float32Array.from(init.modelOnActivations(actData))
    : init.modelOnInput ? Float32Array.from(init.modelOnInput(inputData)) : new Float32Array(numClasses);
  return {
    activations: { data: actData, channels: C, height: init.height, width: init.width },
    gradients: init.gradients ? Float32Array.from(init.gradients.flat(2)) : undefined,
    targets: init.targets,
    input: inputData,
    inputDims: [1, input.channels.length, input.height, input.width],
    logits,
    numClasses,
    forwardInputs: batched(init.modelOnInput, inputData.length),
    forwardActivations: batched(init.modelOnActivations, actData.length),
    batchSize: init.batchSize ?? 16,
    eigenSmooth: init.eigenSmooth ?? false,
    calls,
  };
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`[${i}] ${actual[i]} ≠ ${expected[i]} (tol ${tol}); got [${Array.from(actual).join(', ')}]`);
    }
  }
}
