// npm run bench: pixel attributions on this CPU, side by side in one run (issue 13). For each model:
// median time of a bare forward pass, one Grad-CAM map, one input-gradient row (forward + backward
// through the whole network, batch 1), and each pixel method (top-1, Captum's defaults: IG 50 steps,
// SmoothGrad 50 samples); each as a ratio to the forward, to Grad-CAM and to one gradient row.
// IG and SmoothGrad run their 50 rows in batches of --batch (default 16) through one compiled
// model, so they should cost about 50 gradient rows, or less. The last rows put IG beside exactly the
// runs it makes (50 rows as 16 + 16 + 16 + 2, plus the baseline's forward pass), measured round-robin —
// one of each in turn — so that load from elsewhere on a shared machine falls on both alike.
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
  // IG against its own runs: the rows in IG's batches and one forward pass (the zero baseline)
  const steps = 50;
  const sizes = [];
  for (let left = steps; left > 0; left -= batchSize) sizes.push(Math.min(batchSize, left));
  const igRuns = async () => {
    for (const k of sizes) await engine.inputGradients('standard', batch.subarray(0, k * n), k, new Array(k).fill(target[0]));
    await engine.forwardInputs(new Float32Array(n), 1);
  };
  const ig = () => engine.explain(x, { methods: ['integratedgradients'] });
  await ig();
  await igRuns();
  const [tIg, tRows] = [[], []];
  for (let i = 0; i < Math.max(3, reps); i++) {
    for (const [fn, t] of [[ig, tIg], [igRuns, tRows]]) {
      const s0 = performance.now();
      await fn();
      t.push(performance.now() - s0);
    }
  }
  console.error(`${id} rounds (IG ms / its rows ms): ${tIg.map((t, i) => `${t.toFixed(0)}/${tRows[i].toFixed(0)}`).join(', ')}`);
  const med = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
  const ratio = med(tIg.map((t, i) => t / tRows[i]));
  add(`IG's own runs: ${steps} rows as ${sizes.join(' + ')} + 1 forward (round-robin)`, med(tRows));
  add('IG top-1 (round-robin with the line above)', med(tIg));
  console.error(`${id} IG ÷ its ${steps} batched rows, median of per-round ratios: ${ratio.toFixed(3)} (${(ratio * steps).toFixed(1)} batched rows)`);
  await engine.release();
}
console.table(rows);
