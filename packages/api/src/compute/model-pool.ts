// The models a server explains. The main thread keeps each model's analysed graph (layers, classes,
// labels: what requests are validated against); the ONNX sessions live in the engine workers, one
// Explainer per model per worker, created on first use and kept. Light explain batches go to the
// regular workers, heavy batches and measures to workers of their own, so the two run at the same
// time instead of one after the other. The execution provider is picked once.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyseModel, findDetector, UnknownModelError, type DetectorSpec, type Manifest, type ModelAnalysis, type ModelSpec } from '@saliency-explainer/core';
import { loadServedModel, loadUserModel, readManifest, userModelNames } from '../models/loader.js';
import { WorkerPool } from './worker-pool.js';
import { DetectorThreads, loadServedDetector, presentDetectors, type ServedDetector } from './detector-models.js';
import type { ItemResult, MeasureJob, WorkItem } from './worker-protocol.js';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface PoolOptions {
  modelsDir: string;
  /** A user's folder of own models (NAME.onnx + NAME.json; models/loader.ts loadUserModel), all served; or null. */
  userModelsDir?: string | null;
  /** Ids to serve; null: every manifest model whose files are present, test fixtures excepted. */
  models: string[] | null;
  executionProvider: 'auto' | ExecutionProvider;
  /** Perturbation inputs per forward run; undefined: each model's own (engineBatchSize). */
  perturbationBatchSize: number | undefined;
  /** Engine worker threads. */
  workers: number;
  /** ONNX Runtime intra-op threads per session; 0 = its default. */
  intraOpThreads: number;
  maxImagePixels: number;
  /** Full-resolution pixels each worker decodes at once (SALIENCY_DECODE_PIXELS). */
  decodePixels: number;
  /** Engine workers of their own for heavy requests and measures (SALIENCY_HEAVY_WORKERS, ≥ 1). */
  heavyWorkers: number;
}

export interface ServedModel {
  spec: ModelSpec;
  labels: string[];
  analysis: ModelAnalysis;
  defaultLayer: string;
  numClasses: number;
}

/**
 * Whether CUDA can be tried: onnxruntime-node lists it, and its provider library is installed
 * (it is an optional download of the package's install script, skipped on CPU machines).
 */
function cudaInstalled(): boolean {
  if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) return false;
  const binding = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(binding, 'libonnxruntime_providers_cuda.so'));
}

export class ModelPool {
  readonly manifest: Manifest;
  /** The specs of the user's own models (their labels included), served beside the manifest's. */
  readonly userModels: ModelSpec[];
  readonly ids: string[];
  readonly defaultId: string;
  /** The object detectors served (compute/detector-models.ts), beside the classifiers of `ids`. */
  readonly detectorIds: string[];
  readonly executionProvider: ExecutionProvider;
  private readonly loaded = new Map<string, Promise<ServedModel>>();
  private readonly detectorsLoaded = new Map<string, Promise<ServedDetector>>();
  private detectorThreads: DetectorThreads | null = null;
  private readonly workers: WorkerPool;
  /** Heavy requests (Score-CAM, Ablation-CAM, many classes) and measures run here, beside the light ones. */
  private readonly heavy: WorkerPool;

