// `saliency-explainer export-onnx`: one ONNX file that explains with no code of ours — the model's own
// input tensor in; the top-k classes, their softmax scores and the method's final maps out (core's
// fused graph, Explainer.exportOnnx). The file is loaded once by onnxruntime-node before it is written.
import * as ort from 'onnxruntime-node';
import { Explainer, ExplainError } from '@saliency-explainer/core';
import { EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { intFlag, parseFlags } from './flags.js';
import { loadFileModel, loadManifestModel } from '../models/loader.js';
import { writeOutputFile } from '../io/output-files.js';
import { DEFAULTS } from './settings.js';

/** Methods that fuse into one graph (core fused/methods.ts); the others need many runs or their own graphs. */
const FUSED = 'gradcam, hirescam, gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, eigengradcam';

export const EXPORT_ONNX_HELP = `export-onnx: saliency-explainer export-onnx -o FILE.onnx [options]
    Writes one ONNX file that any ONNX Runtime (Python, C#, Java, C++, the browser) runs with no code of
    ours: forward pass → top-k classes → head gradients for all k → the method's weights → resize and
    scaling as pytorch-grad-cam does, in one session run.
  -m, --model ID            model of models/manifest.json (default: the manifest's default)
      --model-file FILE     your own ONNX classifier instead, with
      --input-spec JSON|FILE  its input spec, as for explain (input name, size; optional where the graph
                            or a JSON file beside the model tells)
      --labels FILE         accepted as for explain; not needed (the file outputs class indices)
      --models-dir DIR      manifest and cache folder (default models/, env SALIENCY_MODELS_DIR)
      --method M            ${FUSED} (default gradcam); Score-CAM, Ablation-CAM and the
                            pixel attributions do not fuse into one graph
  -k, --top-k K             classes explained, the K most probable (default 1)
      --layer TENSOR        target layer (a 4-D tensor name; default: the model's)
      --target T            logit (default) or probability
      --eigen-smooth        project each weighted map on its first principal component
      --raw                 also output raw: relu(cam) at the layer's resolution
  -o, --out FILE.onnx       where to write the file (required)
      --json                print what was written as one JSON object
  The file's input is the model's own input tensor (float32 [1, C, H, W], normalised as the model
  expects); its outputs: classes int64 [K] (most probable first), scores float32 [K] (softmax),
  maps float32 [K, H, W] in [0, 1], and with --raw raw float32 [K, h, w].`;

const options = {
  model: { type: 'string', short: 'm' },
  'model-file': { type: 'string' },
  'input-spec': { type: 'string' },
  labels: { type: 'string' },
  'models-dir': { type: 'string' },
  method: { type: 'string' },
  'top-k': { type: 'string', short: 'k' },
  layer: { type: 'string' },
  target: { type: 'string' },
  'eigen-smooth': { type: 'boolean' },
  raw: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runExportOnnx(argv: string[], io: Output): Promise<ExitCode> {
  const parsed = parseFlags(argv, options);
  const v = parsed.values;
  if (v.help) {
    io.out(EXPORT_ONNX_HELP);
    return EXIT.OK;
  }
  if (parsed.positionals.length) throw usageError(`export-onnx takes no positional arguments (got '${parsed.positionals[0]}')`);
  if (!v.out) throw usageError('export-onnx needs -o FILE.onnx');
  if (v.model !== undefined && v['model-file'] !== undefined) throw usageError('--model and --model-file cannot be used together');
  const target = v.target ?? 'logit';
  if (target !== 'logit' && target !== 'probability') throw usageError(`--target must be 'logit' or 'probability', not '${target}'`);
  const topK = v['top-k'] === undefined ? 1 : intFlag('top-k', v['top-k'], 1);
  const method = v.method ?? 'gradcam';
  const model = v['model-file'] !== undefined
    // labels and spec may be left out where model-loader finds them (the file outputs class indices anyway)
    ? loadFileModel(v['model-file'], v.labels, v['input-spec'], (line) => io.err(line))
    : loadManifestModel(v['models-dir'] ?? DEFAULTS.modelsDir, v.model);
  let exported: ReturnType<typeof Explainer.exportOnnx>;
  try {
    exported = Explainer.exportOnnx(model.bytes, model.spec, { method, topK, layer: v.layer, target, eigenSmooth: v['eigen-smooth'] ?? false, raw: v.raw ?? false });
  } catch (e) {
    if (e instanceof ExplainError) {
      if (e.code === 'UNKNOWN_METHOD') throw usageError(e.message);
      throw inputError(e.code, e.message);
    }
    throw modelError('BAD_MODEL', `model '${model.spec.id}' cannot be exported: ${(e as Error).message}`);
  }
  try {
    const session = await ort.InferenceSession.create(exported.bytes);
    await session.release();
  } catch (e) {
    throw modelError('BAD_MODEL', `the fused graph of '${model.spec.id}' does not load in onnxruntime-node: ${(e as Error).message}`);
  }
  writeOutputFile(v.out, exported.bytes);
  const [, , H, W] = exported.inputShape;
  const [, , h, w] = exported.layerShape;
  const outputs = [
    { name: 'classes', type: 'int64', shape: [topK] },
    { name: 'scores', type: 'float32', shape: [topK] },
    { name: 'maps', type: 'float32', shape: [topK, H, W] },
    ...(v.raw ? [{ name: 'raw', type: 'float32', shape: [topK, h, w] }] : []),
  ];
  const description = {
    file: v.out, bytes: exported.bytes.length, model: model.spec.id, method: exported.method, layer: exported.layer, topK, target,
    eigenSmooth: v['eigen-smooth'] ?? false, input: { name: exported.input, type: 'float32', shape: exported.inputShape }, outputs,
  };
  if (v.json) {
    io.out(JSON.stringify(description));
  } else {
    io.out(`${v.out}: ${model.spec.id} ${exported.method} top-${topK} at ${exported.layer} (${(exported.bytes.length / 1e6).toFixed(1)} MB)`);
    io.out(`  input  ${exported.input} float32 [${exported.inputShape.join(', ')}]`);
    for (const o of outputs) io.out(`  output ${o.name} ${o.type} [${o.shape.join(', ')}]`);
  }
  return EXIT.OK;
}
