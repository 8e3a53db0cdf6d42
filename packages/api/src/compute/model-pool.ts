// The models a server explains: one Explainer (its ONNX sessions compiled once per target layer)
// per manifest model, created on first use and kept; the execution provider picked once.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Explainer, UnknownModelError, type Manifest, type ModelSpec } from '@saliency-explainer/core';
import { loadManifestModel, readManifest } from '../cli/model-loader.js';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface PoolOptions {
  modelsDir: string;
  /** Ids to serve; null: every manifest model whose files are present. */
  models: string[] | null;
  executionProvider: 'auto' | ExecutionProvider;
  perturbationBatchSize: number;
}

export interface ServedModel {
  spec: ModelSpec;
  labels: string[];
  explainer: Explainer;
  executionProvider: ExecutionProvider;
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
  readonly ids: string[];
  readonly defaultId: string;
  private readonly loaded = new Map<string, Promise<ServedModel>>();
  private provider: ExecutionProvider;

  constructor(private readonly options: PoolOptions) {
    this.manifest = readManifest(options.modelsDir);
    const present = this.manifest.models
      .filter((m) => existsSync(join(options.modelsDir, 'cache', m.file)))
      .map((m) => m.id);
    if (options.models) {
      for (const id of options.models) if (!this.manifest.models.some((m) => m.id === id)) throw new UnknownModelError(id, this.manifest.models.map((m) => m.id));
      this.ids = options.models;
    } else {
      this.ids = present;
    }
    if (this.ids.length === 0) throw new Error(`no model files in ${join(options.modelsDir, 'cache')}; run \`npm run models\``);
    this.provider = options.executionProvider === 'auto' ? (cudaInstalled() ? 'cuda' : 'cpu') : options.executionProvider;
    this.defaultId = this.ids.includes(this.manifest.default) ? this.manifest.default : this.ids[0];
  }

  /** The provider models run on: CUDA when asked for or (auto) when it loads, else the CPU. */
  get executionProvider(): ExecutionProvider {
    return this.provider;
  }

  private create(model: ReturnType<typeof loadManifestModel>, provider: ExecutionProvider): Promise<Explainer> {
    return Explainer.create(ort, model.bytes, model.spec, model.labels, {
      batchSize: this.options.perturbationBatchSize,
      sessionOptions: { executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'] },
    });
  }

  spec(id: string): ModelSpec {
    if (!this.ids.includes(id)) throw new UnknownModelError(id, this.ids);
    return this.manifest.models.find((m) => m.id === id)!;
  }

  /** The model's Explainer, compiled on first use; concurrent first uses share one load. */
  get(id: string = this.defaultId): Promise<ServedModel> {
    this.spec(id);
    let m = this.loaded.get(id);
    if (!m) {
      m = (async () => {
        const model = loadManifestModel(this.options.modelsDir, id);
        let explainer: Explainer;
        try {
          explainer = await this.create(model, this.provider);
        } catch (e) {
          if (this.provider !== 'cuda' || this.options.executionProvider === 'cuda') throw e;
          this.provider = 'cpu'; // auto: CUDA is listed but its libraries do not load here
          explainer = await this.create(model, 'cpu');
        }
        return { spec: model.spec, labels: model.labels, explainer, executionProvider: this.provider };
      })();
      m.catch(() => this.loaded.delete(id));
      this.loaded.set(id, m);
    }
    return m;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.loaded.values());
    for (const r of all) if (r.status === 'fulfilled') await r.value.explainer.release();
    this.loaded.clear();
  }
}
