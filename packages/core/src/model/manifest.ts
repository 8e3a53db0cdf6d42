// The model manifest (models/manifest.json): parse and validate it, look models up.
import type { DetectorSpec, ModelSpec } from './spec.js';
import { validateDetectorSpec } from '../detect/validate.js';

export interface Manifest {
  default: string;
  models: ModelSpec[];
  /** Object detectors (captions' object facts); optional, kept apart so `models` stays classifiers. */
  detectors?: DetectorSpec[];
  files?: Record<string, { sha256: string; shared?: string; url?: string | null; license?: string }>;
}

export class UnknownModelError extends Error {
  constructor(readonly id: string, known: string[]) {
    super(`unknown model '${id}' (known: ${known.join(', ')})`);
    this.name = 'UnknownModelError';
  }
}

function fail(where: string, what: string): never {
  throw new Error(`manifest: ${where}: ${what}`);
}

/** Check the fields the engine relies on; returns the spec unchanged. */
export function validateSpec(m: ModelSpec, where = m?.id ?? '?'): ModelSpec {
  if (!m || typeof m !== 'object') fail(where, 'not an object');
  if (!m.id) fail(where, 'id is missing');
  if (!m.file) fail(where, 'file is missing');
  if (!m.labels) fail(where, 'labels are missing');
  const i = m.input;
  if (!i?.name) fail(where, 'input.name is missing');
  if (!(i.height > 0 && i.width > 0)) fail(where, 'input.height and input.width must be positive');
  if (i.channelOrder !== 'RGB' && i.channelOrder !== 'BGR') fail(where, "input.channelOrder must be 'RGB' or 'BGR'");
  if (!(i.mean?.length === 3 && i.std?.length === 3)) fail(where, 'input.mean and input.std need 3 values');
  if (i.std.some((s) => s === 0)) fail(where, 'input.std must not contain 0');
  if (!(typeof i.scale === 'number' && i.scale > 0)) fail(where, 'input.scale must be a positive number');
  if (i.resize !== 'stretch' && i.resize !== 'shorter-crop') fail(where, "input.resize must be 'stretch' or 'shorter-crop'");
  if (i.resize === 'shorter-crop' && !(i.resizeShorter && i.resizeShorter >= Math.max(i.height, i.width))) {
    fail(where, 'input.resizeShorter must be at least the crop size');
  }
  if (!m.output?.name) fail(where, 'output.name is missing');
  if (m.output.kind !== 'logits' && m.output.kind !== 'softmax') fail(where, "output.kind must be 'logits' or 'softmax'");
  if (m.perturbationBatch !== undefined && !(Number.isSafeInteger(m.perturbationBatch) && m.perturbationBatch >= 1)) {
    fail(where, 'perturbationBatch must be a positive integer');
  }
  return m;
}

export function parseManifest(json: string | unknown): Manifest {
  const m = (typeof json === 'string' ? JSON.parse(json) : json) as Manifest;
  if (!Array.isArray(m?.models)) throw new Error('manifest: "models" must be an array');
  m.models.forEach((s, i) => validateSpec(s, `models[${i}]`));
  const ids = m.models.map((s) => s.id);
  if (new Set(ids).size !== ids.length) throw new Error('manifest: model ids must be unique');
  if (!ids.includes(m.default)) throw new Error(`manifest: default model '${m.default}' is not listed`);
  if (m.detectors !== undefined) {
    if (!Array.isArray(m.detectors)) throw new Error('manifest: "detectors" must be an array');
    m.detectors.forEach((d, i) => validateDetectorSpec(d, `detectors[${i}]`));
    const all = [...ids, ...m.detectors.map((d) => d.id)];
    if (new Set(all).size !== all.length) throw new Error('manifest: model and detector ids must be unique');
  }
  return m;
}

export function findModel(m: Manifest, id?: string): ModelSpec {
  const spec = m.models.find((s) => s.id === (id ?? m.default));
  if (!spec) throw new UnknownModelError(id ?? m.default, m.models.map((s) => s.id));
  return spec;
}

/** A detector of the manifest's `detectors` list (the first one when `id` is omitted). */
export function findDetector(m: Manifest, id?: string): DetectorSpec {
  const list = m.detectors ?? [];
  const spec = id === undefined ? list[0] : list.find((d) => d.id === id);
  if (!spec) throw new UnknownModelError(id ?? '(any detector)', list.map((d) => d.id));
  return spec;
}
