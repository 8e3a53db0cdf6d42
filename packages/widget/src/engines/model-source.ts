// Which model a widget runs locally and where its files are: a manifest id looked up in
// `<models-base>manifest.json` (files under `<models-base>files/`), or an .onnx URL with a `model-spec`.
import { findModel, parseLabels, parseManifest, UnknownModelError, validateSpec, type Manifest, type ModelSpec } from '@saliency-explainer/core';
import { WidgetError } from '../errors.js';
import { fetchBytes, type DownloadProgress } from '../net/cached-fetch.js';

export interface ModelSource {
  /** The manifest id, or the model URL. */
  id: string;
  spec: ModelSpec;
  modelUrl: string;
  /** The labels themselves, or where they are. */
  labels: string[] | { url: string };
}

/** What the `model-spec` attribute holds for a model given by URL. */
export interface ModelSpecAttribute {
  input: ModelSpec['input'];
  output: ModelSpec['output'];
  /** The labels, or a URL of a one-label-a-line file (relative to the page). */
  labels: string[] | string;
  targetLayer?: string;
}

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

function specFromAttribute(modelUrl: string, json: string | undefined): ModelSpec {
  if (!json) throw new WidgetError('BAD_ATTRIBUTE', `model="${modelUrl}" is a file: it needs a model-spec attribute ({"input", "output", "labels"})`);
  let attr: ModelSpecAttribute;
  try {
    attr = JSON.parse(json) as ModelSpecAttribute;
  } catch (e) {
    throw new WidgetError('BAD_ATTRIBUTE', `model-spec is not valid JSON: ${(e as Error).message}`);
  }
  const labels = typeof attr?.labels === 'string' ? new URL(attr.labels, document.baseURI).href : attr?.labels;
  const spec = { id: modelUrl, task: 'classification', file: modelUrl, labels, input: attr?.input, output: attr?.output, targetLayer: attr?.targetLayer } as ModelSpec;
  try {
    return validateSpec(spec, 'model-spec');
  } catch (e) {
    throw new WidgetError('BAD_ATTRIBUTE', (e as Error).message);
  }
}

/** Resolve `model` (id or URL) to its spec and file locations. */
export async function resolveModel(model: string | undefined, modelSpec: string | undefined, modelsBase: string): Promise<ModelSource> {
  if (model && isModelUrl(model)) {
    const modelUrl = new URL(model, document.baseURI).href;
    const spec = specFromAttribute(modelUrl, modelSpec);
    return { id: modelUrl, spec, modelUrl, labels: typeof spec.labels === 'string' ? { url: spec.labels } : spec.labels };
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

/** The model's labels (downloaded through the cache when they are a file). */
export async function loadLabels(source: ModelSource): Promise<string[]> {
  if (Array.isArray(source.labels)) return source.labels;
  const { bytes } = await fetchBytes(source.labels.url);
  return parseLabels(new TextDecoder().decode(bytes));
}

/** The model's bytes (Cache Storage, checked against the manifest's sha256 when it gives one). */
export async function loadModelBytes(source: ModelSource, onProgress?: (p: DownloadProgress) => void): Promise<{ bytes: Uint8Array; source: 'cache' | 'network' }> {
  return fetchBytes(source.modelUrl, { sha256: source.spec.sha256, onProgress });
}
