// npm run bench: the cost of faithfulness measures on this CPU, as ratios to one Grad-CAM map,
// measured side by side in one run (medians). The deletion+insertion pair (58 perturbed inputs)
// is timed batched (the engine's 16 inputs per forward run, as Score-CAM) and one input at a time.
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  Explainer, parseManifest, findModel, parseLabels, preprocess, causalCurve, road, measureFaithfulness, chwShape,
} from '@saliency-explainer/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'models');
const manifest = parseManifest(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const photo = join(root, '..', 'shared', 'data', 'images', 'both.png');

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
for (const id of ids) {
  const spec = findModel(manifest, id);
  const file = join(modelsDir, 'cache', spec.file);
  if (!existsSync(file)) {
    console.log(`${id}: model file not fetched (npm run models), skipped`);
    continue;
  }
  const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(modelsDir, 'cache', spec.labels), 'utf8'));
  const engine = await Explainer.create(ort, readFileSync(file), spec, labels, { batchSize: 16 });
  const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
  const cls = engine.topPredictions(await engine.predict(x), 1)[0].index;
  const map = (await engine.explain(x, { methods: ['gradcam'], classes: [cls] })).maps[0].map;
  const shape = chwShape(engine.inputShape);
  const score = (b, n) => engine.forwardInputs(b, n);
  const pair = (batchSize) => async () => {
    await causalCurve(score, x, shape, map, cls, 'deletion', { batchSize });
    await causalCurve(score, x, shape, map, cls, 'insertion', { batchSize });
  };
  const cases = [
    ['Grad-CAM map (top-1)', () => engine.explain(x, { methods: ['gradcam'], classes: [cls] }), 9],
    ['deletion + insertion, batched (16)', pair(16), 3],
    ['deletion + insertion, one at a time', pair(1), 3],
    ['ROAD (8 imputations + 9 inputs)', () => road(score, x, shape, map, cls), 3],
    ['all measures (measureFaithfulness)', () => measureFaithfulness(score, x, engine.inputShape, map, cls), 1],
  ];
  const times = [];
  for (const [name, fn, reps] of cases) times.push([name, await median(fn, reps)]);
  const base = times[0][1];
  console.log(`\n${id} (${engine.inputShape.join('×')}), class ${cls} ${labels[cls]}`);
  for (const [name, ms] of times) console.log(`  ${name.padEnd(38)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / base).toFixed(1).padStart(6)}× Grad-CAM`);
  await engine.release();
}
