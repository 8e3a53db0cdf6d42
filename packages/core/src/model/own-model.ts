// A user's own ONNX classifier: its spec completed from what the graph says, read from any of the
// JSON forms this project writes (a flat input spec, a models/manifest.json entry, a
// ../shared/models/*/model.json description), with an error that lists what is still missing.
//
// From the graph: the input's name (the only non-weight input) and its size [1, 3, H, W] (when the
// dims are numbers), the output's name (the only output), and whether it is a Softmax (the logits
// are then the Softmax's input: ModelAnalysis finds them). Never from the graph, because an ONNX file
// does not record them: how pixels become the input (channel order, scale, mean, std) and the labels.
import { decodeModel, valueInfoDims, type ModelProto } from '../onnx/proto.js';
import type { ChannelOrder, InputSpec, ModelSpec, OutputSpec } from './spec.js';
import { validateSpec } from './manifest.js';

export class ModelSpecError extends Error {
  constructor(message: string, readonly missing: string[] = []) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

/** What the JSON said, in the manifest's field names; anything left undefined was not given. */
export interface PartialModelSpec {
  id?: string;
  input: Partial<InputSpec>;
  output: Partial<OutputSpec>;
  /** Labels themselves, or a path / URL of a one-label-a-line file (as the JSON wrote it). */
  labels?: string | string[];
  targetLayer?: string;
  layers?: string[];
}

/** The graph's facts the spec can be completed from. */
export interface GraphFacts {
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  /** Output name → true when it comes out of a Softmax (through Reshape/Flatten/Identity/Squeeze). */
  softmax: Map<string, boolean>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function triple(v: unknown, what: string): [number, number, number] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return [v, v, v];
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as [number, number, number];
  throw new ModelSpecError(`${what} must be 3 numbers (one per channel, in the model's channel order), not ${JSON.stringify(v)}`);
}

/** "0-255" → 1, "0-1" → 1/255; "pixel/255" → 1/255; numbers as they are. */
function scaleOf(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.replace(/\s+/g, '').toLowerCase();
    if (/^(0-255|0\.\.255|\[0,255\]|pixel|1)$/.test(s)) return 1;
    if (/^(0-1|0\.\.1|\[0,1\]|pixel\/255|1\/255|x\/255)$/.test(s)) return 1 / 255;
  }
  throw new ModelSpecError(`${what} must be a number (1 for 0..255 pixels, 1/255 for 0..1) or "0-255" / "0-1", not ${JSON.stringify(v)}`);
}

function channelOrderOf(v: unknown): ChannelOrder | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).replace(/[\s,]/g, '').toUpperCase();
  if (s === 'RGB' || s === 'BGR') return s;
  throw new ModelSpecError(`channelOrder must be "RGB" or "BGR", not ${JSON.stringify(v)}`);
}

/** A target layer from the shared model.json forms: {onnx_tensor} or [{name}, …]. */
function layerOf(v: Record<string, unknown>): { targetLayer?: string; layers?: string[] } {
  if (str(v.targetLayer)) return { targetLayer: v.targetLayer as string, layers: Array.isArray(v.layers) ? (v.layers as string[]) : undefined };
  if (isObject(v.target_layer) && str(v.target_layer.onnx_tensor)) return { targetLayer: v.target_layer.onnx_tensor as string };
  if (Array.isArray(v.target_layers)) {
    const names = v.target_layers.map((l) => (isObject(l) ? str(l.name) ?? str(l.onnx_tensor) : undefined)).filter((s): s is string => !!s);
    if (names.length) return { targetLayer: names[0], layers: names };
  }
  return {};
}

/**
 * Reads a spec in any of the project's forms:
 * - a flat input spec: {"name"?, "height"?, "width"?, "channelOrder", "scale", "mean", "std", "resize"?,
 *   "outputName"?, "labels"?, "targetLayer"?} (what --input-spec documented);
 * - a models/manifest.json entry: {"id", "input": {…}, "output": {…}, "labels", "targetLayer", …};
 * - a ../shared/models/…/model.json: {"input": {"name", "shape", "channel_order", "range" | "scale",
 *   "mean", "std"}, "output": {"name", "is"}, "logits_tensor", "target_layer(s)", "labels"}.
 * Field names of both spellings are read everywhere (channelOrder / channel_order).
 */
