// The model-randomisation sanity check of Adebayo et al. 2018 ("Sanity Checks for Saliency Maps"),
// cascading version: the weights of the model's parametrised layers (the Conv and Gemm nodes with
// initializer weights) are replaced by random ones from the top layer down, one more layer per
// step, and each method's map is recomputed on the partly random model and compared with the map
// of the trained model by Spearman's rank correlation and by SSIM of the min-max scaled maps. A map
// that explains the model must change once the layers it depends on are random: it "passes" when
// both similarities are below PASS_THRESHOLD at the last step.
//
// Random weights: each weight tensor (and its bias) gets independent N(0, σ²) values truncated at
// ±2σ (redrawn beyond, as TensorFlow's truncated_normal initializer Adebayo et al. re-initialised
// with), σ = the standard deviation of the trained tensor it replaces, so activations keep their
// scale. Draws are seeded per layer (seed, layer rank), so a layer is randomised identically at
// every later step. The model is cast to fp32 first (fp16 models would otherwise need fp16 draws).
import type { ModelSpec } from '../model/spec.js';
import type { FloatMap, TargetKind } from '../cam/types.js';
import type { AttributionOptions } from '../attribution/types.js';
import { Explainer } from '../engine.js';
import { seededRandom } from '../metrics/random.js';
import { toFloat32 } from '../onnx/normalize.js';
import { decodeModel, encodeModel, makeFloatTensor, tensorDims, tensorValues, type ModelProto, type TensorProto } from '../onnx/proto.js';
import type { OrtRuntime } from '../runtime.js';
import { normalSampler } from './noisy-linear-imputer.js';
import { spearman } from './spearman.js';
import { minMax01, ssim } from './ssim.js';

export const PASS_THRESHOLD = 0.5;
export const RANDOMISED_OPS = ['Conv', 'Gemm'] as const;

export interface SanityOptions {
  methods?: readonly string[];
  layer?: string;
  target?: TargetKind;
  /** Randomise only the top `layers` parametrised layers (default all). */
  layers?: number;
  /** Seed of the random weights (default 0). */
  seed?: number;
  /** Options of the pixel attributions among `methods` (IG steps and rule, SmoothGrad samples, noise, seed). */
  attribution?: AttributionOptions;
  batchSize?: number;
  /** Called after each step (for progress). */
  onStep?: (step: number, of: number) => void;
}

export interface SanityCurve {
  method: string;
  /** Similarity to the trained model's map after randomising layers[0..k] (k = 0, 1, …). */
  spearman: number[];
  ssim: number[];
  passes: boolean;
}

export interface SanityResult {
  classIndex: number;
  /** The randomised layers (their node names, else their weight names), top first: step k randomises layers[0..k]. */
  layers: string[];
  curves: SanityCurve[];
}

interface ParamLayer {
  name: string;
  /** Initializer names: the weight, then the bias if there is one. */
  tensors: string[];
}

/** The Conv/Gemm nodes whose weights are initializers, from the top of the graph down. */
export function parametrisedLayers(model: ModelProto): ParamLayer[] {
  const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name ?? ''));
  const out: ParamLayer[] = [];
  for (const n of model.graph?.node ?? []) {
    if (!(RANDOMISED_OPS as readonly string[]).includes(n.opType ?? '')) continue;
    const tensors = (n.input ?? []).slice(1, 3).filter((x) => inits.has(x));
    if (tensors.length && tensors[0] === n.input?.[1]) out.push({ name: n.name || tensors[0], tensors });
  }
  return out.reverse();
}

/** A same-shape tensor of truncated N(0, σ²) values, σ the standard deviation of `t`'s values. */
export function randomLike(t: TensorProto, random: () => number): TensorProto {
  const v = tensorValues(t);
  let mean = 0;
  for (const x of v) mean += x / v.length;
  let variance = 0;
  for (const x of v) variance += (x - mean) ** 2 / v.length;
  const sigma = Math.sqrt(variance);
  const normal = normalSampler(random);
  const draw = (): number => {
    for (;;) {
      const z = normal();
      if (Math.abs(z) <= 2) return z * sigma;
    }
  };
  return makeFloatTensor(t.name ?? '', tensorDims(t), Float64Array.from(v, draw));
}

/** The model bytes with the top `k` parametrised layers randomised (the model must be fp32). */
export function randomiseTop(model: ModelProto, layers: readonly ParamLayer[], k: number, seed: number): Uint8Array {
  // one random stream per tensor: 2·rank for a layer's weight, 2·rank + 1 for its bias
  const stream = new Map<string, number>();
  layers.slice(0, k).forEach((l, rank) => l.tensors.forEach((name, j) => stream.set(name, 2 * rank + j)));
  const initializer = (model.graph!.initializer ?? []).map((t) => {
    const s = stream.get(t.name ?? '');
    return s === undefined ? t : randomLike(t, seededRandom((Math.imul(seed, 0x9e3779b1) + s) >>> 0));
  });
  return encodeModel({ ...model, graph: { ...model.graph!, initializer } });
}

function similarity(a: FloatMap, b: FloatMap): { spearman: number; ssim: number } {
  return {
    spearman: spearman(a.values, b.values),
    ssim: ssim({ ...a, values: minMax01(a.values) }, { ...b, values: minMax01(b.values) }),
  };
}

async function mapsOf(engine: Explainer, input: Float32Array, classIndex: number, methods: readonly string[], options: SanityOptions): Promise<FloatMap[]> {
  const r = await engine.explain(input, { methods: [...methods], classes: [classIndex], layer: options.layer, target: options.target, attribution: options.attribution });
  return r.maps.map((m) => m.map);
}

/** Cascading randomisation of `modelBytes` for one input and class; one Explainer per step. */
export async function cascadingRandomisation(
  ort: OrtRuntime, modelBytes: Uint8Array, spec: ModelSpec, labels: string[], input: Float32Array, classIndex: number, options: SanityOptions = {},
): Promise<SanityResult> {
  const methods = options.methods?.length ? options.methods : ['gradcam'];
  const model = decodeModel(modelBytes);
  toFloat32(model);
  const all = parametrisedLayers(model);
  const steps = Math.min(options.layers ?? all.length, all.length);
  if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`layers must be ≥ 1 (the model has ${all.length} Conv/Gemm layers)`);
  const seed = options.seed ?? 0;
  const engineOptions = { batchSize: options.batchSize };
  const trained = await Explainer.create(ort, modelBytes, spec, labels, engineOptions);
  let reference: FloatMap[];
  try {
    reference = await mapsOf(trained, input, classIndex, methods, options);
  } finally {
    await trained.release();
  }
  const curves: SanityCurve[] = methods.map((method) => ({ method, spearman: [], ssim: [], passes: false }));
  for (let k = 1; k <= steps; k++) {
    const engine = await Explainer.create(ort, randomiseTop(model, all, k, seed), spec, labels, engineOptions);
    try {
      const maps = await mapsOf(engine, input, classIndex, methods, options);
      maps.forEach((m, i) => {
        const s = similarity(reference[i], m);
        curves[i].spearman.push(s.spearman);
        curves[i].ssim.push(s.ssim);
      });
    } finally {
      await engine.release();
    }
    options.onStep?.(k, steps);
  }
  for (const c of curves) c.passes = c.spearman[steps - 1] < PASS_THRESHOLD && c.ssim[steps - 1] < PASS_THRESHOLD;
  return { classIndex, layers: all.slice(0, steps).map((l) => l.name), curves };
}
