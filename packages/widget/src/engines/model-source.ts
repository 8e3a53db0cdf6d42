// Which model a widget runs locally and where its files are: a manifest id looked up in
// `<models-base>manifest.json` (files under `<models-base>files/`), or an .onnx URL with a `model-spec`
// (or a JSON spec beside it) that needs to say only what the graph cannot: the preprocessing.
import {
  completeModelSpec, findModel, missingError, missingPreprocessing, ModelSpecError, parseLabels, parseManifest, readModelSpecJson,
  UnknownModelError, type Manifest, type ModelSpec, type PartialModelSpec,
} from '@saliency-explainer/core';
import { WidgetError } from '../errors.js';
import { fetchBytes, type DownloadProgress } from '../net/cached-fetch.js';

export interface ModelSource {
  /** The manifest id, or the model URL. */
  id: string;
  /** The full spec: a manifest model's; for a model given by URL, known once its file is read (see `given`). */
  spec?: ModelSpec;
  /**
   * A model given by URL: what its spec said (model-spec, or the JSON beside the file), completed from
   * the graph when the file has been downloaded (core completeModelSpec: input name and size, output).
   */
  given?: PartialModelSpec;
  modelUrl: string;
  /** The labels themselves, or where they are; null: none given, the classes are called "class N". */
  labels: string[] | { url: string } | null;
}

/**
 * What the `model-spec` attribute holds for a model given by URL: JSON text, or the URL of a JSON file,
 * in any of the project's forms (core readModelSpecJson): {"channelOrder","scale","mean","std"} at the
 * least (the input's name and size and the output come from the graph), a models/manifest.json entry
 * ({"input","output","labels",…}), or a ../shared/models/…/model.json. `labels` is a list or the URL of
 * a one-label-a-line file (relative to the spec's file, or to the page for inline JSON).
 */
export type ModelSpecAttribute = Record<string, unknown>;

const manifests = new Map<string, Promise<Manifest>>();

