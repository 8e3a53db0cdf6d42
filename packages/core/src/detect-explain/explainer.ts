// DetectorExplainer: a YOLOX-style detector compiled for explanations. One forward model returns the
// raw output, the requested layers' activations and the side tensors their heads read; per layer,
// the classifiers' head-gradient model (autodiff/compile.ts) with the flattened output as "logits",
// so a box's target enters as a seed row (detect-explain/target.ts) and K boxes share one run.
// EigenCAM needs no gradient: one map per image from the default layers (one per stride).
// Gradient CAMs reuse cam/methods on the layer's activations and gradients; maps are combined over
// layers as pytorch-grad-cam does and taken back through the letterbox (detect-explain/maps.ts).
import { buildForwardModel, buildHeadModels, GRADIENTS, SEEDS, type HeadModels } from '../autodiff/compile.js';
import { getCamMethod } from '../cam/registry.js';
import type { CamContext, CamMethod, FloatMap } from '../cam/types.js';
import { DEFAULT_NMS_THRESHOLD, DEFAULT_SCORE_THRESHOLD, yoloxDetections } from '../detect/detector.js';
import { letterbox } from '../detect/letterbox.js';
import type { DetectOptions } from '../detect/types.js';
import { validateDetectorSpec } from '../detect/validate.js';
import type { RgbImage } from '../image/types.js';
import type { DetectorSpec } from '../model/spec.js';
import { ModelAnalysis } from '../onnx/analysis.js';
import { encodeModel } from '../onnx/proto.js';
import { type InferenceSession, type OrtRuntime, runSession } from '../runtime.js';
import { detectorLevels, type DetectorLevel } from './layers.js';
import { aggregateLayerCams, letterboxToImage } from './maps.js';
import { boxTargetSeed, boxTargetValue, outputLayout, type BoxTarget, type OutputLayout } from './target.js';
import { type AnchoredDetection, type BoxExplainOptions, DetectExplainError, type DetectorMap, type DetectorRun } from './types.js';

// errors only: the compiled forward model leaves the original Reshape targets unused (ORT warns)
const DEFAULT_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  logSeverityLevel: 3,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

export interface DetectorExplainerOptions {
  sessionOptions?: InferenceSession.SessionOptions;
}

export interface RunOptions extends DetectOptions {
  /** Layers whose activations the run keeps (default: every level's layer). */
  layers?: string[];
}

export class DetectorExplainer {
  readonly levels: DetectorLevel[];
  private readonly layout: OutputLayout;
  private readonly heads = new Map<string, HeadModels>();
  private readonly gradientSessions = new Map<string, Promise<InferenceSession>>();
  private readonly forwardSessions = new Map<string, Promise<{ session: InferenceSession; outputs: string[] }>>();

  private constructor(
    private readonly ort: OrtRuntime,
    readonly analysis: ModelAnalysis,
    readonly spec: DetectorSpec,
    readonly labels: string[],
    private readonly options: DetectorExplainerOptions,
  ) {
    const { input, output } = spec;
    this.levels = detectorLevels(analysis, input.height, spec.layers);
    const dims = analysis.shapeOf(analysis.logits);
    if (dims.length !== 3 || dims[2] !== 5 + labels.length) {
      throw new DetectExplainError('BAD_MODEL', `detector '${spec.id}' output is [${dims}]; expected [1, anchors, 5 + ${labels.length}]`);
    }
    this.layout = outputLayout(dims[1], dims[2], input.width, input.height, output.strides);
    const strides = this.levels.map((l) => l.stride);
    if (strides.join() !== output.strides.join()) {
      throw new DetectExplainError('BAD_MODEL', `detector '${spec.id}': the output is made of maps at strides ${strides.join('/')}, the spec says ${output.strides.join('/')}`);
    }
  }

  static async create(ort: OrtRuntime, modelBytes: Uint8Array, spec: DetectorSpec, labels: string[],
    options: DetectorExplainerOptions = {}): Promise<DetectorExplainer> {
    try {
      validateDetectorSpec(spec);
      const analysis = new ModelAnalysis(modelBytes, {
        input: spec.input.name, inputShape: [1, 3, spec.input.height, spec.input.width], output: spec.output.name, logits: spec.output.name,
      });
      const ex = new DetectorExplainer(ort, analysis, spec, labels, options);
      ex.checkLayers(ex.defaultLayers);
      return ex;
    } catch (e) {
      if (e instanceof DetectExplainError) throw e;
      throw new DetectExplainError('BAD_MODEL', `detector '${spec.id}' cannot be explained: ${(e as Error).message}`);
    }
  }

  /** One layer per stride (finest first): the maps EigenCAM combines, and each level's boxes' gradient layer. */
  get defaultLayers(): string[] {
    return this.levels.map((l) => l.layer);
  }

