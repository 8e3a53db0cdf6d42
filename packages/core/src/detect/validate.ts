// Checks of a detector's manifest entry (the `detectors` list of models/manifest.json): the fields
// the letterbox, the decoder and NMS rely on, with messages that say which field is wrong.
import type { DetectorSpec } from '../model/spec.js';

function fail(where: string, what: string): never {
  throw new Error(`manifest: ${where}: ${what}`);
}

/** Returns the spec unchanged when it can be used; throws an Error naming the bad field otherwise. */
export function validateDetectorSpec(d: DetectorSpec, where = d?.id ?? '?'): DetectorSpec {
  if (!d || typeof d !== 'object') fail(where, 'not an object');
  if (!d.id) fail(where, 'id is missing');
  if (d.task !== 'detection') fail(where, "task must be 'detection'");
  if (!d.file) fail(where, 'file is missing');
  if (!d.labels) fail(where, 'labels are missing');
  const i = d.input;
  if (!i?.name) fail(where, 'input.name is missing');
  if (!(Number.isInteger(i.height) && Number.isInteger(i.width) && i.height > 0 && i.width > 0)) fail(where, 'input.height and input.width must be positive integers');
  if (i.layout !== 'NCHW') fail(where, "input.layout must be 'NCHW'");
  if (i.channelOrder !== 'RGB' && i.channelOrder !== 'BGR') fail(where, "input.channelOrder must be 'RGB' or 'BGR'");
  if (!(i.mean?.length === 3 && i.std?.length === 3)) fail(where, 'input.mean and input.std need 3 values');
  if (i.std.some((s) => s === 0)) fail(where, 'input.std must not contain 0');
  if (!(typeof i.scale === 'number' && i.scale > 0)) fail(where, 'input.scale must be a positive number');
  if (i.resize !== 'letterbox') fail(where, "input.resize must be 'letterbox'");
  if (!(i.padValue >= 0 && i.padValue <= 255)) fail(where, 'input.padValue must be in 0..255');
  const o = d.output;
  if (!o?.name) fail(where, 'output.name is missing');
  if (o.decode !== 'yolox') fail(where, "output.decode must be 'yolox'");
  if (!(Array.isArray(o.strides) && o.strides.length > 0 && o.strides.every((s) => Number.isInteger(s) && s > 0))) {
    fail(where, 'output.strides must be positive integers');
  }
  if (d.layers !== undefined && !(Array.isArray(d.layers) && d.layers.length === o.strides.length && d.layers.every((l) => typeof l === 'string' && l))) {
    fail(where, 'layers must name one tensor per stride');
  }
  for (const [k, v] of [['scoreThreshold', d.scoreThreshold], ['nmsThreshold', d.nmsThreshold]] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1)) fail(where, `${k} must be in [0, 1]`);
  }
  return d;
}
