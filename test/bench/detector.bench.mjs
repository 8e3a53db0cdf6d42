// npm run bench (detector part): YOLOX-Nano explanations against its own forward pass, in one run.
//   detector forward      Detector.detect: letterbox, one ONNX Runtime run, decode, NMS (what captions use)
//   explainer forward     DetectorExplainer.run: the same plus the three stem layers' activations and
//                         the side tensors their heads read (one compiled forward model)
//   EigenCAM              the image's map from a run: PCA of three layers, aggregation, back through the letterbox
//   box Grad-CAM          one box's map from a run: one head-gradient run at its stride's layer + the CAM
//   box Grad-CAM ×2 boxes two boxes of different strides (two head-gradient runs)
//   all of it             run + EigenCAM + Grad-CAM of box 0: what `explain --box 0` computes per image
// Median and p90 milliseconds over REPS passes on three photos in turn, after a warm-up, and the ratio
// of each median to the detector forward's.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Detector, DetectorExplainer, findDetector, parseLabels, parseManifest } from '@saliency-explainer/core';
import { decodeImage } from '../../packages/api/dist/images/decode.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPS = Number(process.env.BENCH_REPS ?? 30);
const spec = findDetector(parseManifest(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')), 'yolox-nano');
const labels = parseLabels(readFileSync(join(root, 'models', 'cache', spec.labels), 'utf8'));
const bytes = readFileSync(join(root, 'models', 'cache', spec.file));
const photos = [];
for (const name of ['both.png', 'horses.jpg', 'coffee.png']) {
  photos.push((await decodeImage(readFileSync(join(root, '..', 'shared', 'data', 'images', name)), 1e8)).image);
}
const options = { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } };
const detector = await Detector.create(ort, bytes, spec, labels, options);
const ex = await DetectorExplainer.create(ort, bytes, spec, labels);
const runs = [];
for (const p of photos) runs.push(await ex.run(p));

const cases = [
  ['detector forward', (i) => detector.detect(photos[i])],
  ['explainer forward', (i) => ex.run(photos[i])],
  ['EigenCAM (from a run)', (i) => ex.eigenCam(runs[i])],
  ['box Grad-CAM (from a run)', (i) => ex.explainBoxes(runs[i], runs[i].detections.slice(0, 1), { method: 'gradcam' })],
  ['box Grad-CAM ×2 boxes', (i) => ex.explainBoxes(runs[i], runs[i].detections.slice(0, 2), { method: 'gradcam' })],
  ['all of it (run + EigenCAM + box 0)', async (i) => {
    const r = await ex.run(photos[i]);
    await ex.eigenCam(r);
    await ex.explainBoxes(r, r.detections.slice(0, 1), { method: 'gradcam' });
  }],
];
const rows = [];
let base = 0;
for (const [name, fn] of cases) {
  for (let i = 0; i < 3; i++) await fn(i % photos.length); // warm-up (sessions compiled here)
  const ms = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    await fn(k % photos.length);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  if (!base) base = median;
  rows.push({ case: name, 'median ms': median.toFixed(1), 'p90 ms': ms[Math.floor(0.9 * ms.length)].toFixed(1), 'ratio to forward': (median / base).toFixed(2) });
}
console.log(`YOLOX-Nano 416×416 on ${photos.map((p) => `${p.width}×${p.height}`).join(', ')}; ${REPS} passes per case`);
console.table(rows);
await detector.release();
await ex.release();
