// npm run bench: the perturbation methods (Score-CAM, Ablation-CAM) against the forward passes they
// are made of, measured side by side in one run on a real photo (both.png).
// For each model: 512 bare forwards (the engine's logits-only session, batch 1 — what the layer's 512
// channels would cost as plain forward passes), Score-CAM top-1 at several batch sizes (the size the
// engine takes for the model marked, and the fastest of the run reported: what models/manifest.json
// names as the model's perturbationBatch), Score-CAM "before" — the previous implementation (masks of all channels upsampled at once,
// masked batches copied together in JS, every channel run, batch 16; kept verbatim below and run
// through the same engine) — and Ablation-CAM top-1 (head-only passes). Cases run in turn, round
// after round, so that a busy machine slows them alike; the table gives medians, minima (the least
// disturbed run) and the process CPU time (user + system, all ONNX Runtime threads), which a shared
// machine disturbs less than the wall clock.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  Explainer, parseManifest, findModel, parseLabels, preprocess, getCamMethod, resizeAlignCorners, softmax, targetScores,
} from '@saliency-explainer/core';
import { saveResults } from './results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const sharp = createRequire(join(root, 'packages', 'api', 'package.json'))('sharp');
const ROUNDS = Number(process.env.PERTURBATION_BENCH_ROUNDS ?? 3);
const SIZES = (process.env.PERTURBATION_BENCH_SIZES ?? '1,4,8,16,32').split(',').map(Number);
const PHOTO = join(root, '..', 'shared', 'data', 'images', 'both.png');

const labelsOf = (spec) => (Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8')));
const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];

// --- the Score-CAM of commit 128cde1 (before this bench's change), verbatim but for imports; weightedCam
// is core's cam/combine.ts without eigen smoothing (not exported) ---
function weightedCam(ctx, weights) {
  const A = ctx.activations.data;
  const C = ctx.activations.channels;
  const hw = ctx.activations.height * ctx.activations.width;
  const cam = new Float64Array(hw);
  for (let c = 0; c < C; c++) {
    const w = weights[c];
    if (w === 0) continue;
    for (let p = 0; p < hw; p++) cam[p] += w * A[c * hw + p];
  }
  return Float32Array.from(cam);
}
async function scoreCamBefore(ctx) {
  const { channels: C, height: h, width: w } = ctx.activations;
  const [, ch, H, W] = ctx.inputDims;
  const n = H * W;
  const masks = resizeAlignCorners(ctx.activations.data, C, w, h, W, H);
  for (let c = 0; c < C; c++) {
    const m = masks.subarray(c * n, (c + 1) * n);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of m) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const d = Math.fround(Math.fround(hi - lo) + 1e-8);
    for (let i = 0; i < n; i++) m[i] = Math.fround(m[i] - lo) / d;
  }
  const logits = new Float32Array(C * ctx.numClasses);
  for (let start = 0; start < C; start += ctx.batchSize) {
    const b = Math.min(ctx.batchSize, C - start);
    const batch = new Float32Array(b * ch * n);
    for (let i = 0; i < b; i++) {
      const m = masks.subarray((start + i) * n, (start + i + 1) * n);
      for (let c = 0; c < ch; c++) {
        const src = c * n;
        const dst = (i * ch + c) * n;
        for (let p = 0; p < n; p++) batch[dst + p] = ctx.input[src + p] * m[p];
      }
    }
    logits.set(await ctx.forwardInputs(batch, b), start * ctx.numClasses);
  }
  return ctx.targets.map((t) => weightedCam(ctx, softmax(targetScores(logits, C, ctx.numClasses, t))));
}
// ---

