// npm run bench (second part): API throughput against the engine alone, side by side in one run.
// Distinct images every request (no cache can answer), Grad-CAM top-1, on SqueezeNet 1.0 (a 5 ms
// forward pass, where fixed per-request costs show) and ResNet-18 (BENCH_MODELS to choose):
//   engine, tensor in     Explainer.explain on each image's tensor, one after another
//   engine, image in      + decoding the PNG and the Pillow-exact resize to the model's input (what
//                         the CLI does per image, and what the API must do for every new image)
//   API ×1                one client: explain(imageId) over HTTP on loopback, awaited one by one
//   API ×16               16 concurrent clients
// Requests per second, p50 / p99 latency per request, and the ratios to both engine rows.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { Explainer, findModel, parseLabels, parseManifest, resizeForModel, toTensor } from '@saliency-explainer/core';
import { benchServer } from './server.mjs';
import { decodeImage } from '../../packages/api/dist/images/decode.js';
import { saveResults } from './results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODELS = (process.env.BENCH_MODELS ?? 'squeezenet1.0,resnet18').split(',');
/** Requests per case: enough for a stable p99 on the fast model, fewer on the slow one. */
const REQUESTS = { 'squeezenet1.0': 192, resnet18: 96 };
const both = readFileSync(join(root, '..', 'shared', 'data', 'images', 'both.png'));

/** N distinct images: crops, flips and brightness of both.png. */
async function images(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    // 24 × 24 crop offsets × 2 flips: up to 1152 distinct images
    let img = sharp(both).extract({ left: i % 24, top: Math.floor(i / 24) % 24, width: 200, height: 200 });
    if (Math.floor(i / 576) % 2) img = img.flop();
    out.push(await img.png().toBuffer());
  }
  return out;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summary(name, latencies, seconds) {
  const s = [...latencies].sort((a, b) => a - b);
  return { case: name, requests: s.length, 'req/s': (s.length / seconds).toFixed(1), 'p50 ms': percentile(s, 0.5).toFixed(1), 'p99 ms': percentile(s, 0.99).toFixed(1) };
}

async function benchModel(MODEL, N) {
  const pngs = await images(2 * N + 8);
  const rows = [];

  // the engine alone
  const manifest = parseManifest(readFileSync(join(root, 'models', 'manifest.json'), 'utf8'));
  const spec = findModel(manifest, MODEL);
  const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(root, 'models', 'cache', spec.labels), 'utf8'));
  const engine = await Explainer.create(ort, readFileSync(join(root, 'models', 'cache', spec.file)), spec, labels);
  const tensors = [];
  for (const png of pngs.slice(0, N)) tensors.push(toTensor(resizeForModel((await decodeImage(png, 1e8)).image, spec.input), spec.input));
  for (const t of tensors.slice(0, 8)) await engine.explain(t, { methods: ['gradcam'] }); // warm-up
  let lat = [];
  let t0 = performance.now();
  for (const t of tensors) {
    const s = performance.now();
    await engine.explain(t, { methods: ['gradcam'] });
    lat.push(performance.now() - s);
  }
  const engineRow = summary('engine, tensor in', lat, (performance.now() - t0) / 1000);
  rows.push(engineRow);
  lat = [];
  t0 = performance.now();
  for (const png of pngs.slice(0, N)) {
    const s = performance.now();
    const x = toTensor(resizeForModel((await decodeImage(png, 1e8)).image, spec.input), spec.input);
    await engine.explain(x, { methods: ['gradcam'] });
    lat.push(performance.now() - s);
  }
  const imageRow = summary('engine, image in', lat, (performance.now() - t0) / 1000);
  rows.push(imageRow);
  await engine.release();

  // the API
  const { server, settings, gql, close } = await benchServer(MODEL);
  const ids = [];
  for (const png of pngs) ids.push((await gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: png.toString('base64') })).uploadImage.id);
  const EXPLAIN = 'mutation($id: ID!) { explain(input: { imageId: $id, methods: ["gradcam"] }) { id predictions { label score } heatmaps { raw } } }';
  for (const id of ids.slice(2 * N)) await gql(EXPLAIN, { id }); // warm-up

  async function load(clients, queue) {
    const latencies = [];
    const start = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const s = performance.now();
        await gql(EXPLAIN, { id });
        latencies.push(performance.now() - s);
      }
    }));
    return [latencies, (performance.now() - start) / 1000];
  }
  const one = summary('API, 1 client', ...(await load(1, ids.slice(0, N))));
  const many = summary('API, 16 clients', ...(await load(16, ids.slice(N, 2 * N))));
  rows.push(one, many);
  const stats = server.services.explain.batcherStats();
  await close();
  for (const r of rows) {
    r['× engine (tensor in)'] = (Number(r['req/s']) / Number(engineRow['req/s'])).toFixed(2);
    r['× engine (image in)'] = (Number(r['req/s']) / Number(imageRow['req/s'])).toFixed(2);
  }
  console.log(`\nAPI throughput, ${MODEL}, Grad-CAM top-1, ${N} distinct images per case; ${settings.compute.workers} engine worker(s); micro-batches: ${stats.batches} runs for ${stats.requests} requests, largest ${stats.largestBatch}`);
  console.table(rows);
  saveResults('api', rows.map((r) => ({ model: MODEL, ...r })));
}

for (const model of MODELS) await benchModel(model, Number(process.env.BENCH_REQUESTS ?? REQUESTS[model] ?? 96));
