// The explain engine: one analysed model, its compiled sessions (created once per target
// layer), and explain() = forward → one head-gradient run for all k targets → CAM methods →
// postprocessed maps; pixel attributions run through input-gradient sessions (one per ReLU rule
// and score kind, symbolic batch, built on first use). Requests whose methods all fuse (fused/: the
// gradient CAMs, EigenCAM, EigenGradCAM) run one fused graph per image instead — forward, top-k,
// gradients, weights, resize and scaling in a single session run — built once per (layer, methods,
// K, target, eigen smoothing); the other requests, and any the fused graph cannot take, go the way
// described first. Every graph is compiled through one method (engine-graphs.ts): in place, or by
// EngineOptions.compiler (the widget's Web Worker). Runtime-agnostic: hand it onnxruntime-node or
// onnxruntime-web.
import { ModelAnalysis } from './onnx/analysis.js';
import { encodeModel } from './onnx/proto.js';
import { GRADIENTS, MASKS, SEEDS } from './autodiff/compile.js';
import { CLASSES } from './autodiff/gathered-head.js';
import type { ModelSpec } from './model/spec.js';
import type { CamContext, CamTarget, TargetKind } from './cam/types.js';
import type { ClassMap, ExplainOptions, ExplainResult, Prediction } from './explain-types.js';
import { getCamMethod, type ExplainMethod } from './cam/registry.js';
import { gradCam } from './cam/methods/gradcam.js';
import {
  attributionMaps, resolveAttributionOptions, type AttributionContext, type AttributionOptions, type GradientRules,
} from './attribution/index.js';
import { postprocess } from './cam/pipeline.js';
import { softmax } from './cam/targets.js';
import { topPredictions } from './predictions.js';
import { type InferenceSession, type OrtRuntime, type Tensor, runSession } from './runtime.js';
import { buildFusedModel, FusedGraphError, FUSED_CLASSES, type FusedModel } from './fused/build.js';
import { FUSED_METHODS, isFusedMethod } from './fused/methods.js';
import { compileGraph, type FusedGraphInfo, type GraphCompiler, type GraphRequest, type GraphResult, type GraphResults } from './engine-graphs.js';
import { ExplainError } from './explain-error.js';

export { ExplainError };

/**
 * The default of EngineOptions.batchSize for a model whose spec names no `perturbationBatch`.
 * Measured on the 2-core CPU box (test/bench/perturbation.bench.mjs): Score-CAM's masked SqueezeNet
 * forwards run fastest at 2–4 per run (a 224² SqueezeNet image's largest activation is 4.6 MB:
 * bigger batches leave the cache) and ResNet-18's at 16–32 (46 MB of weights reused across the
 * batch); 8 is within ~10 % of the best of both. The manifest's models name their own best size.
 */
export const DEFAULT_BATCH_SIZE = 8;

/** The batch size an engine uses: the caller's, else the model's measured one, else DEFAULT_BATCH_SIZE. */
export function engineBatchSize(spec: Pick<ModelSpec, 'perturbationBatch'>, options: Pick<EngineOptions, 'batchSize'> = {}): number {
  return Math.max(1, options.batchSize ?? spec.perturbationBatch ?? DEFAULT_BATCH_SIZE);
}

export interface EngineOptions {
  /**
   * Perturbation methods (ScoreCAM, AblationCAM) put this many inputs in one forward run, and
   * Integrated Gradients / SmoothGrad this many steps or samples in one input-gradient run
   * (default: the spec's perturbationBatch, else DEFAULT_BATCH_SIZE; see engineBatchSize).
   */
  batchSize?: number;
  sessionOptions?: InferenceSession.SessionOptions;
  /**
   * Run requests whose methods all fuse (the gradient CAMs, EigenCAM, EigenGradCAM) as one fused
   * graph per image (default true); false: always the separate forward and head-gradient sessions.
   */
  fused?: boolean;
  /**
   * Compiles the engine's graphs (engine-graphs.ts) instead of compileGraph in place on this thread:
   * the widget's compiles them in a Web Worker. It must build what compileGraph builds, and throw
   * (reject with) what it throws.
   */
  compiler?: GraphCompiler;
}

