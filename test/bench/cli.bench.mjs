// npm run bench: the command line's cost per image on a folder of photos against the engine's own,
// SqueezeNet Grad-CAM top-5, measured side by side in one run.
// The folder: the first CLI_BENCH_PHOTOS (24) OSIE photos (800 × 600 JPEGs, ../shared/data/osie/stimuli),
// copied to a temporary folder; CLI_BENCH_DIR takes another folder's images instead.
// CLI: `saliency-explainer explain` on the folder as a user runs it (a new process), its stdout read
// as it comes: per image = (time of the last input's line − time of the first's) / (n − 1), so
// start-up, model compilation and the first image are left out (the CLI prints an input's line once
// its files are written). Two forms: the default output (overlays, report.json, maps/)
// and `--json --no-overlays` (JSON Lines on stdout, read through a pipe). Engine, in process: explain
// on the ready tensor, and the same with decoding and preprocessing each photo (what the CLI does per
// image before explaining). Rounds alternate the cases; medians of the per-image times.
// CLI_BENCH_COMPARE_BIN runs another build's CLI alike in the same rounds (before/after a change).
// CLI_BENCH_TOP_K (default 5) sets the maps per photo; CLI_BENCH_CAPTION=1 adds the `--caption` forms
// (the same two outputs, each map captioned), to read a caption's cost in the command line's own terms.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Explainer, parseManifest, findModel, parseLabels, preprocess } from '@saliency-explainer/core';
import { saveResults } from './results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const bin = join(root, 'packages', 'api', 'bin', 'saliency-explainer.js');
const sourceDir = process.env.CLI_BENCH_DIR ?? join(root, '..', 'shared', 'data', 'osie', 'stimuli');
const COUNT = Number(process.env.CLI_BENCH_PHOTOS ?? 24);
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 3);
const MODEL = 'squeezenet1.0';
const TOP_K = Number(process.env.CLI_BENCH_TOP_K ?? 5);
const { decodeImage } = await import(pathToFileURL(join(root, 'packages', 'api', 'dist', 'images', 'decode.js')).href);

const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'cli-bench-'));
const photosDir = join(work, 'photos');
mkdirSync(photosDir);
for (const f of readdirSync(sourceDir).filter((f) => /\.(png|jpe?g|jfif|webp)$/i.test(f)).sort().slice(0, COUNT)) copyFileSync(join(sourceDir, f), join(photosDir, f));
const photos = readdirSync(photosDir).sort().map((f) => join(photosDir, f));

/**
 * One CLI run over the folder: the times at which each input's line reached stdout (the CLI prints an
 * input's line once its files are written), from the process's start, in ms.
 */
function cli(extra, program = bin) {
  const out = join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  const json = extra.includes('--json');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [program, 'explain', photosDir, '--model', MODEL, '--top-k', String(TOP_K), '--out', out, '--no-progress', ...extra],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const times = [];
    let atLineStart = true;
    child.stdout.on('data', (chunk) => {
      const now = performance.now() - start;
      // an input's line: every line with --json; else the "photo: predictions" lines (files are indented, "report:" ends)
      for (let i = 0; i < chunk.length; i = chunk.indexOf(0x0a, i) + 1 || chunk.length) {
        if (atLineStart && (json || (chunk[i] !== 0x20 && chunk.subarray(i, i + 7).toString('latin1') !== 'report:'))) times.push(now);
        atLineStart = chunk.indexOf(0x0a, i) >= 0;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && times.length === photos.length ? resolve(times) : reject(new Error(`explain exited ${code} with ${times.length} of ${photos.length} lines`))));
  });
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
if (process.env.CLI_BENCH_CAPTION === '1') forms.push(...forms.map(([name, extra]) => [`${name} --caption`, [...extra, '--caption']]));
// CLI_BENCH_COMPARE_BIN: another build's bin (e.g. a worktree of an earlier commit) run alike, in the same rounds
const compare = process.env.CLI_BENCH_COMPARE_BIN;
if (compare) forms.push(...forms.map(([name, extra]) => [`${name} (${compare})`, extra, compare]));
const perImage = { cli: forms.map(() => []), tensor: [], image: [] };
const startUp = forms.map(() => []);
for (const t of tensors) await engine.explain(t, query); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, extra, program]] of forms.entries()) {
    const times = await cli(extra, program);
    perImage.cli[i].push((times.at(-1) - times[0]) / (photos.length - 1));
    startUp[i].push(times[0]);
  }
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
const range = (t) => `${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)}`;
const image = median(perImage.image);
const rows = [
  { case: 'engine in process, tensor in', 'ms / image': tensor.toFixed(1), range: range(perImage.tensor), '× engine (tensor)': '1.00', '× engine (image)': (tensor / image).toFixed(2) },
  { case: 'engine in process, decode + preprocess + explain', 'ms / image': image.toFixed(1), range: range(perImage.image), '× engine (tensor)': (image / tensor).toFixed(2), '× engine (image)': '1.00' },
  ...forms.map(([name], i) => {
    const ms = median(perImage.cli[i]);
    return { case: `CLI, ${name}`, 'ms / image': ms.toFixed(1), range: range(perImage.cli[i]), '× engine (tensor)': (ms / tensor).toFixed(2), '× engine (image)': (ms / image).toFixed(2) };
  }),
];
console.log(`${MODEL} Grad-CAM top-${TOP_K}, ${photos.length} photos of ${sourceDir}, medians (and ranges) of ${ROUNDS} rounds`);
console.table(rows);
console.log(`first input's line after (start-up, model compilation, first image): ${forms.map(([name], i) => `${name} ${median(startUp[i]).toFixed(0)} ms`).join(', ')}`);
saveResults('cli', rows, { photos: photos.length, source: sourceDir, rounds: ROUNDS, perImage, startUp });
