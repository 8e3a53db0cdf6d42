// The fused graph's parts on their own, in ONNX Runtime: the half-pixel linear Resize against
// hand-worked OpenCV INTER_LINEAR values, the whole postprocessing against the engine's
// cam/pipeline.ts postprocess, and the ONNX first-principal-component projection (float64 Gram
// squaring in a Loop) against cam/projection.ts on random tensors, a near-degenerate spectrum and zeros.
import { describe, it, expect } from 'vitest';
import { DataType, encodeModel, makeValueInfo, onnx } from '../../../packages/core/src/onnx/proto.js';
import { FusedEmitter } from '../../../packages/core/src/fused/ops.js';
import { postprocessCams } from '../../../packages/core/src/fused/postprocess.js';
import { project2d as onnxProject2d } from '../../../packages/core/src/fused/projection.js';
import { postprocess } from '../../../packages/core/src/cam/pipeline.js';
import { project2d } from '../../../packages/core/src/cam/projection.js';
import { ort, randn, rng } from '../../helpers/ort.js';
import { maxAbsDiff } from './plain-ort.js';

/** A one-input graph built by `body` from input 'in' [dims]; runs it and returns its named outputs. */
async function runPart(dims: number[], data: Float32Array, body: (e: FusedEmitter) => Record<string, { name: string; dims: number[] }>) {
  const e = new FusedEmitter(17);
  const outs = body(e);
  const nodes = [...e.nodes, ...Object.entries(outs).map(([k, o]) => ({ opType: 'Identity', input: [o.name], output: [k], name: `out_${k}` }))];
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'part', node: nodes, initializer: e.initializers, input: [makeValueInfo('in', DataType.FLOAT, dims)],
      output: Object.entries(outs).map(([k, o]) => makeValueInfo(k, DataType.FLOAT, o.dims)),
    },
  });
  const s = await ort.InferenceSession.create(encodeModel(model));
  const r = await s.run({ in: new ort.Tensor('float32', data, dims) });
  await s.release();
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
}

describe('ONNX Resize (linear, half_pixel) is OpenCV INTER_LINEAR for upsampling', () => {
  const resize = (inDims: number[], outDims: number[], values: number[]) => runPart(inDims, Float32Array.from(values), (e) => ({
    y: { name: e.op1('Resize', ['in', '', '', e.constInt64(outDims)], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }), dims: outDims },
  }));
  it('2 → 4: src = (d + .5)/2 − .5 = −.25, .25, .75, 1.25 → clamped, ¼, ¾, clamped', async () => {
    expect(Array.from((await resize([1, 1, 1, 2], [1, 1, 1, 4], [0, 8])).y)).toEqual([0, 2, 6, 8]);
  });
  it('2×2 → 3×3: src = −1/6 → 0, .5, 7/6 → 1 per axis', async () => {
    const y = (await resize([1, 1, 2, 2], [1, 1, 3, 3], [0, 6, 12, 18])).y;
    expect(maxAbsDiff(y, [0, 3, 6, 6, 9, 12, 12, 15, 18])).toBeLessThanOrEqual(1e-5);
  });
});

describe('fused postprocessing equals cam/pipeline.ts postprocess', () => {
  const cases: [number, number, number, number, number][] = [
    // K, h, w, H, W
    [3, 13, 13, 224, 224], [2, 7, 7, 224, 224], [2, 10, 14, 20, 28], [1, 2, 2, 4, 4], [2, 5, 6, 3, 4],
  ];
  for (const [K, h, w, H, W] of cases) {
    it(`${K} maps ${h}×${w} → ${H}×${W}`, async () => {
      const cams = randn(K * h * w, rng(h * w + K));
      if (K > 1) cams.fill(2.5, h * w, 2 * h * w); // a constant map scales to zeros, not NaN
      const out = await runPart([K, h, w], cams, (e) => {
        const { raw, map } = postprocessCams(e, 'in', K, H, W);
        return { raw: { name: raw, dims: [K, h, w] }, map: { name: map, dims: [K, H, W] } };
      });
      for (let k = 0; k < K; k++) {
        const ref = postprocess(cams.slice(k * h * w, (k + 1) * h * w), h, w, H, W);
        expect(maxAbsDiff(out.raw.subarray(k * h * w, (k + 1) * h * w), ref.raw.values)).toBe(0);
        expect(maxAbsDiff(out.map.subarray(k * H * W, (k + 1) * H * W), ref.map.values)).toBeLessThanOrEqual(2e-6);
      }
    });
  }
  it('NaN in a cam becomes 0 as in the engine', async () => {
    const cam = Float32Array.from([NaN, 1, 2, 3]);
    const out = await runPart([1, 2, 2], cam, (e) => ({ raw: { name: postprocessCams(e, 'in', 1, 4, 4).raw, dims: [1, 2, 2] } }));
    expect(Array.from(out.raw)).toEqual([0, 1, 2, 3]);
  });
});

describe('ONNX first principal component equals cam/projection.ts', () => {
  const check = async (B: number, C: number, h: number, w: number, data: Float32Array) => {
    const out = await runPart([B, C, h, w], data, (e) => ({ p: { name: onnxProject2d(e, 'in', B, C, h, w), dims: [B, h, w] } }));
    const P = h * w;
    for (let b = 0; b < B; b++) {
      const ref = project2d(data.subarray(b * C * P, (b + 1) * C * P), C, P);
      const top = Math.max(...ref.map(Math.abs), 1e-30);
      expect(maxAbsDiff(out.p.subarray(b * P, (b + 1) * P), ref) / top).toBeLessThanOrEqual(1e-6);
    }
    return out.p;
  };
  it('positions ≤ channels (the h·w Gram matrix), batch of 3', async () => {
    await check(3, 40, 4, 5, randn(3 * 40 * 20, rng(1)));
  });
  it('positions > channels (the C Gram matrix)', async () => {
    await check(2, 6, 7, 9, randn(2 * 6 * 63, rng(2)));
  });
  it('two nearly equal components (weights 1 and 0.999) still converge', async () => {
    const C = 12, P = 16;
    const r = rng(3);
    const u1 = randn(P, r), u2 = randn(P, r), v1 = randn(C, r), v2 = randn(C, r), noise = randn(C * P, r, 1e-3);
    const data = new Float32Array(C * P);
    for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) data[c * P + p] = u1[p] * v1[c] + 0.999 * u2[p] * v2[c] + noise[c * P + p];
    await check(1, C, 4, 4, data);
  });
  it('an all-zero tensor projects to zeros', async () => {
    const p = await check(1, 4, 3, 3, new Float32Array(36));
    expect(Array.from(p).every((v) => v === 0)).toBe(true);
  });
});