/** What `Explainer.exportOnnx` builds: one method, top-k classes, the model's own input. */
export interface FusedExportOptions {
  /** A method id or alias (cam/registry.ts) that fuses. */
  method: string;
  topK: number;
  layer?: string;
  target?: TargetKind;
  eigenSmooth?: boolean;
  /** Also output raw [K, h, w]. */
  raw?: boolean;
}

export interface FusedExport {
  bytes: Uint8Array;
  method: string;
  layer: string;
  /** Input name and shape [1, C, H, W]; outputs classes [K], scores [K], maps [K, H, W] (and raw [K, h, w]). */
  input: string;
  inputShape: number[];
  layerShape: number[];
  /** Whether the head gradients gather the classes' weight rows. */
  gathered: boolean;
}

/** The model's graph analysed for its spec: logits, shapes, target layers (what Explainer builds on). */
export function analyseModel(modelBytes: Uint8Array, spec: ModelSpec, { weights = true }: { weights?: boolean } = {}): ModelAnalysis {
  const { input, output } = spec;
  return new ModelAnalysis(modelBytes, {
    input: input.name, output: output.name, logits: output.logits,
    inputShape: [1, 3, input.height, input.width], weights,
  });
}

interface LayerSessions {
  forward: InferenceSession;
  headGradient: InferenceSession;
  headForward: InferenceSession;
  /** Class-gathered head gradients by K (null: the head does not allow it). */
  gathered: Map<number, Promise<InferenceSession | null>>;
  sideInputs: string[];
  shape: number[];
}

/**
 * Sessions run one after another (forward, then gradients), so ONNX Runtime's spinning worker
 * threads would only burn the cores the next session needs: spinning is off by default.
 */
const DEFAULT_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

type Tensors = Record<string, { data: Float32Array; dims: readonly number[] }>;

/**
 * Fused sessions kept per engine: each (layer, methods, K, target, smoothing) is its own graph with
 * its own copy of the weights, so the least recently used are released beyond this many.
 */
export const FUSED_SESSION_LIMIT = 8;

interface FusedEntry {
  ready: Promise<{ session: InferenceSession; fused: FusedGraphInfo } | null>;
  /** Runs in flight: an evicted entry is released when the last one ends. */
  busy: number;
  evicted: boolean;
}

const releaseFused = (entry: FusedEntry): void => {
  entry.ready.then((r) => r?.session.release()).catch(() => undefined);
};

/** One input of `explainMany`. */
export interface ExplainRequest {
  input: Float32Array;
  options?: ExplainOptions;
}

interface Plan {
  input: Float32Array;
  options: ExplainOptions;
  methods: ExplainMethod[];
  layer: string;
  kind: TargetKind;
  attribution: Required<AttributionOptions>;
}

export class Explainer {
  readonly analysis: ModelAnalysis;
  readonly defaultLayer: string;
  readonly inputShape: number[];
  readonly batchSize: number;
  private readonly layers = new Map<string, Promise<LayerSessions>>();
  private logitsOnly?: Promise<InferenceSession>;
  /** Score-CAM's: the input times a batch of masks → logits. */
  private maskedForward?: Promise<InferenceSession>;
  /** Input-gradient sessions by `${rules}/${score kind}`. */
  private readonly inputGradientSessions = new Map<string, Promise<InferenceSession>>();
  /** Fused sessions by plan key, least recently used first; null where that plan does not fuse. */
  private readonly fusedSessions = new Map<string, FusedEntry>();

  private constructor(
    private readonly ort: OrtRuntime,
    readonly spec: ModelSpec,
    readonly labels: string[],
    modelBytes: Uint8Array,
    private readonly options: EngineOptions,
  ) {
    // with a compiler every graph is compiled elsewhere from its own analysis: this one is for
    // shapes and names, and leaves fp16 weights uncast (the widget's page thread is spared that)
    this.analysis = analyseModel(modelBytes, spec, { weights: !options.compiler });
    this.inputShape = this.analysis.inputShape;
    this.defaultLayer = spec.targetLayer ?? this.analysis.defaultLayer();
    this.batchSize = engineBatchSize(spec, options);
    if (labels.length !== this.analysis.numClasses) {
      throw new Error(`model '${spec.id}' has ${this.analysis.numClasses} classes but ${labels.length} labels`);
    }
  }

