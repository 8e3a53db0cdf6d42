// npm run bench: engine timings on this CPU, measured side by side in one run.
// For each model: median of a bare forward pass and of each explanation, and the ratio to the forward.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Explainer, parseManifest, findModel, parseLabels } from '@saliency-explainer/core';
import { saveResults } from './results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));

function labelsOf(spec) {
  return Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8'));
}

/** float32 → IEEE half bits (round to nearest), for fp16 model files. */
function toHalf(v) {
  const f = new Float32Array([v]);
  const b = new Uint32Array(f.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  const mant = b & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 0x2000);
}

async function median(fn, reps) {
  await fn(); // warm-up
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['squeezenet1.0', 'resnet18'];
const rows = [];
for (const id of ids) {
  const spec = findModel(manifest, id);
  // the model's own perturbation batch size (manifest perturbationBatch), as the CLI and the engine use it
  const engine = await Explainer.create(ort, readFileSync(join(modelsDir, 'cache', spec.file)), spec, labelsOf(spec));
  const n = engine.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n).map((_, i) => Math.sin(i * 0.013) * 50);
  // the model file as a user runs it with ONNX Runtime's defaults, for reference
  const plain = await ort.InferenceSession.create(readFileSync(join(modelsDir, 'cache', spec.file)));
  const plainInput = plain.inputMetadata?.[0]?.type === 'float16'
    ? new ort.Tensor('float16', Uint16Array.from(x, toHalf), engine.inputShape)
    : new ort.Tensor('float32', x, engine.inputShape);
  const cases = [
    ['forward (bare)', () => engine.forwardInputs(x, 1), 15],
    ['forward (original file, ORT defaults)', () => plain.run({ [spec.input.name]: plainInput }), 15],
    ['Grad-CAM top-1', () => engine.explain(x, { methods: ['gradcam'], topK: 1 }), 15],
    ['Grad-CAM top-5', () => engine.explain(x, { methods: ['gradcam'], topK: 5 }), 15],
    ['EigenCAM top-1', () => engine.explain(x, { methods: ['eigencam'], topK: 1 }), 9],
    ['ScoreCAM top-1', () => engine.explain(x, { methods: ['scorecam'], topK: 1 }), 1],
  ];
  let base = 0;
  for (const [name, fn, reps] of cases) {
    const ms = await median(fn, reps);
    if (!base) base = ms;
    rows.push({ model: id, case: name, 'median ms': ms.toFixed(1), '× forward': (ms / base).toFixed(2) });
    console.error(`${id} ${name}: ${ms.toFixed(1)} ms`);
  }
  await plain.release();
  await engine.release();
}
console.table(rows);
saveResults('engine', rows);
