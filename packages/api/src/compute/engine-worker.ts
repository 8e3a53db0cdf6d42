// An engine worker thread: holds one Explainer per model (its ONNX sessions) and runs batches of
// explain requests — decode, Pillow-exact resize, tensor, explainMany — off the server's main thread.
// Full-resolution decodes wait at the worker's pixel gate (SALIENCY_DECODE_PIXELS) and each image is
// reduced to the model's view before its pixels are let go, so a batch of large images is decoded a
// few at a time instead of all at once.
// ONNX Runtime's Node binding runs inference synchronously on the calling thread, so inference on
// the main thread would stall every other request (and /health) for the whole run.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { Explainer, resizeForModel, toTensor, type ExplainRequest, type RgbImage } from '@saliency-explainer/core';
import { loadServedModel } from '../models/loader.js';
import { decodeImage, imageHeader } from '../images/decode.js';
import { measure } from './measure.js';
import { PixelGate } from './pixel-gate.js';
import type { ItemResult, Reply, Request, WireError, WorkerConfig } from './worker-protocol.js';

const config = workerData as WorkerConfig;
const explainers = new Map<string, Promise<Explainer>>();
const gate = new PixelGate(config.decodePixels);

function wire(e: unknown): WireError {
  const err = e as { name?: string; code?: unknown; message?: string };
  return { name: err?.name ?? 'Error', code: typeof err?.code === 'string' ? err.code : undefined, message: err?.message ?? String(e) };
}

function explainer(model: string): Promise<Explainer> {
  let e = explainers.get(model);
  if (!e) {
    e = (async () => {
      const m = loadServedModel(config, model);
      return Explainer.create(ort, m.bytes, m.spec, m.labels, {
        ...(config.perturbationBatchSize ? { batchSize: config.perturbationBatchSize } : {}),
        sessionOptions: {
          executionProviders: config.executionProvider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
          ...(config.intraOpThreads > 0 ? { intraOpNumThreads: config.intraOpThreads } : {}),
        },
      });
    })();
    e.catch(() => explainers.delete(model));
    explainers.set(model, e);
  }
  return e;
}

async function explain(model: string, items: Extract<Request, { kind: 'explain' }>['items']): Promise<ItemResult[]> {
  const engine = await explainer(model);
  const spec = engine.spec.input;
  const results: (ItemResult | undefined)[] = new Array(items.length);
  const requests: ExplainRequest[] = [];
  const views: RgbImage[] = [];
  const index: number[] = [];
  await Promise.all(items.map(async (item, i) => {
    try {
      const { pixels } = await imageHeader(item.bytes, config.maxImagePixels);
      views[i] = await gate.run(pixels, async () => resizeForModel((await decodeImage(item.bytes, config.maxImagePixels)).image, spec));
      requests[i] = { input: toTensor(views[i], spec), options: item.options };
    } catch (e) {
      results[i] = { ok: false, error: wire(e) };
    }
  }));
  const runnable = requests.map((r, i) => (r ? (index.push(i), r) : null)).filter((r): r is ExplainRequest => r !== null);
  const settled = await engine.explainMany(runnable);
  settled.forEach((r, j) => {
    results[index[j]] = r.status === 'fulfilled'
      ? {
          ok: true,
          value: {
            layer: r.value.layer,
            probabilities: r.value.probabilities,
            maps: r.value.maps.map((m) => ({
              method: m.method, classIndex: m.classIndex, width: m.raw.width, height: m.raw.height, raw: m.raw.values,
              ...(m.attribution ? { attribution: { channels: m.attribution.channels, values: m.attribution.values } } : {}),
              ...(m.convergenceDelta === undefined ? {} : { convergenceDelta: m.convergenceDelta }),
            })),
            view: views[index[j]],
          },
        }
      : { ok: false, error: wire(r.reason) };
  });
  return results as ItemResult[];
}

function transferables(results: ItemResult[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const r of results) {
    if (!r.ok) continue;
    seen.add(r.value.probabilities.buffer as ArrayBuffer);
    seen.add(r.value.view.data.buffer as ArrayBuffer);
    for (const m of r.value.maps) {
      seen.add(m.raw.buffer as ArrayBuffer);
      if (m.attribution) seen.add(m.attribution.values.buffer as ArrayBuffer);
    }
  }
  return [...seen];
}

parentPort!.on('message', (msg: Request) => {
  void (async () => {
    let reply: Reply;
    if (msg.kind === 'load') {
      try {
        await explainer(msg.model);
        reply = { kind: 'loaded', id: msg.id };
      } catch (e) {
        reply = { kind: 'loaded', id: msg.id, error: wire(e) };
      }
      parentPort!.postMessage(reply);
      return;
    }
    if (msg.kind === 'measure') {
      try {
        const value = await measure(await explainer(msg.model), msg.job, config);
        reply = { kind: 'measured', id: msg.id, value };
      } catch (e) {
        reply = { kind: 'measured', id: msg.id, error: wire(e) };
      }
      parentPort!.postMessage(reply);
      return;
    }
    try {
      const results = await explain(msg.model, msg.items);
      parentPort!.postMessage({ kind: 'explained', id: msg.id, results } satisfies Reply, transferables(results));
    } catch (e) {
      parentPort!.postMessage({ kind: 'explained', id: msg.id, results: [], error: wire(e) } satisfies Reply);
    }
  })();
});