/** A `model` value that names a file rather than a manifest id. */
export function isModelUrl(model: string): boolean {
  return /\.onnx(?:[?#]|$)/i.test(model) || /^(?:[a-z][a-z0-9+.-]*:|\/|\.\.?\/)/i.test(model);
}

async function loadManifest(url: string): Promise<Manifest> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new WidgetError('MODEL_LOAD_FAILED', `cannot fetch the model manifest ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new WidgetError('MODEL_LOAD_FAILED', `cannot fetch the model manifest ${url}: HTTP ${res.status}`);
  try {
    return parseManifest(await res.text());
  } catch (e) {
    throw new WidgetError('MODEL_LOAD_FAILED', `the model manifest ${url} is not valid: ${(e as Error).message}`, { cause: e });
  }
}

/** The manifest under `modelsBase`, fetched once per page (a failure is retried by the next call). */
export function manifestAt(modelsBase: string): Promise<Manifest> {
  const url = new URL('manifest.json', modelsBase).href;
  let m = manifests.get(url);
  if (!m) {
    m = loadManifest(url);
    m.catch(() => manifests.delete(url));
    manifests.set(url, m);
  }
  return m;
}

async function fetchJson(url: string, what: string): Promise<unknown | undefined> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new WidgetError('MODEL_LOAD_FAILED', `cannot fetch ${what} ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new WidgetError('MODEL_LOAD_FAILED', `cannot fetch ${what} ${url}: HTTP ${res.status}`);
  try {
    return await res.json();
  } catch (e) {
    throw new WidgetError('BAD_ATTRIBUTE', `${what} ${url} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The spec of a model given by URL: model-spec as JSON text or a JSON file's URL; without model-spec,
 * the JSON file beside the model (model.onnx → model.json), as `explain --model-file` finds it.
 * Checked before the model is downloaded for what no graph can tell (the preprocessing).
 */
async function specFromAttribute(modelUrl: string, attr: string | undefined): Promise<{ given: PartialModelSpec; labels: ModelSource['labels'] }> {
  let raw: unknown;
  let base = document.baseURI;
  let from: string;
  if (attr && attr.trim().startsWith('{')) {
    from = 'model-spec';
    try {
      raw = JSON.parse(attr);
    } catch (e) {
      throw new WidgetError('BAD_ATTRIBUTE', `model-spec is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    // model-spec's URL; or beside the model: NAME.json, then the folder's model.json (../shared/models' layout)
    const urls = attr ? [new URL(attr, document.baseURI).href]
      : [...new Set([modelUrl.replace(/\.onnx(?=[?#]|$)/i, '.json'), new URL('model.json', modelUrl).href])];
    from = attr ? `model-spec ${urls[0]}` : `model="${modelUrl}" (no model-spec, and no ${urls.join(' or ')} beside it)`;
    for (const url of urls) {
      raw = await fetchJson(url, 'the model spec');
      if (raw !== undefined) {
        base = url;
        if (!attr) from = `the model spec ${url}`;
        break;
      }
    }
    if (raw === undefined) {
      if (attr) throw new WidgetError('BAD_ATTRIBUTE', `model-spec ${urls[0]}: not found (HTTP 404)`);
      raw = {};
    }
  }
  let given: PartialModelSpec;
  try {
    given = readModelSpecJson(raw);
  } catch (e) {
    throw new WidgetError('BAD_ATTRIBUTE', `${from}: ${(e as Error).message}`);
  }
  const missing = missingPreprocessing(given);
  if (missing.length) throw new WidgetError('BAD_ATTRIBUTE', `${from}: ${missingError(missing).message}`);
  // a shared model.json writes prose after the labels path: "../labels/x.txt (1000 lines, …)"
  const labels = Array.isArray(given.labels) ? given.labels
    : typeof given.labels === 'string' ? { url: new URL(given.labels.trim().split(/\s/)[0], base).href } : null;
  return { given, labels };
}

/** Resolve `model` (id or URL) to its spec and file locations. */
export async function resolveModel(model: string | undefined, modelSpec: string | undefined, modelsBase: string): Promise<ModelSource> {
  if (model && isModelUrl(model)) {
    const modelUrl = new URL(model, document.baseURI).href;
    const { given, labels } = await specFromAttribute(modelUrl, modelSpec);
    return { id: modelUrl, given, modelUrl, labels };
  }
  const manifest = await manifestAt(modelsBase);
  let spec: ModelSpec;
  try {
    spec = findModel(manifest, model || undefined);
  } catch (e) {
    if (e instanceof UnknownModelError) throw new WidgetError('UNKNOWN_MODEL', e.message, { cause: e });
    throw e;
  }
  const files = new URL('files/', modelsBase);
  return {
    id: spec.id,
    spec,
    modelUrl: new URL(spec.file, files).href,
    labels: typeof spec.labels === 'string' ? { url: new URL(spec.labels, files).href } : spec.labels,
  };
}

/**
 * The full spec of `source` once its file is read: a manifest model's as it is; a model given by URL
 * completed from its graph (core completeModelSpec). A spec the graph contradicts or cannot complete is
 * a BAD_ATTRIBUTE error naming what to give.
 */
export function fullSpec(source: ModelSource, bytes: Uint8Array): ModelSpec {
  if (source.spec) return source.spec;
  try {
    return completeModelSpec(source.given ?? { input: {}, output: {} }, bytes, { id: source.id, file: source.modelUrl, labels: [] });
  } catch (e) {
    if (e instanceof ModelSpecError) throw new WidgetError('BAD_ATTRIBUTE', `model-spec of ${source.modelUrl}: ${e.message}`);
    throw e;
  }
}

/** The model's labels (downloaded through the cache when they are a file); null: none given. */
export async function loadLabels(source: ModelSource): Promise<string[] | null> {
  if (source.labels === null) return null;
  if (Array.isArray(source.labels)) return source.labels;
  const { bytes } = await fetchBytes(source.labels.url);
  return parseLabels(new TextDecoder().decode(bytes));
}

/** The model's bytes (Cache Storage, checked against the manifest's sha256 when it gives one). */
export async function loadModelBytes(source: ModelSource, onProgress?: (p: DownloadProgress) => void): Promise<{ bytes: Uint8Array; source: 'cache' | 'network' }> {
  return fetchBytes(source.modelUrl, { sha256: source.spec?.sha256, onProgress });
}
