// Command-line parsing and validation for `saliency-explainer explain` (node:util parseArgs).
import { camMethods, COLORMAPS, type ColormapName, type TargetKind } from '@saliency-explainer/core';
import { usageError } from '../errors.js';
import { intFlag, listFlag, parseFlags } from './flags.js';
import { DEFAULTS } from './settings.js';
import { parsePixelArgs, pixelFlags, type PixelArgs } from './pixel-maps.js';

export interface ExplainArgs {
  inputs: string[];
  model?: string;
  modelFile?: string;
  labels?: string;
  inputSpec?: string;
  modelsDir: string;
  methods: string[];
  topK?: number;
  classes?: number[];
  layer?: string;
  target: TargetKind;
  colormap: ColormapName;
  imageWeight: number;
  outDir: string;
  overlays: boolean;
  /**
   * Where overlays and map files are drawn: 'image' (default) on the photo at its own size and aspect
   * (core mapToImage undoes the model's resize), 'model' on the model's input frame (e.g. 224×224).
   */
  frame: 'image' | 'model';
  json: boolean;
  inputTensor: boolean;
  /** --batch-size; when absent the engine takes the model's measured size (core engineBatchSize). */
  batchSize?: number;
  maxImageBytes: number;
  maxImagePixels: number;
  progress: boolean;
  /** Also caption each map (core/caption; loads the manifest's object detector). */
  caption: boolean;
  /** With --caption: a free-text captioner's folder (an ONNX VisionEncoderDecoder export) describing each map's crop. */
  captioner?: string;
  /** Also measure each map's faithfulness (core/faithfulness). */
  faithfulness: boolean;
  /** Pixel attributions: IG / SmoothGrad options and how their overlays are drawn. */
  pixels: PixelArgs;
  /** Detectors: the boxes to explain (numbers as printed, or 'all'); checked in detector-explain.ts. */
  boxes?: string[];
}

const options = {
  model: { type: 'string', short: 'm' },
  'model-file': { type: 'string' },
  labels: { type: 'string' },
  'input-spec': { type: 'string' },
  'models-dir': { type: 'string' },
  method: { type: 'string', multiple: true },
  'top-k': { type: 'string', short: 'k' },
  class: { type: 'string', multiple: true },
  layer: { type: 'string' },
  target: { type: 'string' },
  colormap: { type: 'string' },
  'image-weight': { type: 'string' },
  out: { type: 'string', short: 'o' },
  'no-overlays': { type: 'boolean' },
  frame: { type: 'string' },
  json: { type: 'boolean' },
  'input-tensor': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'max-image-bytes': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  'no-progress': { type: 'boolean' },
  caption: { type: 'boolean' },
  captioner: { type: 'string' },
  faithfulness: { type: 'boolean' },
  box: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...pixelFlags,
} as const;

const int = intFlag;
const list = listFlag;

export function parseExplainArgs(argv: string[]): ExplainArgs | 'help' {
  const parsed = parseFlags(argv, options);
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length === 0) throw usageError('no input: give image files or directories (or .bin tensors with --input-tensor)');
  if (v['top-k'] !== undefined && v.class !== undefined) throw usageError('--top-k and --class cannot be used together');
  if (v.model !== undefined && v['model-file'] !== undefined) throw usageError('--model and --model-file cannot be used together');
  if (v['model-file'] === undefined && (v.labels !== undefined || v['input-spec'] !== undefined)) {
    throw usageError('--labels and --input-spec describe your own model: use them with --model-file FILE');
  }
  if (v.caption && v['input-tensor']) throw usageError('--caption needs images, not tensors: its boxes are in the image\'s pixels');
  if (v.captioner !== undefined && !v.caption) throw usageError('--captioner describes the crop of a caption: use it with --caption');
  let methods = list(v.method);
  if (methods.length === 0) methods = ['gradcam'];
  if (methods.includes('all')) methods = camMethods.map((m) => m.id);
  const target = v.target ?? 'logit';
  if (target !== 'logit' && target !== 'probability') throw usageError(`--target must be 'logit' or 'probability', not '${target}'`);
  const colormap = v.colormap ?? DEFAULTS.colormap;
  if (!COLORMAPS.includes(colormap as ColormapName)) throw usageError(`--colormap must be one of ${COLORMAPS.join(', ')}`);
  const imageWeight = v['image-weight'] === undefined ? DEFAULTS.imageWeight : Number(v['image-weight']);
  if (!(imageWeight >= 0 && imageWeight <= 1)) throw usageError('--image-weight must be a number in [0, 1]');
  const frame = v.frame ?? (v['input-tensor'] ? 'model' : 'image');
  if (frame !== 'image' && frame !== 'model') throw usageError(`--frame must be 'image' or 'model', not '${frame}'`);
  if (frame === 'image' && v['input-tensor']) throw usageError('--frame image needs images: a tensor input has only the model\'s frame');
  const classes = v.class === undefined ? undefined : list(v.class).map((c) => int('class', c, 0));
  return {
    inputs: parsed.positionals,
    model: v.model,
    modelFile: v['model-file'],
    labels: v.labels,
    inputSpec: v['input-spec'],
    modelsDir: v['models-dir'] ?? DEFAULTS.modelsDir,
    methods,
    topK: v['top-k'] === undefined ? (classes ? undefined : 1) : int('top-k', v['top-k'], 1),
    classes,
    layer: v.layer,
    target,
    colormap: colormap as ColormapName,
    imageWeight,
    outDir: v.out ?? DEFAULTS.outDir,
    overlays: !v['no-overlays'],
    frame,
    json: v.json ?? false,
    inputTensor: v['input-tensor'] ?? false,
    batchSize: v['batch-size'] === undefined ? undefined : int('batch-size', v['batch-size'], 1, 4096),
    maxImageBytes: v['max-image-bytes'] === undefined ? DEFAULTS.maxImageBytes : int('max-image-bytes', v['max-image-bytes'], 1),
    maxImagePixels: v['max-image-pixels'] === undefined ? DEFAULTS.maxImagePixels : int('max-image-pixels', v['max-image-pixels'], 1),
    progress: !v['no-progress'],
    caption: v.caption ?? false,
    captioner: v.captioner,
    faithfulness: v.faithfulness ?? false,
    pixels: parsePixelArgs(v),
    boxes: v.box === undefined ? undefined : list(v.box),
  };
}