export function readModelSpecJson(raw: unknown): PartialModelSpec {
  if (!isObject(raw)) throw new ModelSpecError('the model spec must be a JSON object');
  if (Array.isArray(raw.models)) {
    throw new ModelSpecError('this is a whole manifest (it lists "models"): give one of its entries, or use --model ID --models-dir DIR');
  }
  // "input": "data" / "output": "prob" name the tensors of a flat spec
  const inObj = isObject(raw.input) ? raw.input : typeof raw.input === 'string' ? { ...raw, name: raw.input } : raw;
  const outObj = isObject(raw.output) ? raw.output : typeof raw.output === 'string' ? { name: raw.output } : undefined;
  const shape = Array.isArray(inObj.shape) ? inObj.shape : undefined;
  const layout = str(inObj.layout);
  if (layout && layout.toUpperCase() !== 'NCHW') throw new ModelSpecError(`input layout ${layout} is not supported: the model must take NCHW input ([1, 3, H, W])`);
  const resize = str(inObj.resize);
  const input: Partial<InputSpec> = {
    name: str(inObj.name),
    height: num(inObj.height) ?? (shape && typeof shape[2] === 'number' ? (shape[2] as number) : undefined),
    width: num(inObj.width) ?? (shape && typeof shape[3] === 'number' ? (shape[3] as number) : undefined),
    layout: 'NCHW',
    channelOrder: channelOrderOf(inObj.channelOrder ?? inObj.channel_order),
    scale: inObj.scale !== undefined ? scaleOf(inObj.scale, 'scale') : scaleOf(inObj.range, 'range'),
    mean: triple(inObj.mean, 'mean'),
    // the shared descriptions write "std": null for "no division"
    std: inObj.std === null && 'std' in inObj ? [1, 1, 1] : triple(inObj.std, 'std'),
    // the shared descriptions' "resize" is prose ("shorter side to 256, centre crop 224 (…)"): only the manifest's words count
    resize: resize === 'stretch' || resize === 'shorter-crop' ? resize : undefined,
    resizeShorter: num(inObj.resizeShorter),
  };
  const kindText = outObj ? (str(outObj.kind) ?? str(outObj.is)) : undefined;
  let kind: OutputSpec['kind'] | undefined;
  if (kindText !== undefined) {
    const k = kindText.toLowerCase();
    // "softmax probabilities, NOT logits" / "logits (no softmax)": whichever the text starts with
    if (/^(softmax|prob)/.test(k)) kind = 'softmax';
    else if (/^logit/.test(k)) kind = 'logits';
    else throw new ModelSpecError(`output.kind must be "logits" or "softmax", not ${JSON.stringify(kindText)}`);
  }
  const output: Partial<OutputSpec> = {
    name: (outObj ? str(outObj.name) : undefined) ?? str(raw.outputName),
    kind,
    logits: (outObj ? str(outObj.logits) : undefined) ?? (isObject(raw.logits_tensor) ? str(raw.logits_tensor.name) : undefined) ?? str(raw.logits),
  };
  let labels: string | string[] | undefined;
  if (Array.isArray(raw.labels)) labels = raw.labels.map(String);
  else if (str(raw.labels)) labels = raw.labels as string;
  return { id: str(raw.id), input, output, labels, ...layerOf(raw) };
}

/** The graph's inputs, outputs and final Softmaxes, read from the ONNX file without analysing it. */
export function graphFacts(model: Uint8Array | ModelProto): GraphFacts {
  const m = model instanceof Uint8Array ? decodeModel(model) : model;
  const g = m.graph;
  if (!g) throw new ModelSpecError('the ONNX file has no graph');
  const weights = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const producer = new Map<string, { opType: string; input: string[] }>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, { opType: n.opType ?? '', input: n.input ?? [] });
  const softmax = new Map<string, boolean>();
  for (const o of g.output ?? []) {
    let t = o.name ?? '';
    let found = false;
    for (let p = producer.get(t); p; p = producer.get(t)) {
      if (p.opType === 'Softmax') {
        found = true;
        break;
      }
      if (!['Reshape', 'Flatten', 'Identity', 'Squeeze'].includes(p.opType)) break;
      t = p.input[0];
    }
    softmax.set(o.name ?? '', found);
  }
  return {
    inputs: (g.input ?? []).filter((v) => !weights.has(v.name ?? '')).map((v) => ({ name: v.name ?? '', dims: valueInfoDims(v) ?? [] })),
    outputs: (g.output ?? []).map((v) => ({ name: v.name ?? '', dims: valueInfoDims(v) ?? [] })),
    softmax,
  };
}

/** What no ONNX graph records and the spec must say: channel order, scale, mean, std (one line each; empty: all there). */
export function missingPreprocessing(given: PartialModelSpec): string[] {
  const input = given.input;
  const missing: string[] = [];
  if (!input.channelOrder) missing.push('channelOrder: "RGB" or "BGR" (the channel order the model was trained on)');
  if (input.scale === undefined) missing.push('scale: 0.00392156862745098 (1/255) for a model trained on 0..1 pixels, 1 for 0..255 (or "range": "0-1" / "0-255")');
  if (!input.mean) missing.push('mean: 3 numbers subtracted after scaling, in the channel order ([0, 0, 0] for none)');
  if (!input.std) missing.push('std: 3 numbers divided by after the mean ([1, 1, 1] for none)');
  return missing;
}