const scoreCam = getCamMethod('scorecam');
const scoreCamNow = scoreCam.compute;
const { data, info } = await sharp(PHOTO).removeAlpha().raw().toBuffer({ resolveWithObject: true });

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['squeezenet1.0', 'resnet18'];
const rows = [];
const best = [];
for (const id of ids) {
  const spec = findModel(manifest, id);
  const bytes = readFileSync(join(modelsDir, 'cache', spec.file));
  const labels = labelsOf(spec);
  const engine = await Explainer.create(ort, bytes, spec, labels); // the model's batch size (manifest perturbationBatch, else DEFAULT_BATCH_SIZE)
  const bySize = new Map([[engine.batchSize, engine]]);
  for (const b of [...SIZES, 16]) if (!bySize.has(b)) bySize.set(b, await Explainer.create(ort, bytes, spec, labels, { batchSize: b }));
  const x = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
  const [, C] = engine.analysis.checkLayer(engine.defaultLayer);
  const withCompute = (compute, fn) => async () => {
    scoreCam.compute = compute;
    try {
      return await fn();
    } finally {
      scoreCam.compute = scoreCamNow;
    }
  };
  const cases = [
    [`${C} bare forwards (batch 1)`, async () => {
      for (let i = 0; i < C; i++) await engine.forwardInputs(x, 1);
    }],
    ['Score-CAM top-1, before (batch 16)', withCompute(scoreCamBefore, () => bySize.get(16).explain(x, { methods: ['scorecam'], topK: 1 }))],
    ...[...new Set([...SIZES, engine.batchSize])].sort((a, b) => a - b).map((b) => [
      `Score-CAM top-1, batch ${b}${b === engine.batchSize ? ` (${spec.perturbationBatch ? "model's" : 'default'})` : ''}`,
      () => bySize.get(b).explain(x, { methods: ['scorecam'], topK: 1 }),
    ]),
    ['Ablation-CAM top-1 (head only, default batch)', () => engine.explain(x, { methods: ['ablationcam'], topK: 1 })],
  ];
  // warm-up: every session built (one masked run, one explain of each engine's layer), not a whole case
  for (const e of bySize.values()) {
    await e.forwardInputs(x, 1);
    await e.forwardMaskedInputs(x, new Float32Array(engine.inputShape[2] * engine.inputShape[3]), 1);
  }
  await engine.explain(x, { methods: ['ablationcam'], topK: 1 });
  const wall = cases.map(() => []);
  const cpu = cases.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, fn]] of cases.entries()) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      await fn();
      wall[i].push(performance.now() - s);
      const c = process.cpuUsage(c0);
      cpu[i].push((c.user + c.system) / 1000);
    }
  }
  const base = median(wall[0]);
  const before = median(wall[1]);
  const cpuBase = median(cpu[0]);
  // the fastest Score-CAM batch of this run, by median wall time and by median CPU time
  const sizeCases = cases.map(([name], i) => [Number(/batch (\d+)/.exec(name)?.[1]), i]).filter(([b, i]) => b && i > 1);
  const fastest = (t) => sizeCases.reduce((best, [b, i]) => (median(t[i]) < median(t[best[1]]) ? [b, i] : best), sizeCases[0])[0];
  best.push({ model: id, 'model batch': engine.batchSize, 'manifest perturbationBatch': spec.perturbationBatch ?? '—', 'fastest (wall)': fastest(wall), 'fastest (cpu)': fastest(cpu) });
  cases.forEach(([name], i) => {
    const ms = median(wall[i]);
    rows.push({
      model: id, case: name, batch: sizeCases.find(([, j]) => j === i)?.[0] ?? null, modelBatch: engine.batchSize, ms, cpuMs: median(cpu[i]), 'median s': (ms / 1000).toFixed(2), 'min s': (Math.min(...wall[i]) / 1000).toFixed(2),
      [`× ${C} fwd`]: (ms / base).toFixed(2), '× before': (ms / before).toFixed(2),
      'cpu s': (median(cpu[i]) / 1000).toFixed(2), [`cpu × ${C} fwd`]: (median(cpu[i]) / cpuBase).toFixed(2),
    });
    console.error(`${id} ${name}: ${(ms / 1000).toFixed(2)} s (${(ms / base).toFixed(2)}× ${C} forwards, ${(ms / before).toFixed(2)}× before)`);
  });
  for (const e of bySize.values()) await e.release();
}
console.table(rows.map(({ batch, modelBatch, ms, cpuMs, ...r }) => r));
console.log('Score-CAM batch sizes (a per-model choice goes in models/manifest.json as perturbationBatch):');
console.table(best);
saveResults('perturbation', rows, { best });