  /** Analyse the model and compile the sessions for its default layer. */
  static async create(ort: OrtRuntime, modelBytes: Uint8Array, spec: ModelSpec, labels: string[], options: EngineOptions = {}): Promise<Explainer> {
    const e = new Explainer(ort, spec, labels, modelBytes, options);
    await e.sessionsFor(e.defaultLayer);
    return e;
  }

  /**
   * One ONNX file that explains with no code of ours: the model's input tensor → classes int64 [K],
   * scores float32 [K] (softmax), maps float32 [K, H, W] in [0, 1], optionally raw [K, h, w]. A method
   * that does not fuse is an UNKNOWN_METHOD error that says so.
   */
  static exportOnnx(modelBytes: Uint8Array, spec: ModelSpec, options: FusedExportOptions): FusedExport {
    let id: string;
    try {
      id = getCamMethod(options.method).id;
    } catch (e) {
      throw new ExplainError('UNKNOWN_METHOD', (e as Error).message);
    }
    if (!isFusedMethod(id)) {
      throw new ExplainError('UNKNOWN_METHOD', `method '${id}' does not fuse into one ONNX graph (those that do: ${FUSED_METHODS.join(', ')})`);
    }
    const analysis = analyseModel(modelBytes, spec);
    const layer = options.layer ?? spec.targetLayer ?? analysis.defaultLayer();
    let layerShape: number[];
    try {
      layerShape = analysis.checkLayer(layer);
    } catch (e) {
      throw new ExplainError('BAD_LAYER', (e as Error).message);
    }
    if (!Number.isInteger(options.topK) || options.topK < 1 || options.topK > analysis.numClasses) {
      throw new ExplainError('BAD_CLASS', `top-k must be in 1..${analysis.numClasses}`);
    }
    let fused: FusedModel;
    try {
      fused = buildFusedModel(analysis, {
        methods: [id], layer, topK: options.topK, target: options.target, eigenSmooth: options.eigenSmooth, raw: options.raw,
      });
    } catch (e) {
      if (e instanceof FusedGraphError) throw new ExplainError('UNKNOWN_METHOD', e.message);
      throw e;
    }
    return {
      bytes: encodeModel(fused.model), method: id, layer, input: analysis.input, inputShape: [...analysis.inputShape],
      layerShape: [...layerShape], gathered: fused.gathered,
    };
  }

  get numClasses(): number {
    return this.analysis.numClasses;
  }

  private session(model: Uint8Array): Promise<InferenceSession> {
    return this.ort.InferenceSession.create(model, { ...DEFAULT_SESSION_OPTIONS, ...this.options.sessionOptions });
  }

  /** The graph `request` asks for: from the compiler of the options, else compiled here (compileGraph). */
  private async compile<R extends GraphRequest>(request: R): Promise<GraphResult<R>> {
    return this.options.compiler ? this.options.compiler(request) : compileGraph(this.analysis, request);
  }

  private sessionsFor(layer: string): Promise<LayerSessions> {
    let s = this.layers.get(layer);
    if (!s) {
      s = (async () => {
        const graphs = await this.compile({ kind: 'layer', layer });
        const [forward, headGradient, headForward] = await Promise.all([
          this.session(graphs.forward),
          this.session(graphs.headGradient),
          this.session(graphs.headForward),
        ]);
        return { forward, headGradient, headForward, gathered: new Map(), sideInputs: graphs.sideInputs, shape: graphs.shape };
      })();
      s.catch(() => this.layers.delete(layer));
      this.layers.set(layer, s);
    }
    return s;
  }

  private checkInput(input: Float32Array): void {
    const n = this.inputShape.reduce((a, b) => a * b, 1);
    if (input.length !== n) {
      throw new ExplainError('BAD_INPUT', `input has ${input.length} values; the model takes [${this.inputShape}] = ${n}`);
    }
  }

  /** Logits of a batch of inputs [n, C, H, W]. */
  async forwardInputs(batch: Float32Array, n: number): Promise<Float32Array> {
    this.logitsOnly ??= this.compile({ kind: 'logits' }).then((model) => this.session(model));
    const s = await this.logitsOnly;
    const out = await runSession(this.ort, s, { [this.analysis.input]: { data: batch, dims: [n, ...this.inputShape.slice(1)] } });
    return out[this.analysis.logits].data;
  }