  /** Every layer that can be explained (4-D maps the output depends on), in graph order. */
  candidateLayers(): string[] {
    return this.analysis.candidateLayers();
  }

  /** The default layer for a box: its stride's level layer. */
  layerForBox(box: AnchoredDetection): string {
    const stride = this.layout.stride[box.anchor];
    return this.levels.find((l) => l.stride === stride)!.layer;
  }

  private head(layer: string): HeadModels {
    let h = this.heads.get(layer);
    if (!h) {
      try {
        h = buildHeadModels(this.analysis, layer);
      } catch (e) {
        throw new DetectExplainError('BAD_LAYER', `layer '${layer}': ${(e as Error).message}`);
      }
      this.heads.set(layer, h);
    }
    return h;
  }

  private session(bytes: Uint8Array): Promise<InferenceSession> {
    return this.ort.InferenceSession.create(bytes, { ...DEFAULT_SESSION_OPTIONS, ...this.options.sessionOptions });
  }

  private checkLayers(layers: string[]): void {
    for (const l of layers) {
      try {
        this.analysis.checkLayer(l);
      } catch (e) {
        throw new DetectExplainError('BAD_LAYER', `${(e as Error).message} (candidates: ${this.candidateLayers().slice(-12).join(', ')}, …)`);
      }
    }
  }

  private forward(layers: string[]): Promise<{ session: InferenceSession; outputs: string[] }> {
    const key = [...layers].sort().join('\u0000');
    let s = this.forwardSessions.get(key);
    if (!s) {
      const extra = [...new Set(layers.flatMap((l) => [l, ...this.head(l).sideInputs]))];
      s = this.session(encodeModel(buildForwardModel(this.analysis, extra))).then((session) => ({ session, outputs: [this.analysis.logits, ...extra] }));
      this.forwardSessions.set(key, s);
      s.catch(() => this.forwardSessions.delete(key));
    }
    return s;
  }

  /** Letterbox → forward → detections; keeps the activations of `layers` for the explanations. */
  async run(image: RgbImage, options: RunOptions = {}): Promise<DetectorRun> {
    const layers = options.layers ?? this.defaultLayers;
    this.checkLayers(layers);
    const { input } = this.spec;
    const lb = letterbox(image, input);
    const fwd = await this.forward(layers);
    const res = await runSession(this.ort, fwd.session, { [this.analysis.input]: { data: lb.tensor, dims: [1, 3, input.height, input.width] } }, fwd.outputs);
    const out = res[this.analysis.logits];
    const detections = yoloxDetections(out.data, out.dims, this.spec, this.labels, lb.ratio, image.width, image.height, {
      scoreThreshold: options.scoreThreshold ?? this.spec.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD,
      nmsThreshold: options.nmsThreshold ?? this.spec.nmsThreshold ?? DEFAULT_NMS_THRESHOLD,
    });
    const tensors: DetectorRun['tensors'] = {};
    for (const name of fwd.outputs) if (name !== this.analysis.logits) tensors[name] = res[name];
    return { imageWidth: image.width, imageHeight: image.height, letterbox: lb, output: out.data, outputDims: out.dims, detections, tensors };
  }

  private activations(run: DetectorRun, layer: string): { data: Float32Array; dims: readonly number[] } {
    const a = run.tensors[layer];
    if (!a) throw new DetectExplainError('BAD_LAYER', `the run did not keep layer '${layer}' (ask for it in run({ layers }))`);
    return a;
  }

  private camContext(run: DetectorRun, layer: string, gradients: Float32Array | undefined, boxes: AnchoredDetection[], eigenSmooth: boolean): CamContext {
    const a = this.activations(run, layer);
    const [, C, h, w] = a.dims;
    const { input } = this.spec;
    const refuse = async (): Promise<Float32Array> => {
      throw new DetectExplainError('BAD_METHOD', 'perturbation methods are not offered for detectors');
    };
    return {
      activations: { data: a.data, channels: C, height: h, width: w },
      gradients,
      targets: boxes.length ? boxes.map((b) => ({ classIndex: b.classIndex, kind: 'logit' as const })) : [{ classIndex: 0, kind: 'logit' as const }],
      input: run.letterbox.tensor,
      inputDims: [1, 3, input.height, input.width],
      logits: run.output,
      numClasses: this.analysis.numClasses,
      forwardInputs: refuse,
      forwardActivations: refuse,
      batchSize: 1,
      eigenSmooth,
    };
  }

  private finish(run: DetectorRun, method: string, layers: string[], cams: FloatMap[]): DetectorMap {
    const { input } = this.spec;
    const inputMap = aggregateLayerCams(cams, input.width, input.height);
    const map = letterboxToImage(inputMap, run.letterbox, run.imageWidth, run.imageHeight);
    return { method, layers, cams, inputMap, map };
  }

