// `saliency-explainer site -o DIR`: everything the widget needs to run with no server of ours, as one
// folder any static host serves (GitHub Pages, Netlify, an S3 bucket, `python3 -m http.server`): the
// widget module, ONNX Runtime Web's files, the chosen models and their manifest (every file checked
// against the manifest's sha256 while it is copied), an example page and its photo. The layout is
// the API's (widget/, ort/, models/manifest.json, models/files/…), and the page points the widget
// at it with relative `models-base` and `wasm-paths`, so the folder works under any path of a site.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { findDetector, findModel, ORT_WEB_FILES, type DetectorSpec, type Manifest, type ModelSpec } from '@saliency-explainer/core';
import { CliError, EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { listFlag, parseFlags } from './flags.js';
import { dirOf } from '../server/static.js';
import { readManifest } from '../models/loader.js';
import { makeOutputDir, writeOutputFile } from '../io/output-files.js';
import { PROJECT_ROOT } from '../project.js';
import { DEFAULTS } from './settings.js';

export const SITE_HELP = `site: saliency-explainer site -o DIR [options]
    Writes a folder that any static file host serves, with which <saliency-explainer> runs in the
    reader's browser and no server of ours: widget/ (the component), ort/ (ONNX Runtime Web's module
    and wasm files), models/manifest.json and models/files/ (the models, sha256-checked), and
    index.html, an example page. Put the folder on your site and use, from any page:
      <script type="module" src="DIR/widget/saliency-explainer.js"></script>
      <saliency-explainer src="photo.jpg" mode="wasm" models-base="DIR/models/" wasm-paths="DIR/ort/"></saliency-explainer>
  -o, --out DIR             the folder to write (created; files already there are replaced)
  -m, --model ID[,ID...]    models of the manifest to include (default: the manifest's default); the
                            first is the widget's default
      --detector            also include the manifest's object detector (captions computed in the browser)
      --photo FILE          the example page's photo (default: ../shared/data/images/both.png when present)
      --models-dir DIR      manifest and cache folder (default models/, env SALIENCY_MODELS_DIR)`;

/** ONNX Runtime Web's files the widget loads (core's list of its wasm and WebGPU builds). */
export const ORT_FILES = ORT_WEB_FILES;
/** The widget's built files. */
const WIDGET_FILES = ['saliency-explainer.js', 'custom-elements.json'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** onnxruntime-web's dist folder, as this installation resolves the package (what the API serves at /ort/). */
function ortDist(): string {
  const dir = dirOf('onnxruntime-web');
  if (!dir) throw new CliError(EXIT.INTERNAL, 'NO_ORT_WEB', 'onnxruntime-web is not installed; run `npm install`');
  return join(dir, 'dist');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The example page: the widget on the photo (captioned when the detector is there), everything relative to the folder. */
function examplePage(photo: string | null, modelId: string, caption: boolean): string {
  const element = photo
    ? `<saliency-explainer src="${escapeHtml(photo)}" alt="The example photo" model="${escapeHtml(modelId)}" mode="wasm" top-k="3"${caption ? ' caption' : ''}
    models-base="models/" wasm-paths="ort/"></saliency-explainer>`
    : `<p>Add a photo beside this page and set <code>src</code>:</p>
  <saliency-explainer model="${escapeHtml(modelId)}" mode="wasm" top-k="3" models-base="models/" wasm-paths="ort/"></saliency-explainer>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>saliency-explainer, served as static files</title>
  <script type="module" src="widget/saliency-explainer.js"></script>
  <style>body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }</style>
</head>
<body>
  <h1>Why did the model decide?</h1>
  <p>The heatmap below is computed in your browser (ONNX Runtime Web); this page talks to no server but the one it came from.</p>
  ${element}
</body>
</html>
`;
}

/** Copies `from` to `to` when its sha256 is `want` (a mismatch or a missing file is a model error, nothing copied). */
function copyChecked(from: string, to: string, want: string | undefined, what: string): void {
  if (!existsSync(from)) throw modelError('MODEL_FILE_MISSING', `${what} ${from} is missing; run \`npm run models\` to fetch the model files`);
  const bytes = readFileSync(from);
  if (want && sha256(bytes) !== want) throw modelError('CHECKSUM_MISMATCH', `${what} ${from} does not match its sha256 in the manifest; run \`npm run models\` again`);
  writeOutputFile(to, bytes);
}

export async function runSite(argv: string[], io: Output): Promise<ExitCode> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SITE_HELP);
    return EXIT.OK;
  }
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string', short: 'o' },
    model: { type: 'string', short: 'm', multiple: true },
    detector: { type: 'boolean' },
    photo: { type: 'string' },
    'models-dir': { type: 'string' },
  });
  if (positionals.length) throw usageError(`site takes no arguments (got '${positionals[0]}'); the folder is -o DIR`);
  if (!values.out) throw usageError('site needs -o DIR, the folder to write');
  const out = resolve(values.out);
  const modelsDir = values['models-dir'] ?? DEFAULTS.modelsDir;
  const manifest: Manifest = readManifest(modelsDir);
  const ids = listFlag(values.model);
  let models: ModelSpec[];
  try {
    models = ids.length ? ids.map((id) => findModel(manifest, id)) : [findModel(manifest)];
  } catch (e) {
    throw modelError('UNKNOWN_MODEL', (e as Error).message);
  }
  let detectors: DetectorSpec[] = [];
  try {
    if (values.detector) detectors = [findDetector(manifest)];
  } catch (e) {
    throw modelError('NO_DETECTOR', (e as Error).message);
  }
  const widgetDist = join(PROJECT_ROOT, 'packages', 'widget', 'dist');
  for (const f of WIDGET_FILES) {
    if (!existsSync(join(widgetDist, f))) throw new CliError(EXIT.INTERNAL, 'WIDGET_NOT_BUILT', `${join(widgetDist, f)} is missing; run \`npm run build\``);
  }
  const photo = values.photo ?? join(PROJECT_ROOT, '..', 'shared', 'data', 'images', 'both.png');
  if (values.photo && !existsSync(photo)) throw inputError('INPUT_NOT_FOUND', `--photo ${photo} does not exist`);

  for (const dir of ['widget', 'ort', 'models/files']) makeOutputDir(join(out, dir));
  for (const f of WIDGET_FILES) writeOutputFile(join(out, 'widget', f), readFileSync(join(widgetDist, f)));
  const ort = ortDist();
  for (const f of ORT_FILES) writeOutputFile(join(out, 'ort', f), readFileSync(join(ort, f)));

  // the models' files and labels, each checked against the manifest while copied
  const cache = join(modelsDir, 'cache');
  const copied = new Set<string>();
  const copy = (file: string, want: string | undefined, what: string) => {
    if (copied.has(file)) return;
    const to = join(out, 'models', 'files', file);
    makeOutputDir(dirname(to));
    copyChecked(join(cache, file), to, want, what);
    copied.add(file);
  };
  for (const spec of [...models, ...detectors]) {
    copy(spec.file, spec.sha256, `model file for '${spec.id}'`);
    if (typeof spec.labels === 'string') copy(spec.labels, manifest.files?.[spec.labels]?.sha256, `labels for '${spec.id}'`);
  }
  const served = { default: models[0].id, models, ...(detectors.length ? { detectors } : {}) };
  writeOutputFile(join(out, 'models', 'manifest.json'), `${JSON.stringify(served, null, 2)}\n`);

  let photoName: string | null = null;
  if (existsSync(photo)) {
    photoName = `example${extname(photo).toLowerCase() || '.png'}`;
    writeOutputFile(join(out, photoName), readFileSync(photo));
  }
  writeOutputFile(join(out, 'index.html'), examplePage(photoName, models[0].id, detectors.length > 0));

  io.out(`${out}: widget, ONNX Runtime Web, ${models.map((m) => m.id).join(', ')}${detectors.length ? ` and ${detectors[0].id}` : ''}, index.html`);
  const name = basename(out);
  io.out(`serve it with any static file server (e.g. python3 -m http.server -d ${values.out}) and open index.html; from a page beside the folder:`);
  io.out(`  <script type="module" src="${name}/widget/saliency-explainer.js"></script>`);
  io.out(`  <saliency-explainer src="photo.jpg" mode="wasm" models-base="${name}/models/" wasm-paths="${name}/ort/"></saliency-explainer>`);
  return EXIT.OK;
}
