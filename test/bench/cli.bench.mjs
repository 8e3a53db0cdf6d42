// npm run bench: the command line's cost per image on a folder of photos against the engine's own,
// SqueezeNet Grad-CAM top-5, measured side by side in one run.
// CLI: `saliency-explainer explain` as a user runs it (a new process: Node start, model compile) on the
// first photo alone and on the whole folder (../shared/data/images); per image = (folder − one) / (n − 1),
// so start-up and compilation cancel out. Two forms: the default output (overlays, report.json, maps/)
// and `--json --no-overlays` (JSON Lines on stdout, read through a pipe). Engine, in process: explain
// on the ready tensor, and the same with decoding and preprocessing each photo (what the CLI does per
// image before explaining). Rounds alternate the cases; medians of the per-image times.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Explainer, parseManifest, findModel, parseLabels, preprocess } from '@saliency-explainer/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const bin = join(root, 'packages', 'api', 'bin', 'saliency-explainer.js');
const photosDir = join(root, '..', 'shared', 'data', 'images');
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 3);
const MODEL = 'squeezenet1.0';
const TOP_K = 5;
const { decodeImage } = await import(pathToFileURL(join(root, 'packages', 'api', 'dist', 'images', 'decode.js')).href);

const photos = readdirSync(photosDir).filter((f) => /\.(png|jpe?g|jfif|webp)$/i.test(f)).sort().map((f) => join(photosDir, f));
const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'cli-bench-'));

/** Wall time of one CLI run over `inputs`, in ms. */
function cli(inputs, extra) {
  const out = join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  const s = performance.now();
  execFileSync(process.execPath, [bin, 'explain', ...inputs, '--model', MODEL, '--top-k', String(TOP_K), '--out', out, '--no-progress', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  return performance.now() - s;
}

const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const spec = findModel(manifest, MODEL);
const engine = await Explainer.create(ort, readFileSync(join(modelsDir, 'cache', spec.file)), spec,
  parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8')));
const files = photos.map((p) => new Uint8Array(readFileSync(p)));
const tensors = [];
for (const bytes of files) tensors.push(preprocess((await decodeImage(bytes, 40e6)).image, spec.input));
const query = { methods: ['gradcam'], topK: TOP_K };

const forms = [['overlays, report.json, maps/', []], ['--json --no-overlays', ['--json', '--no-overlays']]];
const perImage = { cli: forms.map(() => []), tensor: [], image: [] };
for (const t of tensors) await engine.explain(t, query); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  forms.forEach(([, extra], i) => {
    const one = cli(photos.slice(0, 1), extra);
    const all = cli(photos, extra);
    perImage.cli[i].push((all - one) / (photos.length - 1));
  });
  let s = performance.now();
  for (const t of tensors) await engine.explain(t, query);
  perImage.tensor.push((performance.now() - s) / tensors.length);
  s = performance.now();
  for (const bytes of files) await engine.explain(preprocess((await decodeImage(bytes, 40e6)).image, spec.input), query);
  perImage.image.push((performance.now() - s) / files.length);
}
await engine.release();
rmSync(work, { recursive: true, force: true });

const tensor = median(perImage.tensor);
const image = median(perImage.image);
const rows = [
  { case: 'engine in process, tensor in', 'ms / image': tensor.toFixed(1), '× engine (tensor)': '1.00', '× engine (image)': (tensor / image).toFixed(2) },
  { case: 'engine in process, decode + preprocess + explain', 'ms / image': image.toFixed(1), '× engine (tensor)': (image / tensor).toFixed(2), '× engine (image)': '1.00' },
  ...forms.map(([name], i) => {
    const ms = median(perImage.cli[i]);
    return { case: `CLI, ${name}`, 'ms / image': ms.toFixed(1), '× engine (tensor)': (ms / tensor).toFixed(2), '× engine (image)': (ms / image).toFixed(2) };
  }),
];
console.log(`${MODEL} Grad-CAM top-${TOP_K}, ${photos.length} photos of ${photosDir}, medians of ${ROUNDS} rounds`);
console.table(rows);
