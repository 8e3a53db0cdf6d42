// Backward rule of Resize (nearest and linear, 4-D, resizing height and width only). Both modes are
// separable linear maps with static weights: y = R_h · x · R_wᵀ per channel, R [out, in] computed here
// with ONNX Runtime's sampling (coordinate transformation in float32, nearest_mode rounding and
// clamping, linear: the source coordinate clamped to [0, in − 1]), so dx = R_hᵀ · g · R_w is two
// MatMuls. Cubic and tf_crop_and_resize are refused.
import { attrString } from '../../onnx/proto.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, UnsupportedOpError } from '../types.js';

const f = Math.fround;

/** ONNX's coordinate transformation: output index → source coordinate (float32 as ORT computes it). */
function sourceCoordinate(mode: string, x: number, scale: number, inLen: number, outLen: number): number {
  switch (mode) {
    case 'half_pixel': return f(f(f(x + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel': return outLen > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'align_corners': return outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1));
    case 'asymmetric': return f(x / scale);
    case 'tf_half_pixel_for_nn': return f(f(x + 0.5) / scale);
    default: throw new Error(mode);
  }
}

function nearestIndex(rounding: string, v: number): number {
  switch (rounding) {
    case 'round_prefer_floor': return v === Math.trunc(v) + 0.5 ? Math.floor(v) : Math.sign(v) * Math.round(Math.abs(v));
    case 'round_prefer_ceil': return Math.sign(v) * Math.round(Math.abs(v));
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    default: throw new Error(rounding);
  }
}

/** The [outLen, inLen] sampling matrix of one axis, row-major. */
export function resizeMatrix(mode: 'nearest' | 'linear', transform: string, rounding: string, scale: number, inLen: number, outLen: number): Float32Array {
  const m = new Float32Array(outLen * inLen);
  for (let o = 0; o < outLen; o++) {
    const src = sourceCoordinate(transform, o, scale, inLen, outLen);
    if (mode === 'nearest') {
      const i = Math.min(Math.max(nearestIndex(rounding, src), 0), inLen - 1);
      m[o * inLen + i] = 1;
    } else {
      const s = Math.min(Math.max(src, 0), inLen - 1);
      const i0 = Math.floor(s);
      const i1 = Math.min(i0 + 1, inLen - 1);
      const w1 = f(s - i0);
      m[o * inLen + i0] += f(1 - w1);
      m[o * inLen + i1] += w1;
    }
  }
  return m;
}

export const Resize: BackwardRule = (ctx) => {
  const e = ctx.emit;
  const describe = GraphIndex.describe(ctx.node);
  const mode = attrString(ctx.node, 'mode', 'nearest');
  const transform = attrString(ctx.node, 'coordinate_transformation_mode', 'half_pixel');
  const rounding = attrString(ctx.node, 'nearest_mode', 'round_prefer_floor');
  if (mode !== 'nearest' && mode !== 'linear') throw new UnsupportedOpError('Resize', describe, `mode '${mode}'`);
  if (!['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'].includes(transform)) {
    throw new UnsupportedOpError('Resize', describe, `coordinate_transformation_mode '${transform}'`);
  }
  if (!['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'].includes(rounding)) throw new UnsupportedOpError('Resize', describe, `nearest_mode '${rounding}'`);
  const xs = ctx.shape(ctx.inputs[0]);
  const ys = ctx.shape(ctx.outputs[0]);
  if (xs.length !== 4) throw new UnsupportedOpError('Resize', describe, 'only 4-D (N, C, H, W) inputs');
  if (xs[0] !== ys[0] || xs[1] !== ys[1]) throw new UnsupportedOpError('Resize', describe, 'it resizes the batch or channel dimension');
  // the scales the coordinate transformation divides by: the given ones, else output / input sizes
  const given = ctx.inputs[2] ? ctx.constant(ctx.inputs[2]) : undefined;
  if (ctx.inputs[2] && !given) throw new UnsupportedOpError('Resize', describe, 'scales must be constant');
  const scales = given && given.values.length ? Array.from(given.values, (v) => f(v)) : xs.map((d, i) => f(ys[i] / d));
  const [, , H, W] = xs;
  const [, , Ho, Wo] = ys;
  const rh = resizeMatrix(mode, transform, rounding, scales[2], H, Ho);
  const rw = resizeMatrix(mode, transform, rounding, scales[3], W, Wo);
  const rhT = new Float32Array(H * Ho);
  for (let o = 0; o < Ho; o++) for (let i = 0; i < H; i++) rhT[i * Ho + o] = rh[o * H + i];
  const alongW = e.op1('MatMul', [ctx.gradOutputs[0]!, e.constFloat(rw, [Wo, W])]);
  return [e.op1('MatMul', [e.constFloat(rhT, [H, Ho]), alongW]), ...ctx.inputs.slice(1).map(() => null)];
};
