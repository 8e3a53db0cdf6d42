// `saliency-explainer faithfulness`: how faithful one saliency map is to the model (core/faithfulness:
// deletion/insertion, ROAD, CamMult, Average Drop, Increase in Confidence) for one input and class.
// The map is a float32 little-endian H×W file (--map) or computed by a CAM method (--method); the
// input an image or a float32 NCHW tensor file (--input-tensor). --json prints the one object of
// measureFaithfulness, nothing else.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import {
  Explainer, ExplainError, FaithfulnessError, getCamMethod, measureFaithfulness, resizeForModel, SUBSTRATES, toTensor,
  type FaithfulnessReport, type FloatMap, type Substrate,
} from '@saliency-explainer/core';
import { EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { intFlag, parseFlags } from './flags.js';
import { readImage, readTensor } from '../io/image-io.js';
import { loadFileModel, loadManifestModel, type LoadedModel } from '../models/loader.js';
import { DEFAULTS } from './settings.js';

export const FAITHFULNESS_HELP = `faithfulness: saliency-explainer faithfulness <image> | --input-tensor X.bin [options]
  -m, --model ID            model of the manifest (or --model-file, --labels, --input-spec as for explain)
      --input-tensor X.bin  the input as a float32 little-endian tensor of the model's input shape
      --class C             class index (default: the top prediction)
      --map M.bin           the map to test: float32 little-endian, the input's height × width, row-major
      --method M            or compute this CAM method's final map (default gradcam)
      --layer TENSOR, --target logit|probability   for --method, as for explain
      --seed N              seed of ROAD's imputation noise (default 0)
      --substrate S         insertion's blurred start: gaussian (default; 11 taps, σ 5, reflect-101) or
                            rise (RISE's evaluation.py gkern(11, 5) with zero padding)
      --batch-size N        perturbed inputs per forward run (default ${DEFAULTS.batchSize})
      --json                stdout: one JSON object {deletion, insertion, road, camMult, averageDrop, increase}
    deletion/insertion: probability curves (29 points at 224²) and AUCs, RISE; ROAD: MoRF/LeRF changes
    at pytorch-grad-cam percentiles 20/40/60/80 and combined; camMult: score(input × map) − score(input).`;

/** Model and input flags shared by faithfulness and sanity-check. */
export const MODEL_INPUT_OPTIONS = {
  model: { type: 'string', short: 'm' },
  'model-file': { type: 'string' },
  labels: { type: 'string' },
  'input-spec': { type: 'string' },
  'models-dir': { type: 'string' },
  'input-tensor': { type: 'string' },
  class: { type: 'string' },
  method: { type: 'string' },
  layer: { type: 'string' },
  target: { type: 'string' },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type ModelInputValues = { [K in keyof typeof MODEL_INPUT_OPTIONS]?: (typeof MODEL_INPUT_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export interface ModelInputArgs {
  input: { image?: string; tensor?: string };
  model?: string;
  modelFile?: string;
  labels?: string;
  inputSpec?: string;
  modelsDir: string;
  classIndex?: number;
  method: string;
  layer?: string;
  target: 'logit' | 'probability';
  seed: number;
  batchSize: number;
  json: boolean;
}

/** A CAM method id, or a usage error (exit 2). */
export function checkMethod(id: string): string {
  try {
    getCamMethod(id);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  return id;
}

/** Validate the shared flags (usage errors, exit 2) before anything is loaded. */
export function parseModelInputArgs(v: ModelInputValues, positionals: string[]): ModelInputArgs {
  if (v['input-tensor'] !== undefined && positionals.length) throw usageError('give an image or --input-tensor, not both');
  if (v['input-tensor'] === undefined && positionals.length !== 1) throw usageError('give one image (or --input-tensor X.bin)');
  if (v.model !== undefined && v['model-file'] !== undefined) throw usageError('--model and --model-file cannot be used together');
  if (v['model-file'] === undefined && (v.labels !== undefined || v['input-spec'] !== undefined)) {
    throw usageError('--labels and --input-spec describe your own model: use them with --model-file FILE');
  }
  const method = checkMethod(v.method ?? 'gradcam');
  const target = v.target ?? 'logit';
  if (target !== 'logit' && target !== 'probability') throw usageError(`--target must be 'logit' or 'probability', not '${target}'`);
  return {
    input: v['input-tensor'] !== undefined ? { tensor: v['input-tensor'] } : { image: positionals[0] },
    model: v.model,
    modelFile: v['model-file'],
    labels: v.labels,
    inputSpec: v['input-spec'],
    modelsDir: v['models-dir'] ?? DEFAULTS.modelsDir,
    classIndex: v.class === undefined ? undefined : intFlag('class', v.class, 0),
    method,
    layer: v.layer,
    target,
    seed: v.seed === undefined ? 0 : intFlag('seed', v.seed, 0, 2 ** 32 - 1),
    batchSize: v['batch-size'] === undefined ? DEFAULTS.batchSize : intFlag('batch-size', v['batch-size'], 1, 4096),
    json: v.json ?? false,
  };
}

export function loadModel(args: ModelInputArgs, note?: (line: string) => void): LoadedModel {
  return args.modelFile ? loadFileModel(args.modelFile, args.labels, args.inputSpec, note) : loadManifestModel(args.modelsDir, args.model);
}

export async function createEngine(model: LoadedModel, batchSize: number): Promise<Explainer> {
  try {
    return await Explainer.create(ort, model.bytes, model.spec, model.labels, { batchSize });
  } catch (e) {
    throw modelError('BAD_MODEL', `model '${model.spec.id}' cannot be used: ${(e as Error).message}`);
  }
}

/** The preprocessed input tensor [1, C, H, W]. */
export async function readInput(args: ModelInputArgs, engine: Explainer): Promise<Float32Array> {
  if (args.input.tensor !== undefined) return readTensor(args.input.tensor, engine.inputShape, DEFAULTS.maxImageBytes);
  const image = await readImage(args.input.image!, { maxBytes: DEFAULTS.maxImageBytes, maxPixels: DEFAULTS.maxImagePixels });
  return toTensor(resizeForModel(image, engine.spec.input), engine.spec.input);
}

/** The class asked for, else the top prediction. */
export async function chooseClass(args: ModelInputArgs, engine: Explainer, input: Float32Array): Promise<number> {
  if (args.classIndex !== undefined) {
    if (args.classIndex >= engine.numClasses) throw inputError('BAD_CLASS', `class ${args.classIndex} is not in 0..${engine.numClasses - 1}`);
    return args.classIndex;
  }
  return engine.topPredictions(await engine.predict(input), 1)[0].index;
}

/** A CAM method's final map (the input's size, in [0, 1]) for one class. */
export async function methodMap(engine: Explainer, input: Float32Array, classIndex: number, args: Pick<ModelInputArgs, 'method' | 'layer' | 'target'>): Promise<FloatMap> {
  try {
    const r = await engine.explain(input, { methods: [args.method], classes: [classIndex], layer: args.layer, target: args.target });
    return r.maps[0].map;
  } catch (e) {
    if (e instanceof ExplainError) throw inputError(e.code, e.message);
    throw e;
  }
}

/** A float32 little-endian map file of height × width values. */
export async function readMapFile(path: string, width: number, height: number): Promise<FloatMap> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw inputError('NOT_FOUND', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (bytes.length !== 4 * width * height) {
    throw inputError('BAD_MAP', `${path} has ${bytes.length} bytes; a ${width}×${height} float32 map needs ${4 * width * height}`);
  }
  const values = new Float32Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(4 * i);
  if (values.some((v) => !Number.isFinite(v))) throw inputError('BAD_MAP', `${path} holds a non-finite value`);
  return { width, height, values };
}

const f = (v: number, d = 4) => v.toFixed(d);

/** Faithfulness of each explained map for its class (explain --faithfulness); typed errors as input errors. */
export async function mapsFaithfulness(
  engine: Explainer, input: Float32Array, maps: readonly { map: FloatMap; classIndex: number }[], batchSize: number, seed = 0, substrate?: Substrate,
): Promise<FaithfulnessReport[]> {
  const out: FaithfulnessReport[] = [];
  for (const m of maps) {
    try {
      out.push(await measureFaithfulness((b, n) => engine.forwardInputs(b, n), input, engine.inputShape, m.map, m.classIndex, { batchSize, seed, substrate }));
    } catch (e) {
      if (e instanceof FaithfulnessError) throw inputError(e.code, e.message);
      throw e;
    }
  }
  return out;
}

/** The readable summary printed without --json. */
export function faithfulnessSummary(r: FaithfulnessReport): string[] {
  const per = (o: Record<string, number>) => Object.entries(o).map(([p, v]) => `${p}: ${f(v)}`).join('  ');
  return [
    `deletion  AUC ${f(r.deletion.auc)} (lower is better; ${r.deletion.scores.length} points, p ${f(r.deletion.scores[0])} → ${f(r.deletion.scores.at(-1)!)})`,
    `insertion AUC ${f(r.insertion.auc)} (higher is better; p ${f(r.insertion.scores[0])} → ${f(r.insertion.scores.at(-1)!)})`,
    `ROAD MoRF  ${per(r.road.morf)} (probability change; more negative is better)`,
    `ROAD LeRF  ${per(r.road.lerf)} (closer to 0 is better)`,
    `ROAD combined ${f(r.road.combined)} (higher is better)`,
    `CamMult change: softmax ${f(r.camMult.softmax)}, logit ${f(r.camMult.logit)} (higher is better)`,
    `Average Drop ${f(r.averageDrop)} (lower is better) · Increase in Confidence ${r.increase}`,
  ];
}

export async function runFaithfulness(argv: string[], io: Output): Promise<ExitCode> {
  const parsed = parseFlags(argv, { ...MODEL_INPUT_OPTIONS, map: { type: 'string' }, substrate: { type: 'string' } } as const);
  const v = parsed.values;
  if (v.help) {
    io.out(FAITHFULNESS_HELP);
    return EXIT.OK;
  }
  if (v.map !== undefined && v.method !== undefined) throw usageError('--map and --method cannot be used together');
  const substrate = (v.substrate ?? 'gaussian') as Substrate;
  if (!SUBSTRATES.includes(substrate)) throw usageError(`--substrate must be ${SUBSTRATES.join(' or ')}, not '${substrate}'`);
  const args = parseModelInputArgs(v, parsed.positionals);
  const engine = await createEngine(loadModel(args, io.err), args.batchSize);
  try {
    const input = await readInput(args, engine);
    const classIndex = await chooseClass(args, engine, input);
    const [, , height, width] = engine.inputShape;
    const map = v.map !== undefined ? await readMapFile(v.map, width, height) : await methodMap(engine, input, classIndex, args);
    const [report] = await mapsFaithfulness(engine, input, [{ map, classIndex }], args.batchSize, args.seed, substrate);
    if (args.json) {
      io.out(JSON.stringify(report));
    } else {
      const source = v.map !== undefined ? v.map : `${args.method} map`;
      io.out(`${args.input.image ?? args.input.tensor}: class ${classIndex} (${engine.labels[classIndex]}), ${source}`);
      for (const line of faithfulnessSummary(report)) io.out(`  ${line}`);
    }
    return EXIT.OK;
  } finally {
    await engine.release();
  }
}
