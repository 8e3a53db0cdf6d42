// npm run bench: pixel attributions on this CPU, side by side in one run (issue 13). For each model:
// median time of a bare forward pass, one Grad-CAM map, one input-gradient row (forward + backward
// through the whole network, batch 1), and each pixel method (top-1, Captum's defaults: IG 50 steps,
// SmoothGrad 50 samples); each as a ratio to the forward, to Grad-CAM and to one gradient row.
// IG and SmoothGrad run their 50 rows in batches of --batch (default 16) through one compiled
// model, so they should cost about 50 gradient rows, or less.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Explainer, parseManifest, findModel, parseLabels, attributionMethods } from '@saliency-explainer/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const { values, positionals } = parseArgs({ options: { batch: { type: 'string' }, reps: { type: 'string' } }, allowPositionals: true });
const batchSize = Number(values.batch ?? 16);
const reps = Number(values.reps ?? 5);

const labelsOf = (spec) => (Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8')));

async function median(fn, n) {
  await fn(); // warm-up (sessions compiled, memory arenas grown)
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const ids = positionals.length ? positionals : ['squeezenet1.0', 'resnet18'];
const rows = [];
for (const id of ids) {
  const spec = findModel(manifest, id);
  const engine = await Explainer.create(ort, readFileSync(join(modelsDir, 'cache', spec.file)), spec, labelsOf(spec), { batchSize });
  const n = engine.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n).map((_, i) => Math.sin(i * 0.013));
  const target = [{ classIndex: (await engine.explain(x)).predictions[0].index, kind: 'logit' }];
  const batch = new Float32Array(batchSize * n);
  for (let i = 0; i < batchSize; i++) batch.set(x, i * n);
  const forward = await median(() => engine.forwardInputs(x, 1), 15);
  const gradcam = await median(() => engine.explain(x, { methods: ['gradcam'] }), 15);
  const row = await median(() => engine.inputGradients('standard', x, 1, target), 15);
  const batched = await median(() => engine.inputGradients('standard', batch, batchSize, new Array(batchSize).fill(target[0])), 5);
  const add = (name, ms) => {
    rows.push({
      model: id, case: name, 'median ms': ms.toFixed(1), '× forward': (ms / forward).toFixed(2),
      '× Grad-CAM': (ms / gradcam).toFixed(2), '× gradient row': (ms / row).toFixed(2),
    });
    console.error(`${id} ${name}: ${ms.toFixed(1)} ms`);
  };
  add('forward (bare)', forward);
  add('Grad-CAM top-1', gradcam);
  add('input gradient, 1 row', row);
  add(`input gradient, ${batchSize} rows batched (per row)`, batched / batchSize);
  for (const m of attributionMethods) {
    const many = m.id === 'integratedgradients' || m.id === 'smoothgrad';
    add(`${m.name} top-1`, await median(() => engine.explain(x, { methods: [m.id] }), many ? Math.max(1, Math.min(3, reps)) : reps));
  }
  await engine.release();
}
console.table(rows);
