// Which engine runs: the mode's candidates in order (auto: WebGPU → wasm → the API), falling back
// to the next when one cannot load the model or run it (or its runtime stalls: ENGINE_TIMEOUT); request errors (bad class, layer, method) do not fall back.
import { WidgetError, asWidgetError } from '../errors.js';
import type { LoadedImage } from '../image/load-image.js';
import { LocalEngine } from './local-engine.js';
import { resolveModel, isModelUrl, type ModelSource } from './model-source.js';
import type { OrtFlavor } from './ort-loader.js';
import { RemoteEngine } from './remote-engine.js';
import type { Backend, Engine, EngineResult, ExplainQuery, LoadProgress, Mode, ModelView } from './types.js';
import { webgpuAdapter } from './webgpu.js';

export interface EngineConfig {
  mode: Mode;
  /** GraphQL endpoint (absolute), or undefined: no remote engine. */
  api?: string;
  /** Folder of manifest.json and files/ (absolute). */
  modelsBase: string;
  /** Folder of ONNX Runtime Web's files (absolute). */
  wasmPaths: string;
  model?: string;
  modelSpec?: string;
  /** ms the local engine may take to start once its files are here (watchdog.ts; 0: no limit). */
  engineTimeout?: number;
}

/** A backend that was tried and skipped, and why. */
export interface Fallback {
  backend: Backend;
  code: string;
  message: string;
}

export interface EngineChoice {
  engine: Engine;
  result: EngineResult;
  fallbacks: Fallback[];
  /** Local engines: whether the model came from Cache Storage. */
  modelFromCache?: boolean;
}

/** Errors about the request itself: every backend would refuse it the same way. */
const REQUEST_ERRORS = new Set(['BAD_CLASS', 'BAD_LAYER', 'UNKNOWN_METHOD', 'BAD_ATTRIBUTE', 'BAD_REQUEST']);

interface Candidate {
  backend: Backend;
  create(): Promise<Engine>;
}

function local(flavor: OrtFlavor, config: EngineConfig, source: () => Promise<ModelSource>, onProgress: (p: LoadProgress) => void): Candidate {
  return { backend: flavor, create: async () => LocalEngine.load(flavor, await source(), config.wasmPaths, onProgress, config.engineTimeout) };
}

function remote(config: EngineConfig, source: () => Promise<ModelSource>): Candidate {
  return {
    backend: 'server',
    create: async () => {
      if (!config.api) throw new WidgetError('NO_API', 'mode="remote" needs an api attribute (the GraphQL endpoint)');
      if (config.model && isModelUrl(config.model)) {
        throw new WidgetError('UNKNOWN_MODEL', `the API runs its own models only, not ${config.model}`);
      }
      // the manifest tells how the model crops images; without it the API's input size is enough
      let view: ModelView | undefined;
      try {
        view = (await source()).spec?.input;
      } catch {
        view = undefined;
      }
      return new RemoteEngine(config.api, config.model || undefined, view);
    },
  };
}

async function candidates(config: EngineConfig, onProgress: (p: LoadProgress) => void): Promise<{ list: Candidate[]; skipped: Fallback[] }> {
  let resolved: Promise<ModelSource> | undefined;
  const source = () => (resolved ??= resolveModel(config.model, config.modelSpec, config.modelsBase));
  const skipped: Fallback[] = [];
  switch (config.mode) {
    case 'webgpu': {
      const adapter = await webgpuAdapter();
      if (!adapter) throw new WidgetError('WEBGPU_UNAVAILABLE', 'this browser offers no WebGPU adapter (mode="webgpu"); try mode="auto"');
      return { list: [local('webgpu', config, source, onProgress)], skipped };
    }
    case 'wasm':
      return { list: [local('wasm', config, source, onProgress)], skipped };
    case 'remote':
      return { list: [remote(config, source)], skipped };
    case 'auto': {
      const list: Candidate[] = [];
      if (await webgpuAdapter()) list.push(local('webgpu', config, source, onProgress));
      else skipped.push({ backend: 'webgpu', code: 'WEBGPU_UNAVAILABLE', message: 'no WebGPU adapter' });
      list.push(local('wasm', config, source, onProgress));
      if (config.api) list.push(remote(config, source));
      return { list, skipped };
    }
  }
}

/** Run the first explanation on the first candidate that works (`onComputing`: an engine is loaded and computing). */
export async function chooseEngine(config: EngineConfig, image: LoadedImage, query: ExplainQuery,
  onProgress: (p: LoadProgress) => void, onComputing?: (backend: Backend) => void): Promise<EngineChoice> {
  const { list, skipped } = await candidates(config, onProgress);
  const fallbacks = [...skipped];
  let last: WidgetError | undefined;
  for (const c of list) {
    try {
      const engine = await c.create();
      onComputing?.(engine.backend);
      const result = await engine.explain(image, query);
      const modelFromCache = engine instanceof LocalEngine ? engine.modelFromCache : undefined;
      return { engine, result, fallbacks, modelFromCache };
    } catch (e) {
      last = asWidgetError(e, c.backend === 'server' ? 'API_UNAVAILABLE' : 'MODEL_LOAD_FAILED');
      if (REQUEST_ERRORS.has(last.code)) throw last;
      fallbacks.push({ backend: c.backend, code: last.code, message: last.message });
    }
  }
  if (!last) throw new WidgetError('NO_API', 'no engine to run');
  const earlier = fallbacks.slice(0, -1);
  if (earlier.length) {
    throw new WidgetError(last.code, `${last.message} (also tried ${earlier.map((f) => `${f.backend}: ${f.message}`).join('; ')})`, { cause: last });
  }
  throw last;
}
