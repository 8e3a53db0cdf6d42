// Loading a classifier, for the CLI, the API's compute workers and eval: a manifest entry
// (models/manifest.json, files in models/cache), a user's own ONNX file (--model-file, with
// --input-spec and --labels where the graph cannot tell) or a served user models folder. Failures are
// typed model errors (errors.ts, exit 4) or usage errors for a bad spec (exit 2).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  analyseModel, completeModelSpec, findModel, indexLabels, ModelSpecError, parseLabels, parseManifest, readModelSpecJson,
  type Manifest, type ModelSpec,
} from '@saliency-explainer/core';
import { CliError, modelError, usageError } from '../errors.js';

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

/** Where the spec of --model-file F comes from when --input-spec is not given: F's stem + .json, else model.json beside it. */
export function specBeside(file: string): string | undefined {
  const own = join(dirname(file), `${basename(file).replace(/\.onnx$/i, '')}.json`);
  if (existsSync(own)) return own;
  const shared = join(dirname(file), 'model.json');
  return existsSync(shared) ? shared : undefined;
}

/** The labels file a spec names: relative to the spec's folder; a shared model.json adds prose after the path. */
function specLabelsFile(labels: string, specDir: string): string | undefined {
  for (const candidate of [labels, labels.split(/\s/)[0]]) {
    const path = isAbsolute(candidate) ? candidate : resolve(specDir, candidate);
    if (candidate && existsSync(path)) return path;
  }
  return undefined;
}

/**
 * A user's own ONNX classifier (--model-file). Its spec (--input-spec: JSON text or a file; else a
 * JSON file beside the model, see specBeside) may be a flat input spec, a models/manifest.json entry or
 * a ../shared/models model.json (core readModelSpecJson); the input name and size, the output and
 * whether it is a Softmax come from the graph (core completeModelSpec). Labels: --labels, else the
 * spec's (a list, or a file relative to the spec), else "class 0", "class 1", … (`note` says so).
 */
export function loadFileModel(file: string, labelsFile: string | undefined, inputSpec: string | undefined, note: (line: string) => void = () => {}): LoadedModel {
  const specFile = inputSpec === undefined ? specBeside(file) : inputSpec.trim().startsWith('{') ? undefined : inputSpec;
  let raw: unknown = {};
  if (inputSpec !== undefined || specFile !== undefined) {
    try {
      raw = JSON.parse(specFile === undefined ? inputSpec! : readFileSync(specFile, 'utf8'));
    } catch (e) {
      throw usageError(`--input-spec${specFile ? ` ${specFile}` : ''}: ${(e as Error).message}`);
    }
  }
  const from = specFile ? `the spec ${specFile}` : inputSpec !== undefined ? '--input-spec' : `--model-file ${file} (no --input-spec, and no ${[...new Set([`${basename(file).replace(/\.onnx$/i, '')}.json`, 'model.json'])].join(' or ')} beside it)`;
  const bytes = readFile(file, 'model file', 'MODEL_FILE_MISSING', 'check --model-file');
  let spec: ModelSpec;
  try {
    const given = readModelSpecJson(raw);
    spec = completeModelSpec(given, bytes, { id: basename(file).replace(/\.onnx$/i, ''), file });
  } catch (e) {
    if (!(e instanceof ModelSpecError)) throw modelError('BAD_MODEL', `${file} cannot be read as an ONNX model: ${(e as Error).message}`);
    throw usageError(`${from}: ${e.message}`);
  }
  let labels: string[];
  if (labelsFile !== undefined) {
    labels = parseLabels(readFile(labelsFile, 'labels file', 'LABELS_MISSING', 'check --labels').toString('utf8'));
  } else if (Array.isArray(spec.labels) && spec.labels.length) {
    labels = spec.labels;
  } else if (typeof spec.labels === 'string') {
    const path = specLabelsFile(spec.labels, specFile ? dirname(specFile) : process.cwd());
    if (!path) throw modelError('LABELS_MISSING', `the labels file '${spec.labels}' named by ${from} is missing; give --labels FILE (one label a line, in output order)`);
    labels = parseLabels(readFileSync(path, 'utf8'));
  } else {
    let n: number;
    try {
      n = analyseModel(bytes, spec).numClasses;
    } catch (e) {
      throw modelError('BAD_MODEL', `model '${spec.id}' cannot be used: ${(e as Error).message}`);
    }
    labels = indexLabels(n);
    note(`note: no labels (--labels FILE, or "labels" in the spec): the ${n} classes are called "class 0" … "class ${n - 1}"`);
  }
  spec = { ...spec, labels };
  return { spec, labels, bytes };
}

/**
 * A user's models folder (serve --user-models DIR, SALIENCY_USER_MODELS_DIR): each DIR/NAME.onnx is a
 * model with the id NAME, described as for --model-file: its spec NAME.json (or the folder's
 * model.json), any of the forms loadFileModel reads, and its labels NAME.labels.txt, else the spec's,
 * else "class N". Its `file` is `user/NAME.onnx` (served under /models/files/user/).
 */
export const USER_FILE_PREFIX = 'user/';

export function userModelNames(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw modelError('NO_USER_MODELS', `the user models folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return names.filter((n) => /\.onnx$/i.test(n)).map((n) => n.replace(/\.onnx$/i, '')).sort();
}

export function loadUserModel(dir: string, name: string): LoadedModel {
  const file = join(dir, `${name}.onnx`);
  const labels = join(dir, `${name}.labels.txt`);
  let m: LoadedModel;
  try {
    m = loadFileModel(file, existsSync(labels) ? labels : undefined, undefined);
  } catch (e) {
    if (e instanceof CliError) throw modelError(e.code === 'USAGE' ? 'BAD_USER_MODEL' : e.code, `user model '${name}' (${dir}): ${e.message}`);
    throw e;
  }
  return { ...m, spec: { ...m.spec, id: name, file: `${USER_FILE_PREFIX}${name}.onnx` } };
}

/** Where a server finds its models: the manifest's, and a user's folder of their own. */
export interface ModelDirs {
  modelsDir: string;
  userModelsDir?: string | null;
}

/** A served model by id: from the user's folder when it has one of that name, else the manifest. */
export function loadServedModel(dirs: ModelDirs, id: string | undefined): LoadedModel {
  if (id !== undefined && dirs.userModelsDir && existsSync(join(dirs.userModelsDir, `${id}.onnx`))) return loadUserModel(dirs.userModelsDir, id);
  return loadManifestModel(dirs.modelsDir, id);
}
