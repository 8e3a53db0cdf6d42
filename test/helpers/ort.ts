// Test helpers: run ONNX models with onnxruntime-node and compare arrays.
import * as ort from 'onnxruntime-node';
import { encodeModel, type ModelProto } from '../../packages/core/src/onnx/proto.js';
import { rng } from './random.js';

// The tiny test models declare output shapes loosely; ONNX Runtime's shape warnings about them are noise.
ort.env.logLevel = 'error';

export { ort };

export async function session(model: ModelProto | Uint8Array): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
}

export async function run(
  s: ort.InferenceSession,
  feeds: Record<string, { data: Float32Array; dims: readonly number[] }>,
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data, v.dims);
  const out = await s.run(f);
  const r: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(out)) r[k] = { data: v.data as Float32Array, dims: v.dims };
  return r;
}

export { rng };

export function randn(n: number, r: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** max |a - b| / (atol + rtol * |b|) ≤ 1 ⇔ allclose. Returns the worst ratio. */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}
