// npm run bench: the fused explain graph against a bare forward pass, measured side by side in one run.
// For each model: a bare forward (the engine's logits-only session), Grad-CAM top-1 and top-5 through
// the engine's fused path (one session run per image) and its unfused path (forward, head-gradient
// session, weights and post-processing in JS), the exported file run by plain onnxruntime-node (its
// default options but thread spinning, off as in the engine), and EigenCAM top-1 both ways. Cases run in turn, round after round, so that a busy
// machine slows them alike; the table gives medians and minima (the least disturbed run, the better
// estimate on a shared machine) and their ratios to the bare forward's.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Explainer, parseManifest, findModel, parseLabels } from '@saliency-explainer/core';
import { saveResults } from './results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const ROUNDS = Number(process.env.FUSED_BENCH_ROUNDS ?? 25);

const NO_SPIN = { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } };
const labelsOf = (spec) => (Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8')));
const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['squeezenet1.0', 'mobilenet_v1_0.75', 'resnet18'];
const rows = [];
for (const id of ids) {
  const spec = findModel(manifest, id);
  const bytes = readFileSync(join(modelsDir, 'cache', spec.file));
  const labels = labelsOf(spec);
  const fused = await Explainer.create(ort, bytes, spec, labels);
  const plain = await Explainer.create(ort, bytes, spec, labels, { fused: false });
  const n = fused.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n).map((_, i) => Math.sin(i * 0.013) * 2);
  const files = {};
  for (const k of [1, 5]) {
    // thread spinning off, as in the engine's sessions: ORT's default spins its threads after each run,
    // which takes the cores from whatever case runs next
    const file = await ort.InferenceSession.create(Explainer.exportOnnx(bytes, spec, { method: 'gradcam', topK: k }).bytes, NO_SPIN);
    const feeds = { [fused.analysis.input]: new ort.Tensor('float32', x, fused.inputShape) };
    files[k] = () => file.run(feeds);
    files[`release${k}`] = () => file.release();
  }
  const cases = [
    ['forward (bare)', () => fused.forwardInputs(x, 1)],
    ['Grad-CAM top-1, fused', () => fused.explain(x, { methods: ['gradcam'], topK: 1 })],
    ['Grad-CAM top-1, unfused', () => plain.explain(x, { methods: ['gradcam'], topK: 1 })],
    ['Grad-CAM top-1, exported file', files[1]],
    ['Grad-CAM top-5, fused', () => fused.explain(x, { methods: ['gradcam'], topK: 5 })],
    ['Grad-CAM top-5, unfused', () => plain.explain(x, { methods: ['gradcam'], topK: 5 })],
    ['Grad-CAM top-5, exported file', files[5]],
    ['EigenCAM top-1, fused', () => fused.explain(x, { methods: ['eigencam'], topK: 1 })],
    ['EigenCAM top-1, unfused', () => plain.explain(x, { methods: ['eigencam'], topK: 1 })],
  ];
  const times = cases.map(() => []);
  for (const [, fn] of cases) await fn(); // warm-up: sessions built, first runs done
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, fn]] of cases.entries()) {
      const s = performance.now();
      await fn();
      times[i].push(performance.now() - s);
    }
  }
  const base = median(times[0]);
  const minBase = Math.min(...times[0]);
  cases.forEach(([name], i) => {
    const ms = median(times[i]);
    const min = Math.min(...times[i]);
    rows.push({ model: id, case: name, 'median ms': ms.toFixed(2), '× forward': (ms / base).toFixed(2), 'min ms': min.toFixed(2), '× forward (min)': (min / minBase).toFixed(2) });
    console.error(`${id} ${name}: ${ms.toFixed(2)} ms (${(ms / base).toFixed(2)}× forward)`);
  });
  await files.release1();
  await files.release5();
  await fused.release();
  await plain.release();
}
console.table(rows);
saveResults('fused', rows);