  /** EigenCAM of the image: the first principal component of each layer's activations, combined over `layers` (default: one per stride). */
  async eigenCam(run: DetectorRun, layers: string[] = this.defaultLayers): Promise<DetectorMap> {
    this.checkLayers(layers);
    const method = getCamMethod('eigencam') as CamMethod;
    const cams: FloatMap[] = [];
    for (const layer of layers) {
      const ctx = this.camContext(run, layer, undefined, [], false);
      const [cam] = await method.compute(ctx);
      cams.push({ width: ctx.activations.width, height: ctx.activations.height, values: cam });
    }
    return this.finish(run, 'eigencam', layers, cams);
  }

  /** The box targets' seed rows and values (for tests and for shells that show the score). */
  boxTarget(run: DetectorRun, box: AnchoredDetection, iouBox?: BoxExplainOptions['iouBox']): { target: BoxTarget; seed: Float32Array; value: number } {
    const r = run.letterbox.ratio;
    const target: BoxTarget = { anchor: box.anchor, classIndex: box.classIndex, iouBox: iouBox && [iouBox[0] * r, iouBox[1] * r, iouBox[2] * r, iouBox[3] * r] };
    return { target, seed: boxTargetSeed(run.output, this.layout, target), value: boxTargetValue(run.output, this.layout, target) };
  }

  /** d target / d layer for each box, [K, C, h, w], in one head-gradient run. */
  async boxGradients(run: DetectorRun, layer: string, boxes: AnchoredDetection[], iouBox?: BoxExplainOptions['iouBox']): Promise<Float32Array> {
    const head = this.head(layer);
    let s = this.gradientSessions.get(layer);
    if (!s) {
      s = this.session(encodeModel(head.gradient));
      this.gradientSessions.set(layer, s);
      s.catch(() => this.gradientSessions.delete(layer));
    }
    const n = this.analysis.numClasses;
    const seeds = new Float32Array(boxes.length * n);
    boxes.forEach((b, k) => seeds.set(this.boxTarget(run, b, iouBox).seed, k * n));
    const feeds: Record<string, { data: Float32Array; dims: readonly number[] }> = { [layer]: this.activations(run, layer), [SEEDS]: { data: seeds, dims: [boxes.length, n] } };
    for (const t of head.sideInputs) feeds[t] = run.tensors[t];
    const out = await runSession(this.ort, await s, feeds, [GRADIENTS]);
    return out[GRADIENTS].data;
  }

  /** A gradient CAM for each box (pytorch-grad-cam's box score target), combined over its layers. */
  async explainBoxes(run: DetectorRun, boxes: AnchoredDetection[], options: BoxExplainOptions = {}): Promise<DetectorMap[]> {
    let method: CamMethod;
    try {
      const m = getCamMethod(options.method ?? 'gradcam');
      if (m.kind !== 'cam' || (m.cost !== 'gradient' && m.cost !== 'activation')) {
        throw new Error(`'${m.id}' is not offered for detector boxes (gradient CAMs and EigenCAM are)`);
      }
      method = m;
    } catch (e) {
      throw new DetectExplainError('BAD_METHOD', (e as Error).message);
    }
    for (const b of boxes) {
      if (!(b.anchor >= 0 && b.anchor < this.layout.rows)) throw new DetectExplainError('BAD_BOX', `box anchor ${b.anchor} is not an output row`);
    }
    if (!method.needsGradients) {
      const image = await this.eigenCam(run, options.layers);
      return boxes.map((box) => ({ ...image, box, score: this.boxTarget(run, box, options.iouBox).value }));
    }
    const layersOf = boxes.map((b) => options.layers ?? [this.layerForBox(b)]);
    this.checkLayers([...new Set(layersOf.flat())]);
    // per layer, the boxes that need it: one head-gradient run each
    const cams = boxes.map(() => new Map<string, FloatMap>());
    for (const layer of new Set(layersOf.flat())) {
      const which = boxes.map((_, k) => k).filter((k) => layersOf[k].includes(layer));
      const picked = which.map((k) => boxes[k]);
      const gradients = await this.boxGradients(run, layer, picked, options.iouBox);
      const ctx = this.camContext(run, layer, gradients, picked, options.eigenSmooth ?? false);
      const maps = await method.compute(ctx);
      which.forEach((k, j) => cams[k].set(layer, { width: ctx.activations.width, height: ctx.activations.height, values: maps[j] }));
    }
    return boxes.map((box, k) => ({
      ...this.finish(run, method.id, layersOf[k], layersOf[k].map((l) => cams[k].get(l)!)),
      box, score: this.boxTarget(run, box, options.iouBox).value,
    }));
  }

  async release(): Promise<void> {
    const all = [...this.forwardSessions.values()].map((p) => p.then((f) => f.session.release(), () => {}))
      .concat([...this.gradientSessions.values()].map((p) => p.then((s) => s.release(), () => {})));
    await Promise.all(all);
  }
}