  /** Logits of input [1, C, H, W] times each of n masks [n, 1, H, W]. */
  async forwardMaskedInputs(input: Float32Array, masks: Float32Array, n: number): Promise<Float32Array> {
    this.maskedForward ??= this.compile({ kind: 'masked' }).then((model) => this.session(model));
    const [, , H, W] = this.inputShape;
    const out = await runSession(this.ort, await this.maskedForward, {
      [this.analysis.input]: { data: input, dims: [1, ...this.inputShape.slice(1)] },
      [MASKS]: { data: masks, dims: [n, 1, H, W] },
    });
    return out[this.analysis.logits].data;
  }

  /**
   * d score / d input for a batch [n, C, H, W] with one target per row (n = targets.length) or one
   * input for all targets (n = 1): [targets.length, C, H, W]. All targets must share one kind.
   */
  async inputGradients(rules: GradientRules, batch: Float32Array, n: number, targets: readonly CamTarget[]): Promise<Float32Array> {
    const kind = targets[0]?.kind;
    if (!kind || targets.some((t) => t.kind !== kind)) throw new ExplainError('BAD_CLASS', 'input gradients need one or more targets of one kind');
    if (n !== 1 && n !== targets.length) throw new ExplainError('BAD_INPUT', `${n} inputs for ${targets.length} targets: give one input, or one per target`);
    const key = `${rules}/${kind}`;
    let session = this.inputGradientSessions.get(key);
    if (!session) {
      session = this.compile({ kind: 'input-gradient', rules, score: kind }).then((model) => this.session(model));
      session.catch(() => this.inputGradientSessions.delete(key));
      this.inputGradientSessions.set(key, session);
    }
    const C = this.numClasses;
    const seeds = new Float32Array(targets.length * C);
    targets.forEach((t, k) => (seeds[k * C + t.classIndex] = 1));
    const out = await runSession(this.ort, await session, {
      [this.analysis.input]: { data: batch, dims: [n, ...this.inputShape.slice(1)] },
      [SEEDS]: { data: seeds, dims: [targets.length, C] },
    }, [GRADIENTS]);
    return out[GRADIENTS].data;
  }

  /** Softmax probabilities of one input. */
  async predict(input: Float32Array): Promise<Float32Array> {
    this.checkInput(input);
    return softmax(await this.forwardInputs(input, 1));
  }

  /** The k most probable classes, highest first (ties: lower index first). */
  topPredictions(probs: Float32Array, k: number): Prediction[] {
    return topPredictions(probs, k, this.labels);
  }

  /** Seeds for the head gradient: d target / d logits, one row per target. */
  private seeds(targets: CamTarget[], probs: Float32Array): Float32Array {
    const C = this.numClasses;
    const s = new Float32Array(targets.length * C);
    targets.forEach((t, k) => {
      if (t.kind === 'logit') {
        s[k * C + t.classIndex] = 1;
      } else {
        // d softmax_c / d z_j = p_c (δ_cj − p_j)
        const pc = probs[t.classIndex];
        for (let j = 0; j < C; j++) s[k * C + j] = pc * ((j === t.classIndex ? 1 : 0) - probs[j]);
      }
    });
    return s;
  }

  async explain(input: Float32Array, options: ExplainOptions = {}): Promise<ExplainResult> {
    const [r] = await this.explainMany([{ input, options }]);
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }

