// Which model to run: a manifest entry (models/manifest.json, files in models/cache) or a user's
// own ONNX file given with --model-file, --labels and --input-spec.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findModel, parseLabels, parseManifest, validateSpec, type Manifest, type ModelSpec } from '@saliency-explainer/core';
import { modelError, usageError } from './errors.js';

export interface LoadedModel {
  spec: ModelSpec;
  labels: string[];
  bytes: Uint8Array;
}

export function readManifest(modelsDir: string): Manifest {
  const path = join(modelsDir, 'manifest.json');
  if (!existsSync(path)) throw modelError('NO_MANIFEST', `no model manifest at ${path} (set --models-dir or SALIENCY_MODELS_DIR)`);
  try {
    return parseManifest(readFileSync(path, 'utf8'));
  } catch (e) {
    throw modelError('BAD_MANIFEST', `${path}: ${(e as Error).message}`);
  }
}

function readFile(path: string, what: string, code: 'MODEL_FILE_MISSING' | 'LABELS_MISSING', hint: string): Buffer {
  if (!existsSync(path)) throw modelError(code, `${what} ${path} is missing; ${hint}`);
  return readFileSync(path);
}

export function loadManifestModel(modelsDir: string, id: string | undefined): LoadedModel {
  const manifest = readManifest(modelsDir);
  let spec: ModelSpec;
  try {
    spec = findModel(manifest, id);
  } catch (e) {
    throw modelError('UNKNOWN_MODEL', (e as Error).message);
  }
  const cache = join(modelsDir, 'cache');
  const hint = 'run `npm run models` to fetch the model files';
  const bytes = readFile(join(cache, spec.file), `model file for '${spec.id}'`, 'MODEL_FILE_MISSING', hint);
  const labels = Array.isArray(spec.labels)
    ? spec.labels
    : parseLabels(readFile(join(cache, spec.labels), `labels for '${spec.id}'`, 'LABELS_MISSING', hint).toString('utf8'));
  return { spec, labels, bytes };
}

/** --input-spec is JSON text or a JSON file holding an InputSpec, or a whole ModelSpec-like object. */
export function loadFileModel(file: string, labelsFile: string, inputSpec: string): LoadedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(inputSpec.trim().startsWith('{') ? inputSpec : readFileSync(inputSpec, 'utf8'));
  } catch (e) {
    throw usageError(`--input-spec: ${(e as Error).message}`);
  }
  const obj = raw as Partial<ModelSpec> & Record<string, unknown>;
  const input = (obj.input ?? obj) as Partial<ModelSpec['input']>;
  const output = (obj.output ?? { name: (obj as { outputName?: string }).outputName ?? '', kind: 'logits' }) as ModelSpec['output'];
  const bytes = readFile(file, 'model file', 'MODEL_FILE_MISSING', 'check --model-file');
  const labels = parseLabels(readFile(labelsFile, 'labels file', 'LABELS_MISSING', 'check --labels').toString('utf8'));
  const spec: ModelSpec = {
    id: obj.id ?? file.split(/[\\/]/).pop()!.replace(/\.onnx$/i, ''),
    task: 'classification', file, labels, targetLayer: obj.targetLayer,
    input: { layout: 'NCHW', resize: 'stretch', scale: 1, std: [1, 1, 1], ...input } as ModelSpec['input'],
    output,
  };
  try {
    validateSpec(spec, 'model');
  } catch (e) {
    // the output name may be left out: the engine then takes the graph's only output
    if (!/output\.name/.test((e as Error).message)) throw usageError(`--input-spec: ${(e as Error).message}`);
  }
  return { spec, labels, bytes };
}
