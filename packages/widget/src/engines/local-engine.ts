// The local engine: core's Explainer built in the browser (forward and gradient models compiled from
// the ONNX file by the same code as in Node, in a Web Worker where one starts: graph-compiler.ts) on
// ONNX Runtime Web's WebGPU or wasm execution provider; captions and faithfulness reports measured
// with core on the same sessions (batched forward runs).
import {
  analyseModel, captionMap, Explainer, getCamMethod, indexLabels, measureFaithfulness, preprocess,
  type Caption, type Detection, type FaithfulnessReport, type GraphKind, type ModelSpec, type RgbImage, type ScoreFn,
} from '@saliency-explainer/core';
import { asWidgetError, WidgetError } from '../errors.js';
import type { LoadedImage } from '../image/load-image.js';
import { type SharedTask, sharedTask } from '../net/shared-task.js';
import { loadDetector } from './detector-source.js';
import { fullSpec, loadLabels, loadModelBytes, type ModelSource } from './model-source.js';
import { loadOrt, type OrtFlavor } from './ort-loader.js';
import { browserRuntime } from './ort-runtime.js';
import type { CaptionRequest, Engine, EngineResult, ExplainQuery, LoadProgress, MeasureRequest } from './types.js';
import { loadCaptioner } from './captioner-source.js';
import { CompileWorker } from './graph-compiler.js';
import { DEFAULT_ENGINE_TIMEOUT_MS, stalledRuntime, watchEngineStart } from './watchdog.js';

const engines = new Map<string, SharedTask<LocalEngine>>();

