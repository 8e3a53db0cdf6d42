// Backward rule of Conv w.r.t. its input: ConvTranspose with the same weights, strides,
// dilations, pads and groups; output_padding restores the exact input size.
import { attrInt } from '../../onnx/proto.js';
import { windowGeometry } from '../../onnx/shapes.js';
import { GraphIndex } from '../../onnx/graph.js';
import { type BackwardRule, UnsupportedOpError } from '../types.js';

export const Conv: BackwardRule = (ctx) => {
  const [x, w] = ctx.inputs;
  const describe = GraphIndex.describe(ctx.node);
  if (ctx.needsGrad[1] || ctx.needsGrad[2]) {
    throw new UnsupportedOpError('Conv', describe, 'weights or bias that depend on the input are not supported');
  }
  if (!ctx.needsGrad[0]) return [null, null, null];
  const xs = ctx.shape(x);
  const ws = ctx.shape(w);
  const geo = windowGeometry(ctx.node, xs, ws.slice(2));
  const r = xs.length - 2;
  const outputPadding = xs.slice(2).map((size, i) => {
    const eff = (geo.kernel[i] - 1) * geo.dilations[i] + 1;
    return size - ((geo.outSpatial[i] - 1) * geo.strides[i] + eff - geo.pads[i] - geo.pads[i + r]);
  });
  if (outputPadding.some((p, i) => p < 0 || p >= Math.max(geo.strides[i], geo.dilations[i]))) {
    throw new UnsupportedOpError('Conv', describe, `cannot invert the geometry (output padding ${outputPadding})`);
  }
  const dx = ctx.emit.op1('ConvTranspose', [ctx.gradOutputs[0]!, w], {
    kernel_shape: geo.kernel,
    strides: geo.strides,
    dilations: geo.dilations,
    pads: geo.pads,
    group: attrInt(ctx.node, 'group', 1),
    output_padding: outputPadding.some((p) => p > 0) ? outputPadding : undefined,
  });
  return [dx, null, null];
};
