// The slice of the ONNX Runtime JavaScript API the engine uses. onnxruntime-node and
// onnxruntime-web both satisfy it, so core never imports a runtime itself.
import type { InferenceSession, Tensor } from 'onnxruntime-common';

export interface OrtRuntime {
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
  };
}

export type { InferenceSession, Tensor };

/** Run a session on float32 feeds; returns the float32 outputs with their dims. */
export async function runSession(
  ort: OrtRuntime,
  session: InferenceSession,
  feeds: Record<string, { data: Float32Array; dims: readonly number[] }>,
  outputs?: readonly string[],
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const f: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data, v.dims);
  const res = outputs ? await session.run(f, outputs) : await session.run(f);
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(res)) {
    if (v.type !== 'float32') throw new Error(`output '${k}' is ${v.type}, expected float32`);
    out[k] = { data: v.data as Float32Array, dims: v.dims };
  }
  return out;
}