/** The error for a spec missing `missing` (lines of missingPreprocessing or completeModelSpec). */
export function missingError(missing: string[]): ModelSpecError {
  return new ModelSpecError(`the model spec is missing what the ONNX graph cannot tell:\n  - ${missing.join('\n  - ')}\n  e.g. torchvision's ImageNet models: ${PREPROCESSING_EXAMPLE}`, missing);
}

const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
const dimsText = (dims: (number | string)[]) => `[${dims.map((d) => (typeof d === 'number' ? d : `'${d}'`)).join(', ')}]`;

export const PREPROCESSING_EXAMPLE = '{"channelOrder":"RGB","scale":0.00392156862745098,"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]}';

/**
 * The full spec of a user's model: `given` (readModelSpecJson) completed from the graph, checked
 * against it, and validated. `base` gives the id, file and labels when the JSON does not. Throws a
 * ModelSpecError naming every missing field and what to write for it.
 */
export function completeModelSpec(given: PartialModelSpec, model: Uint8Array | ModelProto, base: { id: string; file: string; labels?: string | string[] }): ModelSpec {
  const facts = graphFacts(model);
  const missing: string[] = [];
  const problems: string[] = [];
  const input = { ...given.input };

  // input name and size
  if (!input.name) {
    if (facts.inputs.length === 1) input.name = facts.inputs[0].name;
    else if (facts.inputs.length === 0) problems.push('the graph has no input');
    else missing.push(`input name: the graph has ${facts.inputs.length} inputs (${list(facts.inputs.map((i) => i.name))}); say which with "name"`);
  }
  const graphInput = facts.inputs.find((i) => i.name === input.name);
  if (input.name && !graphInput) problems.push(`input '${input.name}' is not an input of the graph (its inputs: ${list(facts.inputs.map((i) => i.name))})`);
  if (graphInput) {
    const d = graphInput.dims;
    if (d.length !== 4) problems.push(`input '${graphInput.name}' has shape ${dimsText(d)}: only NCHW image input [1, 3, H, W] is supported`);
    else {
      if (typeof d[1] === 'number' && d[1] !== 3) problems.push(`input '${graphInput.name}' has shape ${dimsText(d)}: ${d[1]} channels, not 3 (NCHW RGB/BGR; an NHWC model is not supported)`);
      for (const [k, axis] of [[2, 'height'], [3, 'width']] as const) {
        const fixed = typeof d[k] === 'number' && (d[k] as number) > 0 ? (d[k] as number) : undefined;
        if (input[axis] === undefined) {
          if (fixed) input[axis] = fixed;
          else missing.push(`${axis}: the graph's input '${graphInput.name}' has shape ${dimsText(d)}, its ${axis} is not fixed; give "${axis}" (the size the model was trained at)`);
        } else if (fixed && input[axis] !== fixed) {
          problems.push(`"${axis}": ${input[axis]} does not match the graph's input '${graphInput.name}' ${dimsText(d)}`);
        }
      }
    }
  }

  // output name and kind
  const output = { ...given.output };
  if (!output.name) {
    if (facts.outputs.length === 1) output.name = facts.outputs[0].name;
    else missing.push(`output name: the graph has ${facts.outputs.length} outputs (${list(facts.outputs.map((o) => o.name))}); say which carries the class scores with "output": {"name": …}`);
  } else if (!facts.outputs.some((o) => o.name === output.name)) {
    problems.push(`output '${output.name}' is not an output of the graph (its outputs: ${list(facts.outputs.map((o) => o.name))})`);
  }
  if (output.name && !output.kind) output.kind = facts.softmax.get(output.name) ? 'softmax' : 'logits';

  // what the graph cannot tell
  missing.push(...missingPreprocessing(given));

  if (problems.length) throw new ModelSpecError(problems.join('; '), missing);
  if (missing.length) throw missingError(missing);
  const spec: ModelSpec = {
    id: given.id ?? base.id,
    task: 'classification',
    file: base.file,
    labels: given.labels ?? base.labels ?? [],
    input: { ...input, layout: 'NCHW', resize: input.resize ?? 'stretch' } as InputSpec,
    output: output as OutputSpec,
    ...(given.targetLayer ? { targetLayer: given.targetLayer } : {}),
    ...(given.layers ? { layers: given.layers } : {}),
  };
  // labels are checked by their caller (a file to read, or numbers to make)
  try {
    validateSpec({ ...spec, labels: spec.labels.length ? spec.labels : ['?'] }, 'model spec');
  } catch (e) {
    throw new ModelSpecError((e as Error).message.replace(/^manifest: /, ''));
  }
  return spec;
}

/** Labels "class 0" … "class n-1", for a model given without labels. */
export function indexLabels(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `class ${i}`);
}