  constructor(private readonly options: PoolOptions) {
    this.manifest = readManifest(options.modelsDir);
    // the user's own models, each read and checked now: a wrong spec stops the server before it starts
    const userDir = options.userModelsDir;
    this.userModels = userDir ? userModelNames(userDir).map((name) => loadUserModel(userDir, name).spec) : [];
    for (const u of this.userModels) {
      if (this.manifest.models.some((m) => m.id === u.id)) throw new Error(`user model '${u.id}' (${userDir}) has the id of a manifest model: rename its file`);
    }
    const detectorIds = (this.manifest.detectors ?? []).map((d) => d.id);
    const known = [...this.manifest.models, ...this.userModels].map((m) => m.id).concat(detectorIds);
    // by default the real models; test fixtures (random weights) only when asked for by id
    const present = this.manifest.models
      .filter((m) => !m.fixture && existsSync(join(options.modelsDir, 'cache', m.file)))
      .map((m) => m.id);
    if (options.models) {
      for (const id of options.models) {
        if (!known.includes(id)) throw new UnknownModelError(id, known);
      }
      // a user's folder is served whole, beside the models asked for
      const classifiers = options.models.filter((id) => !detectorIds.includes(id));
      this.ids = [...classifiers, ...this.userModels.map((m) => m.id).filter((id) => !classifiers.includes(id))];
      this.detectorIds = options.models.filter((id) => detectorIds.includes(id));
    } else {
      this.ids = [...present, ...this.userModels.map((m) => m.id)];
      this.detectorIds = presentDetectors(this.manifest, (file) => existsSync(join(options.modelsDir, 'cache', file)));
    }
    if (this.ids.length === 0) throw new Error(`no model files in ${join(options.modelsDir, 'cache')}; run \`npm run models\``);
    this.defaultId = this.ids.includes(this.manifest.default) ? this.manifest.default : this.ids[0];
    this.executionProvider = options.executionProvider === 'auto' ? (cudaInstalled() ? 'cuda' : 'cpu') : options.executionProvider;
    const config = {
      modelsDir: options.modelsDir,
      userModelsDir: options.userModelsDir ?? null,
      executionProvider: this.executionProvider,
      perturbationBatchSize: options.perturbationBatchSize,
      intraOpThreads: options.intraOpThreads,
      maxImagePixels: options.maxImagePixels,
      decodePixels: options.decodePixels,
    };
    this.workers = new WorkerPool(Math.max(1, options.workers), config);
    // heavy work runs at once with light work: by default on half the cores, so light runs keep the rest
    this.heavy = new WorkerPool(Math.max(1, options.heavyWorkers), {
      ...config, intraOpThreads: options.intraOpThreads || Math.max(1, Math.floor(availableParallelism() / 2)),
    });
  }

  /** The user's folder of own models, or null. */
  get userModelsDir(): string | null {
    return this.options.userModelsDir ?? null;
  }

  get workerCount(): number {
    return this.workers.size;
  }

  get heavyWorkerCount(): number {
    return this.heavy.size;
  }

  spec(id: string): ModelSpec {
    if (!this.ids.includes(id)) throw new UnknownModelError(id, this.ids);
    return this.manifest.models.find((m) => m.id === id) ?? this.userModels.find((m) => m.id === id)!;
  }

  /** The model, analysed here and compiled in every worker on first use; concurrent first uses share one load. */
  get(id: string = this.defaultId): Promise<ServedModel> {
    this.spec(id);
    let m = this.loaded.get(id);
    if (!m) {
      m = (async () => {
        const { spec, labels, bytes } = loadServedModel(this.options, id);
        const analysis = analyseModel(bytes, spec);
        if (labels.length !== analysis.numClasses) throw new Error(`model '${id}' has ${analysis.numClasses} classes but ${labels.length} labels`);
        await Promise.all([this.workers.load(id), this.heavy.load(id)]);
        return { spec, labels, analysis, defaultLayer: spec.targetLayer ?? analysis.defaultLayer(), numClasses: analysis.numClasses };
      })();
      m.catch(() => this.loaded.delete(id));
      this.loaded.set(id, m);
    }
    return m;
  }

  isDetector(id: string): boolean {
    return this.detectorIds.includes(id);
  }

  detectorSpec(id: string): DetectorSpec {
    if (!this.isDetector(id)) throw new UnknownModelError(id, [...this.ids, ...this.detectorIds]);
    return findDetector(this.manifest, id);
  }

  /** A served detector, analysed here on first use (its sessions live on the detector thread). */
  detector(id: string): Promise<ServedDetector> {
    const spec = this.detectorSpec(id);
    let d = this.detectorsLoaded.get(id);
    if (!d) {
      d = (async () => loadServedDetector(this.options.modelsDir, spec))();
      d.catch(() => this.detectorsLoaded.delete(id));
      this.detectorsLoaded.set(id, d);
    }
    return d;
  }

  /** The thread that runs the detectors' explanations (started on first use). */
  get detectors(): DetectorThreads {
    this.detectorThreads ??= new DetectorThreads({
      modelsDir: this.options.modelsDir, maxImagePixels: this.options.maxImagePixels, intraOpThreads: this.options.intraOpThreads,
    });
    return this.detectorThreads;
  }

  /** Run a batch of explain requests for one model on an engine worker (a heavy one for a heavy batch). */
  explain(model: string, items: WorkItem[], heavy = false): Promise<ItemResult[]> {
    return (heavy ? this.heavy : this.workers).explain(model, items);
  }

  /** Measure one heatmap of `model` on a heavy engine worker (see compute/measure.ts): tens of forward passes. */
  measure(model: string, job: MeasureJob): Promise<unknown> {
    return this.heavy.measure(model, job);
  }

  async close(): Promise<void> {
    await Promise.all([this.workers.close(), this.heavy.close(), this.detectorThreads?.close()]);
    this.loaded.clear();
  }
}
