// cam/pipeline.ts's postprocess as ONNX nodes, for K maps at once: raw = relu(cam) (NaN → 0);
// map = scale(relu(resize(scale(raw)))) (the second relu a no-op, see below) with scale(x) = (x − min)/(1e-7 + max(x − min)) per map,
// in float32 as the engine and numpy do. The resize is ONNX Resize with mode=linear and
// coordinate_transformation_mode=half_pixel: src = (dst + 0.5)·in/out − 0.5 clamped to the edge
// pixels, which is OpenCV's INTER_LINEAR (cam/resize.ts) for the upsampling from a layer to the input.
import type { FusedEmitter } from './ops.js';

const SCALE_EPS = 1e-7;

/** (x − min) / (1e-7 + (max − min)) over the last two axes of [K, h, w]. */
function minMaxScale(e: FusedEmitter, x: string): string {
  const min = e.reduce('ReduceMin', x, [1, 2], true);
  const shifted = e.op1('Sub', [x, min]);
  const range = e.reduce('ReduceMax', shifted, [1, 2], true);
  return e.op1('Div', [shifted, e.op1('Add', [range, e.scalar(SCALE_EPS)])]);
}

/** cam [K, h, w] → raw [K, h, w] (relu) and the final maps [K, H, W] in [0, 1]. */
export function postprocessCams(e: FusedEmitter, cam: string, K: number, H: number, W: number): { raw: string; map: string } {
  const zero = e.scalar(0);
  const raw = e.op1('Where', [e.op1('Greater', [cam, zero]), cam, zero]);
  const planes = e.op1('Unsqueeze', [minMaxScale(e, raw), e.constInt64([1])]); // [K, 1, h, w]
  const resized = e.op1('Resize', [planes, '', '', e.constInt64([K, 1, H, W])], {
    mode: 'linear', coordinate_transformation_mode: 'half_pixel',
  });
  // pytorch-grad-cam's relu after the resize is left out, as in cam/pipeline.ts: bilinear
  // interpolation of values ≥ 0 (convex combinations) stays ≥ 0, so it changes nothing
  const map = minMaxScale(e, e.op1('Reshape', [resized, e.constInt64([K, H, W])]));
  return { raw, map };
}