export class LocalEngine implements Engine {
  /** Runs one after another: sessions are shared by every widget on the page showing this model. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tensors = new WeakMap<LoadedImage, Float32Array>();
  private readonly probabilities = new WeakMap<LoadedImage, Promise<Float32Array>>();
  private readonly detections = new WeakMap<LoadedImage, Promise<Detection[]>>();

  private constructor(
    readonly backend: OrtFlavor,
    readonly source: ModelSource & { spec: ModelSpec },
    private readonly explainer: Explainer,
    /** Whether the model bytes came from Cache Storage (nothing downloaded). */
    readonly modelFromCache: boolean,
    private readonly wasmPaths: string,
    /** The engine's key in `engines`. */
    private readonly key: string,
    /** The worker that compiles the engine's graphs; none: they are compiled on the page. */
    private readonly compileWorker: CompileWorker | undefined,
    /** The engine-timeout it was loaded with (its wasm twin gets the same). */
    private readonly engineTimeout: number,
  ) {}

  /** Where the engine's graphs are compiled: in the Web Worker, or on the page (no worker could start). */
  get compilesIn(): 'worker' | 'page' {
    return this.compileWorker ? 'worker' : 'page';
  }

  /** What the worker compiled: each request's kind, in order, and how many graphs (ONNX models) in all. */
  get workerCompiled(): { requests: readonly GraphKind[]; graphs: number } {
    return { requests: [...(this.compileWorker?.compiled ?? [])], graphs: this.compileWorker?.graphs ?? 0 };
  }

  /**
   * The engine for `source` on `flavor`, created once per page: the runtime and the model are
   * downloaded (or read from Cache Storage) in parallel, then the sessions are compiled, within
   * `engineTimeout` ms (watchdog.ts; 0: no limit) or ENGINE_TIMEOUT.
   */
  static load(flavor: OrtFlavor, source: ModelSource, wasmPaths: string, onProgress?: (p: LoadProgress) => void,
    engineTimeout = DEFAULT_ENGINE_TIMEOUT_MS): Promise<LocalEngine> {
    // one engine per runtime, model file and spec (the same file under another spec is another engine)
    const key = JSON.stringify([flavor, wasmPaths, source.modelUrl, source.spec ?? source.given, source.labels && !Array.isArray(source.labels) ? source.labels.url : null]);
    const runtime = `ONNX Runtime Web (${flavor}, ${wasmPaths})`;
    const task = sharedTask(engines, key, async (emit) => {
      const stalled = stalledRuntime(runtime);
      if (stalled) throw stalled;
      // the compile worker starts while the runtime and the model download
      const started = CompileWorker.start();
      try {
        const [ort, model, labels] = await Promise.all([
          loadOrt(flavor, wasmPaths, (p) => emit({ ...p, what: 'runtime' } as LoadProgress)),
          loadModelBytes(source, (p) => emit({ ...p, what: 'model' } as LoadProgress)),
          loadLabels(source),
        ]);
        // a model given by URL: its spec completed from the graph now that the file is here
        const spec = fullSpec(source, model.bytes);
        const compileWorker = await started;
        const compiler = compileWorker?.compilerFor(model.bytes, spec);
        let explainer: Explainer;
        try {
          explainer = await watchEngineStart(Explainer.create(browserRuntime(ort), model.bytes, spec, labels ?? indexLabels(analyseModel(model.bytes, spec, { weights: false }).numClasses), {
            sessionOptions: { executionProviders: [flavor] },
            ...(compiler ? { compiler } : {}),
          }), engineTimeout, runtime, (late) => void late.release());
        } catch (e) {
          throw asWidgetError(e, 'MODEL_LOAD_FAILED');
        }
        return new LocalEngine(flavor, { ...source, spec }, explainer, model.source === 'cache', wasmPaths, key, compileWorker, engineTimeout);
      } catch (e) {
        (await started)?.terminate();
        throw e;
      }
    });
    return task.follow(onProgress as ((p: unknown) => void) | undefined) as Promise<LocalEngine>;
  }

  /**
   * Releases the engine's sessions and stops its compile worker, after the work already queued; the
   * next load of the same model on the page creates a new engine.
   */
  async release(): Promise<void> {
    const task = engines.get(this.key);
    if (task && (await task.promise.catch(() => null)) === this) engines.delete(this.key);
    await this.serial(() => this.explainer.release());
    this.compileWorker?.terminate();
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The model input of an image (Pillow-exact resize, as in Node), computed once per image. */
  private tensor(image: LoadedImage): Float32Array {
    let t = this.tensors.get(image);
    if (!t) {
      const { data, width, height } = image.pixels;
      t = preprocess({ data, width, height, channels: 4 }, this.source.spec.input);
      this.tensors.set(image, t);
    }
    return t;
  }

  /** WebGPU: the wasm engine of the same model, which runs its pixel attributions (see explain). */
  private pixelEngine?: Promise<LocalEngine>;

  /**
   * Pixel attributions back-propagate through the whole network. ONNX Runtime Web's WebGPU provider
   * (1.30) cannot run MaxPool with its Indices output, which MaxPool's backward reads (the gradient goes
   * to the first maximum, as in PyTorch): on WebGPU a model with a MaxPool runs its pixel attributions
   * on the wasm engine of the same model (shared by the page), and any other WebGPU failure of a pixel
   * method falls back to it the same way (remembered). Their result says backend 'wasm'.
   */
  async explain(image: LoadedImage, query: ExplainQuery): Promise<EngineResult> {
    if (this.backend !== 'webgpu' || !query.methods.some((m) => getCamMethod(m).kind === 'attribution')) return this.explainHere(image, query);
    if (!this.pixelEngine && this.explainer.analysis.graph.nodes.some((n) => n.opType === 'MaxPool')) this.pixelEngine = this.wasmTwin();
    if (!this.pixelEngine) {
      try {
        return await this.explainHere(image, query);
      } catch {
        this.pixelEngine = this.wasmTwin();
      }
    }
    return (await this.pixelEngine!).explain(image, query);
  }

  private wasmTwin(): Promise<LocalEngine> {
    const twin = LocalEngine.load('wasm', this.source, this.wasmPaths, undefined, this.engineTimeout);
    twin.catch(() => {
      if (this.pixelEngine === twin) this.pixelEngine = undefined;
    });
    return twin;
  }

  private async explainHere(image: LoadedImage, query: ExplainQuery): Promise<EngineResult> {
    const input = this.tensor(image);
    let r;
    try {
      r = await this.serial(() => this.explainer.explain(input, { ...query, target: 'logit' }));
    } catch (e) {
      throw asWidgetError(e, 'ENGINE_FAILED');
    }
    const { width, height, resize, resizeShorter } = this.source.spec.input;
    return {
      backend: this.backend,
      model: this.source.id,
      layer: r.layer,
      view: { width, height, resize, resizeShorter },
      predictions: r.predictions,
      maps: r.maps.map(({ method, classIndex, label, raw }) => ({ method, classIndex, label, score: r.probabilities[classIndex], raw })),
    };
  }

  /** The model as core's measures call it: batched forward runs, queued with the engine's other work. */
  private score(signal?: AbortSignal): ScoreFn {
    return (batch, n) => {
      signal?.throwIfAborted();
      return this.serial(() => {
        signal?.throwIfAborted();
        return this.explainer.forwardInputs(batch, n);
      });
    };
  }

  /** Softmax probabilities of the image (one forward run, as the API's measures take them). */
  private probabilitiesOf(image: LoadedImage): Promise<Float32Array> {
    let p = this.probabilities.get(image);
    if (!p) {
      const input = this.tensor(image);
      p = this.serial(() => this.explainer.predict(input));
      p.catch(() => this.probabilities.delete(image));
      this.probabilities.set(image, p);
    }
    return p;
  }

  private detectionsOf(image: LoadedImage, modelsBase: string): Promise<Detection[]> {
    let d = this.detections.get(image);
    if (!d) {
      d = loadDetector(this.backend, this.wasmPaths, modelsBase).then((detector) => this.serial(() => detector.detect(rgbImage(image))));
      d.catch(() => this.detections.delete(image));
      this.detections.set(image, d);
    }
    return d;
  }

  async caption(image: LoadedImage, request: CaptionRequest): Promise<Caption> {
    try {
      const input = this.tensor(image);
      const [detections, probabilities, human] = await Promise.all([
        this.detectionsOf(image, request.modelsBase), this.probabilitiesOf(image), request.human(),
      ]);
      const subject = {
        image: rgbImage(image), spec: this.source.spec.input, input, probabilities, labels: this.explainer.labels, detections,
        ...(human ? { human } : {}),
      };
      const captioner = request.captioner ? await loadCaptioner(request.captioner) : undefined;
      return await captionMap(this.score(request.signal), subject, { classIndex: request.classIndex, map: request.map }, request.others,
        captioner ? { captioner } : {});
    } catch (e) {
      throw measureError(e, 'CAPTION_FAILED');
    }
  }

  async faithfulness(image: LoadedImage, request: MeasureRequest): Promise<FaithfulnessReport> {
    try {
      const { explainer } = this;
      return await measureFaithfulness(this.score(request.signal), this.tensor(image), explainer.inputShape, request.map, request.classIndex, {
        batchSize: explainer.batchSize,
      });
    } catch (e) {
      throw measureError(e, 'FAITHFULNESS_FAILED');
    }
  }
}

function rgbImage(image: LoadedImage): RgbImage {
  const { data, width, height } = image.pixels;
  return { data, width, height, channels: 4 };
}

/** An abort stays an abort (the map is no longer shown); anything else becomes a WidgetError. */
function measureError(e: unknown, code: 'CAPTION_FAILED' | 'FAITHFULNESS_FAILED'): unknown {
  if ((e as Error | null)?.name === 'AbortError' || e instanceof WidgetError) return e;
  return new WidgetError(code, (e as Error)?.message ?? String(e), { cause: e });
}