  /**
   * Explain several inputs, sharing one batched forward run per target layer (micro-batching: the
   * API gathers concurrent requests for one model into one call). Each request succeeds or fails on
   * its own; the maps equal those of `explain` up to the float rounding of a batched forward run.
   */
  async explainMany(requests: readonly ExplainRequest[]): Promise<PromiseSettledResult<ExplainResult>[]> {
    const results: PromiseSettledResult<ExplainResult>[] = new Array(requests.length);
    const byLayer = new Map<string, { index: number; plan: Plan }[]>();
    const plans: { index: number; plan: Plan }[] = [];
    requests.forEach((r, index) => {
      try {
        plans.push({ index, plan: this.plan(r) });
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    });
    for (const { index, plan } of plans) {
      try {
        const fused = await this.explainFused(plan);
        if (fused) {
          results[index] = { status: 'fulfilled', value: fused };
          continue;
        }
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
        continue;
      }
      const group = byLayer.get(plan.layer) ?? [];
      group.push({ index, plan });
      byLayer.set(plan.layer, group);
    }
    for (const [layer, group] of byLayer) {
      let sessions: LayerSessions;
      let forwards: Tensors[];
      try {
        sessions = await this.sessionsFor(layer);
        forwards = await this.forwardBatch(sessions, group.map((g) => g.plan.input));
      } catch (reason) {
        for (const g of group) results[g.index] = { status: 'rejected', reason };
        continue;
      }
      for (const [i, g] of group.entries()) {
        try {
          results[g.index] = { status: 'fulfilled', value: await this.explainForwarded(sessions, g.plan, forwards[i]) };
        } catch (reason) {
          results[g.index] = { status: 'rejected', reason };
        }
      }
    }
    return results;
  }

  /** Validate a request before anything runs. */
  private plan({ input, options = {} }: ExplainRequest): Plan {
    this.checkInput(input);
    const methods = (options.methods?.length ? options.methods : ['gradcam']).map((id) => {
      try {
        return getCamMethod(id);
      } catch (e) {
        throw new ExplainError('UNKNOWN_METHOD', (e as Error).message);
      }
    });
    if (options.classes?.length) {
      const bad = options.classes.find((c) => !Number.isInteger(c) || c < 0 || c >= this.numClasses);
      if (bad !== undefined) throw new ExplainError('BAD_CLASS', `class ${bad} is not in 0..${this.numClasses - 1}`);
    } else {
      const k = options.topK ?? 1;
      if (!Number.isInteger(k) || k < 1 || k > this.numClasses) throw new ExplainError('BAD_CLASS', `top-k must be in 1..${this.numClasses}`);
    }
    let attribution: Required<AttributionOptions>;
    try {
      attribution = resolveAttributionOptions(options.attribution);
    } catch (e) {
      throw new ExplainError('BAD_INPUT', (e as Error).message);
    }
    return { input, options, methods, layer: options.layer ?? this.defaultLayer, kind: options.target ?? 'logit', attribution };
  }

  /** One forward run over n inputs; the outputs split per input (views, batch 1 each). */
  private async forwardBatch(sessions: LayerSessions, inputs: Float32Array[]): Promise<Tensors[]> {
    const [, c, hh, ww] = this.inputShape;
    const n = inputs.length;
    const size = c * hh * ww;
    let batch = inputs[0];
    if (n > 1) {
      batch = new Float32Array(n * size);
      inputs.forEach((x, i) => batch.set(x, i * size));
    }
    const out = await runSession(this.ort, sessions.forward, { [this.analysis.input]: { data: batch, dims: [n, c, hh, ww] } });
    return inputs.map((_, i) => {
      const one: Tensors = {};
      for (const [name, t] of Object.entries(out)) {
        const per = t.data.length / n;
        one[name] = { data: n === 1 ? t.data : t.data.subarray(i * per, (i + 1) * per), dims: [1, ...t.dims.slice(1)] };
      }
      return one;
    });
  }

  private async explainForwarded(sessions: LayerSessions, plan: Plan, fwd: Tensors): Promise<ExplainResult> {
    const { input, options, methods, layer, kind, attribution } = plan;
    const dims = this.inputShape as [number, number, number, number];
    const logits = fwd[this.analysis.logits].data;
    const probs = softmax(logits);
    const classes = options.classes?.length ? options.classes : this.topPredictions(probs, options.topK ?? 1).map((p) => p.index);
    const targets: CamTarget[] = classes.map((classIndex) => ({ classIndex, kind }));
    const act = fwd[layer];
    const side: Tensors = {};
    for (const t of sessions.sideInputs) side[t] = fwd[t];
    const [, C, h, w] = sessions.shape;
    const gradients = methods.some((m) => m.needsGradients)
      ? await this.headGradients(sessions, layer, act, side, targets, probs)
      : undefined;
    const headName = sessions.headForward.outputNames[0];
    const ctx: CamContext = {
      activations: { data: act.data, channels: C, height: h, width: w },
      gradients,
      targets,
      input,
      inputDims: dims,
      logits,
      numClasses: this.numClasses,
      forwardInputs: (batch, n) => this.forwardInputs(batch, n),
      forwardMaskedInputs: (masks, n) => this.forwardMaskedInputs(input, masks, n),
      forwardActivations: async (batch, n) =>
        (await runSession(this.ort, sessions.headForward, { [layer]: { data: batch, dims: [n, C, h, w] }, ...side }))[headName].data,
      batchSize: this.batchSize,
      eigenSmooth: options.eigenSmooth ?? false,
    };
    const attributionCtx: AttributionContext = {
      input,
      inputDims: dims,
      targets,
      logits,
      numClasses: this.numClasses,
      inputGradients: (rules, batch, n, rowTargets) => this.inputGradients(rules, batch, n, rowTargets),
      forwardInputs: (batch, n) => this.forwardInputs(batch, n),
      batchSize: this.batchSize,
      options: attribution,
      layerGradCam: async () => ({ cams: await gradCam.compute({ ...ctx, eigenSmooth: false }), height: h, width: w }),
    };
    const maps: ClassMap[] = [];
    for (const m of methods) {
      if (m.kind === 'attribution') {
        const attrs = await m.compute(attributionCtx);
        attrs.forEach((a, k) => {
          const attr = { channels: dims[1], width: dims[3], height: dims[2], values: a.values };
          const classIndex = targets[k].classIndex;
          maps.push({
            method: m.id, classIndex, label: this.labels[classIndex], ...attributionMaps(attr), attribution: attr,
            ...(a.convergenceDelta === undefined ? {} : { convergenceDelta: a.convergenceDelta }),
          });
        });
        continue;
      }
      const cams = await m.compute(ctx);
      cams.forEach((cam, k) => {
        const { raw, map } = postprocess(cam, h, w, dims[2], dims[3]);
        const classIndex = targets[k].classIndex;
        maps.push({ method: m.id, classIndex, label: this.labels[classIndex], raw, map });
      });
    }
    return this.result(options, layer, probs, classes, maps);
  }

  private result(options: ExplainOptions, layer: string, probs: Float32Array, classes: readonly number[], maps: ClassMap[]): ExplainResult {
    const nPred = options.classes?.length ? Math.max(5, classes.length) : Math.max(options.topK ?? 1, 1);
    return {
      model: this.spec.id,
      layer,
      inputShape: [...this.inputShape],
      predictions: this.topPredictions(probs, Math.min(nPred, this.numClasses)),
      probabilities: probs,
      maps,
    };
  }

  /** The fused session of a plan, or null when its methods or model do not fuse. */
  private fusedFor(plan: Plan): FusedEntry | null {
    const { options, methods, layer, kind } = plan;
    if (this.options.fused === false || !methods.every((m) => isFusedMethod(m.id))) return null;
    const given = options.classes?.length ?? 0;
    const K = given || (options.topK ?? 1);
    const eigenSmooth = options.eigenSmooth ?? false;
    const key = JSON.stringify([layer, methods.map((m) => m.id), kind, eigenSmooth, given ? 'given' : 'top', K]);
    let entry = this.fusedSessions.get(key);
    if (entry) {
      this.fusedSessions.delete(key); // most recently used last
    } else {
      const ready = (async () => {
        let built: GraphResults['fused'];
        try {
          built = await this.compile({
            kind: 'fused',
            options: {
              methods: methods.map((m) => m.id), layer, target: kind, eigenSmooth, logits: true, raw: true,
              ...(given ? { givenClasses: K } : { topK: K }),
            },
          });
        } catch {
          built = null;
        }
        // null: a plan the fused graph cannot take (a method given twice, a head it cannot
        // differentiate, a layer the model does not have: the unfused path says BAD_LAYER)
        if (!built) return null;
        try {
          return { session: await this.session(built.bytes), fused: built.fused };
        } catch {
          return null; // a runtime that cannot run one of its ops (the browser's WebGPU provider, say)
        }
      })();
      entry = { ready, busy: 0, evicted: false };
    }
    this.fusedSessions.set(key, entry);
    for (const [k, old] of this.fusedSessions) {
      if (this.fusedSessions.size <= FUSED_SESSION_LIMIT) break;
      this.fusedSessions.delete(k);
      old.evicted = true;
      if (old.busy === 0) releaseFused(old);
    }
    return entry;
  }

  /**
   * One run of the fused graph for one request; null when the request does not fuse, or when the
   * graph's top-k classes differ from topPredictions' (a near tie ranked the other way), so that
   * today's path answers with exactly its classes.
   */
  private async explainFused(plan: Plan): Promise<ExplainResult | null> {
    const entry = this.fusedFor(plan);
    if (!entry) return null;
    entry.busy++;
    try {
      return await this.runFused(plan, entry);
    } finally {
      if (--entry.busy === 0 && entry.evicted) releaseFused(entry);
    }
  }

  private async runFused(plan: Plan, entry: FusedEntry): Promise<ExplainResult | null> {
    const ready = await entry.ready;
    if (!ready) return null;
    const { session, fused } = ready;
    const { options, layer } = plan;
    const K = fused.K;
    const feeds: Record<string, Tensor> = { [this.analysis.input]: new this.ort.Tensor('float32', plan.input, this.inputShape) };
    if (options.classes?.length) {
      feeds[FUSED_CLASSES] = new this.ort.Tensor('int64', BigInt64Array.from(options.classes.map((c) => BigInt(c))), [K]);
    }
    const out = await session.run(feeds);
    const probs = softmax(out[fused.logits!].data as Float32Array);
    let classes: number[];
    if (options.classes?.length) {
      classes = options.classes;
    } else {
      classes = Array.from(out[FUSED_CLASSES].data as BigInt64Array, Number);
      const expected = this.topPredictions(probs, K).map((p) => p.index);
      if (expected.some((c, k) => c !== classes[k])) return null;
    }
    const [, , h, w] = this.analysis.shapeOf(layer);
    const [, , H, W] = this.inputShape;
    const maps: ClassMap[] = [];
    for (const o of fused.outputs) {
      const mapData = out[o.maps].data as Float32Array;
      const rawData = out[o.raw!].data as Float32Array;
      classes.forEach((classIndex, k) => {
        maps.push({
          method: o.method, classIndex, label: this.labels[classIndex],
          raw: { width: w, height: h, values: rawData.slice(k * h * w, (k + 1) * h * w) },
          map: { width: W, height: H, values: mapData.slice(k * H * W, (k + 1) * H * W) },
        });
      });
    }
    return this.result(options, layer, probs, classes, maps);
  }

  /** d target_k / d activations for all targets in one run: [K, C, h, w]. */
  private async headGradients(s: LayerSessions, layer: string, act: Tensors[string], side: Tensors,
    targets: CamTarget[], probs: Float32Array): Promise<Float32Array> {
    const K = targets.length;
    if (targets.every((t) => t.kind === 'logit')) {
      let gathered = s.gathered.get(K);
      if (!gathered) {
        gathered = this.compile({ kind: 'gathered', layer, K }).then((model) => (model ? this.session(model) : null));
        s.gathered.set(K, gathered);
      }
      const session = await gathered;
      if (session) {
        const feeds: Record<string, Tensor> = { [CLASSES]: new this.ort.Tensor('int64', BigInt64Array.from(targets.map((t) => BigInt(t.classIndex))), [K]) };
        feeds[layer] = new this.ort.Tensor('float32', act.data, act.dims);
        for (const [k, v] of Object.entries(side)) feeds[k] = new this.ort.Tensor('float32', v.data, v.dims);
        const out = await session.run(feeds, [GRADIENTS]);
        return out[GRADIENTS].data as Float32Array;
      }
    }
    const out = await runSession(this.ort, s.headGradient, {
      [layer]: act, ...side,
      [SEEDS]: { data: this.seeds(targets, probs), dims: [K, this.numClasses] },
    }, [GRADIENTS]);
    return out[GRADIENTS].data;
  }

  async release(): Promise<void> {
    const all = await Promise.allSettled([...this.layers.values()]);
    for (const r of all) {
      if (r.status === 'fulfilled') {
        const gathered = await Promise.all(r.value.gathered.values());
        await Promise.all([r.value.forward.release(), r.value.headGradient.release(), r.value.headForward.release(),
          ...gathered.map((g) => g?.release())]);
      }
    }
    if (this.logitsOnly) await (await this.logitsOnly).release();
    if (this.maskedForward) await (await this.maskedForward).release();
    const inputGradient = await Promise.allSettled([...this.inputGradientSessions.values()]);
    await Promise.all(inputGradient.map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
    this.inputGradientSessions.clear();
    const fused = await Promise.allSettled([...this.fusedSessions.values()].map((e) => e.ready));
    await Promise.all(fused.map((r) => (r.status === 'fulfilled' ? r.value?.session.release() : undefined)));
    this.fusedSessions.clear();
    this.layers.clear();
  }
}
