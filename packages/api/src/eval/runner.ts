// `saliency-explainer eval`: every image × model × layer × method of a data set, scored against human
// fixations, stored (resumable), and reported.
//
// Work is split by image: each eval worker (eval-pool.ts, one per core by default) evaluates whole
// images — decode, one explain() per model × layer for every method still missing, scoring of the
// maps, the ceiling and the baselines — with one Explainer per model that lives as long as the worker,
// and ONNX Runtime on one thread. The main thread only plans, stores and reports. (Models on the main
// thread with two ONNX Runtime threads beside a score worker ran 2.8× slower than alone on the 2-core
// machine: ONNX Runtime's threads meet at a barrier after every parallel operator, and a thread
// descheduled for the scorer stalls the other; single-threaded lanes keep both cores busy.)
//
// Idempotence: a score's key is (protocol, image, row, metric), the protocol being the alignment or the
// faithfulness protocol by the column's kind (protocol.ts). An image's scores are written in one
// transaction, replacing any with the same keys. With --resume, (image, row) units whose every requested
// column that applies to the row is stored are skipped, whichever run stored them, and a unit missing
// some computes only those (a run adding faithfulness columns re-runs the engine for the maps but scores
// nothing against fixations again); without it everything is recomputed. An interrupted run therefore
// loses at most the images in flight.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  analyseModel, centerBias, densityMap, Explainer, getCamMethod, ittiKoch, mapToImage, overlay, resizeBilinear, resizeForModel, spectralResidual, toTensor,
  type FloatMap, type ModelAnalysis, type ModelSpec, type RgbImage, type TargetKind,
} from '@saliency-explainer/core';
import { inputError, modelError, usageError } from '../errors.js';
import { readImage } from '../io/image-io.js';
import { loadManifestModel, type LoadedModel } from '../models/loader.js';
import { openStorage } from '../storage/open.js';
import type { EvalEntry, EvalRunRecord, EvalScoreRecord, NewEvalScore, Storage } from '../storage/types.js';
import { loadDataset, selectImages, type DatasetId, type EvalDataset } from './dataset.js';
import { EvalPool } from './eval-pool.js';
import { columnApplies, getLeaderboardColumn, type ColumnKind } from './columns.js';
import type { ImageJob } from './evaluator.js';
import { entryKey } from './leaderboard.js';
import { defaultFaithfulnessProtocol, defaultProtocol, protocolKey, type EvalProtocol } from './protocol.js';
import { htmlReport, type Example, type ExampleTile } from './report-html.js';
import { buildReportData, jsonReport, markdownReport, sortedRows, type ReportData, type RunStats } from './report.js';
import { baselineEntry, BASELINES, ceilingEntry, CEILINGS, type BaselineId } from './scoring.js';
import { makeOutputDir, writeOutputFile } from '../io/output-files.js';
import { manifestDetector, planDetectors } from './detector-rows.js';
import { evaluateDistributed } from './distributed.js';
import type { JobPolicy } from '../queue/queue.js';

export interface EvalOptions {
  dataset: DatasetId;
  dataDir: string;
  modelsDir: string;
  /** Manifest model ids; empty: the manifest's default model. */
  models: string[];
  /** CAM method ids (aliases allowed). */
  methods: string[];
  /** Per model: 'default', '+N' (the N-th layer after the default in the manifest's `layers`), or tensor names. */
  layers: string[];
  images: { count?: number; subset?: [number, number | null] };
  /** Leaderboard columns (columns.ts): alignment metrics and faithfulness columns. */
  metrics: string[];
  target: TargetKind;
  databaseUrl: string;
  outDir: string;
  resume: boolean;
  sortMetric: string;
  ceiling: boolean;
  baselines: BaselineId[];
  protocol: Partial<Pick<EvalProtocol, 'sigma' | 'topP' | 'seed' | 'shuffledImages' | 'ceilingRepetitions'>>;
  /** Eval worker threads (each evaluates whole images); 0: everything on the main thread. */
  workers: number;
  /** Score-CAM / Ablation-CAM inputs per forward run. */
  batchSize: number;
  /** ONNX Runtime threads per run; 0: 1 with workers (one lane per core), every core without. */
  intraOpThreads: number;
  /** Images with example overlays in leaderboard.html. */
  examples: number;
  maxImageBytes: number;
  maxImagePixels: number;
  /** PostgreSQL only: the cells go to the job queue and `worker` processes compute them (eval/distributed.ts). */
  distributed?: { policy: JobPolicy; staleSeconds?: number };
}

export interface EvalHooks {
  /** Called at the start (done = 0) and whenever an image is finished (stored, skipped or failed). */
  progress?(done: number, total: number, image: string): void;
  /** Stop scheduling images when aborted; what is in flight is stored, and the report is written. */
  signal?: AbortSignal;
  /** A line for the user (the distributed run's queue). */
  note?(text: string): void;
}

export interface EvalOutcome {
  run: EvalRunRecord;
  data: ReportData;
  files: { markdown: string; html: string; json: string };
}

interface ModelRun {
  id: string;
  loaded: LoadedModel;
  analysis: ModelAnalysis;
  defaultLayer: string;
  layers: string[];
}

const TARGET_NAME: Record<TargetKind, string> = { logit: 'LOGIT', probability: 'PROBABILITY' };

/** The layers a model runs for the `--layers` tokens (checked against its graph). */
export function resolveLayers(tokens: readonly string[], spec: ModelSpec, analysis: ModelAnalysis): string[] {
  const out: string[] = [];
  const listed = spec.layers ?? [];
  const defaultLayer = spec.targetLayer ?? analysis.defaultLayer();
  for (const t of tokens) {
    let layer = t;
    if (t === 'default') {
      layer = defaultLayer;
    } else if (/^\+\d+$/.test(t)) {
      if (listed.length === 0) throw usageError(`--layers ${t}: model '${spec.id}' lists no layers in the manifest; name the layer`);
      const at = listed.indexOf(defaultLayer);
      const i = at + Number(t.slice(1));
      if (i >= listed.length) {
        throw usageError(`--layers ${t}: model '${spec.id}' lists ${listed.length} layers (${listed.join(', ')}); its default ${defaultLayer} is ${at >= 0 ? `number ${at + 1}` : 'not among them'}`);
      }
      layer = listed[i];
    }
    try {
      analysis.checkLayer(layer);
    } catch (e) {
      throw usageError(`--layers: ${(e as Error).message} (model '${spec.id}'; its 4-D tensors are listed by the API's models { targetLayers })`);
    }
    if (!out.includes(layer)) out.push(layer);
  }
  return out;
}

function unitKey(image: string, entry: EvalEntry): string {
  return `${image}\u0000${entryKey(entry)}`;
}

/** The models' files, graphs and layers, checked on the main thread before any worker starts. */
function planModels(options: EvalOptions): ModelRun[] {
  const runs: ModelRun[] = [];
  for (const id of options.models.length ? options.models : [undefined]) {
    if (manifestDetector(options.modelsDir, id)) continue; // detector rows: eval/detector-rows.ts
    const loaded = loadManifestModel(options.modelsDir, id);
    let analysis: ModelAnalysis;
    try {
      analysis = analyseModel(loaded.bytes, loaded.spec);
    } catch (e) {
      throw modelError('BAD_MODEL', `model '${loaded.spec.id}' cannot be used: ${(e as Error).message}`);
    }
    if (runs.some((r) => r.id === loaded.spec.id)) continue;
    const layers = resolveLayers(options.layers, loaded.spec, analysis);
    runs.push({ id: loaded.spec.id, loaded, analysis, defaultLayer: loaded.spec.targetLayer ?? analysis.defaultLayer(), layers });
  }
  return runs;
}

/** The RGB image at `width` (keeping the aspect ratio), for example overlays. */
async function thumbnail(img: RgbImage, width: number): Promise<RgbImage> {
  const height = Math.max(1, Math.round((img.height * width) / img.width));
  const data = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: img.channels } })
    .removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, channels: 3 };
}

function minMax(map: FloatMap): FloatMap {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const d = hi - lo;
  return { width: map.width, height: map.height, values: map.values.map((v) => (d > 0 ? (v - lo) / d : 0)) };
}

/** A PNG data URL; palette-quantised (libimagequant through sharp), a third of a full-colour PNG's bytes. */
async function dataUrl(img: RgbImage): Promise<string> {
  const png = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png({ palette: true, colours: 256, dither: 0.5, effort: 7 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Example overlays: the photo, the human density, the best model rows on the sort metric, the best baseline. */
async function makeExamples(options: EvalOptions, dataset: EvalDataset, indices: number[], models: ModelRun[], data: ReportData, scores: readonly EvalScoreRecord[], protocol: EvalProtocol): Promise<Example[]> {
  const count = Math.min(options.examples, indices.length);
  if (count === 0) return [];
  const picks = Array.from({ length: count }, (_, i) => indices[Math.floor((i * indices.length) / count)]);
  const rows = sortedRows(data);
  const best = rows.filter((r) => r.kind === 'model' && r.mean !== null).slice(0, 3);
  const baseline = rows.find((r) => r.kind === 'baseline' && r.mean !== null);
  const metric = data.sortMetric;
  const scoreOf = (image: string, e: EvalEntry) => {
    const key = entryKey(e);
    const s = scores.find((x) => x.image === image && x.metric === metric.id && entryKey(x) === key);
    return s?.value == null ? '' : `${metric.name} ${s.value.toFixed(3)}`;
  };
  // the examples' models run here, on the main thread, once the workers are done
  const explainers = new Map<string, Explainer>();
  const explainer = async (model: ModelRun) => {
    let e = explainers.get(model.id);
    if (!e) {
      e = await Explainer.create(ort, model.loaded.bytes, model.loaded.spec, model.loaded.labels, { batchSize: options.batchSize });
      explainers.set(model.id, e);
    }
    return e;
  };
  const out: Example[] = [];
  try {
    for (const index of picks) {
      const item = dataset.images[index];
      const image = await readImage(dataset.stimulus(item), { maxBytes: options.maxImageBytes, maxPixels: options.maxImagePixels });
      const thumb = await thumbnail(image, 240);
      const tiles: ExampleTile[] = [{ caption: 'photo', png: await dataUrl(thumb) }];
      const density = minMax(densityMap(item.observers.flat(), item.width, item.height, { sigma: protocol.sigma }));
      const small = (m: FloatMap) => ({ width: thumb.width, height: thumb.height, values: resizeBilinear(m.values, m.width, m.height, thumb.width, thumb.height) });
      tiles.push({ caption: `human density (${item.observers.length} observers, σ ${protocol.sigma} px)`, png: await dataUrl(overlay(thumb, small(density))) });
      for (const row of best) {
        const model = models.find((m) => m.id === row.model);
        if (!model) continue;
        const spec = model.loaded.spec.input;
        const x = toTensor(resizeForModel(image, spec), spec);
        const r = await (await explainer(model)).explain(x, { methods: [row.method], layer: row.layer, topK: 1, target: row.target === 'PROBABILITY' ? 'probability' : 'logit' });
        const m = r.maps[0];
        const map = mapToImage(m.map, spec, thumb.width, thumb.height);
        tiles.push({ caption: row.label, detail: `${m.label.split(',')[0]} ${(100 * r.predictions[0].score).toFixed(0)} % · ${scoreOf(item.file, row)}`, png: await dataUrl(overlay(thumb, map)) });
      }
      if (baseline) {
        const map = baseline.method === 'itti-koch' ? ittiKoch(image) : baseline.method === 'spectral-residual' ? spectralResidual(image) : centerBias({ width: image.width, height: image.height });
        tiles.push({ caption: baseline.label, detail: scoreOf(item.file, baseline), png: await dataUrl(overlay(thumb, small(minMax(map)))) });
      }
      out.push({ image: item.file, tiles });
    }
  } finally {
    await Promise.all([...explainers.values()].map((e) => e.release()));
  }
  return out;
}

export async function runEval(options: EvalOptions, hooks: EvalHooks): Promise<EvalOutcome> {
  const started = performance.now();
  for (const m of options.methods) {
    try {
      getCamMethod(m);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  }
  const methods = [...new Set(options.methods.map((m) => getCamMethod(m).id))];
  let dataset: EvalDataset;
  try {
    dataset = loadDataset(options.dataset, options.dataDir);
  } catch (e) {
    throw inputError('NO_DATASET', (e as Error).message);
  }
  const indices = selectImages(dataset.images.length, options.images);
  if (indices.length === 0) throw usageError(`the selection holds no image (${dataset.images.length} in ${options.dataset})`);
  const protocol = defaultProtocol(options.dataset, options.protocol);
  const key = protocolKey(protocol);
  const faithfulness = defaultFaithfulnessProtocol(options.dataset, { seed: options.protocol.seed });
  const keys: Record<ColumnKind, string> = { alignment: key, faithfulness: protocolKey(faithfulness) };
  const columns = options.metrics.map((id) => {
    try {
      return getLeaderboardColumn(id);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  });
  const alignment = columns.filter((c) => c.kind === 'alignment').map((c) => c.id);
  const usedKinds = [...new Set(columns.map((c) => c.kind))];
  /** Every stored score of the run's protocols (alignment and, when asked for, faithfulness). */
  const listScores = async (storage: Storage) => (await Promise.all(usedKinds.map((k) => storage.listEvalScores({ protocol: keys[k] })))).flat();
  const target = TARGET_NAME[options.target];
  const models = planModels(options);
  const detectors = planDetectors(options.modelsDir, options.models, options.layers, options.target, methods);

  const storage: Storage = await openStorage(options.databaseUrl);
  let pool: EvalPool | undefined;
  try {
    const entries: EvalEntry[] = [];
    for (const m of [...models, ...detectors]) for (const layer of m.layers) for (const method of methods) entries.push({ kind: 'model', model: m.id, layer, method, target });
    // the ceiling and the baselines have only alignment columns
    if (alignment.length > 0) {
      if (options.ceiling) for (const c of CEILINGS) entries.push(ceilingEntry(c));
      for (const b of options.baselines) entries.push(baselineEntry(b));
    }
    const images = indices.map((i) => dataset.images[i].file);
    const threads = options.intraOpThreads > 0 ? options.intraOpThreads : options.workers > 0 ? 1 : availableParallelism();

    // what is stored already (--resume): (image, row) → metrics
    const stored = new Map<string, Set<string>>();
    if (options.resume) {
      for (const s of await listScores(storage)) {
        const k = unitKey(s.image, s);
        if (!stored.has(k)) stored.set(k, new Set());
        stored.get(k)!.add(s.metric);
      }
    }
    /** The requested columns of (image, row) that apply to the row and are not stored. */
    const missing = (image: string, e: EvalEntry) => {
      const have = stored.get(unitKey(image, e));
      return columns.filter((c) => columnApplies(c, e.kind) && !have?.has(c.id)).map((c) => c.id);
    };
    const isStored = (image: string, e: EvalEntry) => missing(image, e).length === 0;
    const jobs: { file: string; units: number; job: ImageJob }[] = [];
    let skipped = 0;
    for (const index of indices) {
      const file = dataset.images[index].file;
      const job: ImageJob = {
        imageIndex: index, metrics: alignment, target: options.target,
        models: [...models, ...detectors].map((m) => ({
          id: m.id,
          layers: m.layers.map((layer) => ({
            layer,
            // detector rows: alignment columns only (faithfulness is measured on a classifier's input)
            methods: methods.map((method) => ({ method, metrics: missing(file, { kind: 'model', model: m.id, layer, method, target }).filter((id) => !('detector' in m) || alignment.includes(id)) }))
              .filter((w) => w.metrics.length > 0),
          })).filter((l) => l.methods.length > 0),
        })).filter((w) => w.layers.length > 0),
        ceiling: alignment.length > 0 && options.ceiling && CEILINGS.some((c) => !isStored(file, ceilingEntry(c))),
        baselines: alignment.length > 0 ? options.baselines.filter((b) => !isStored(file, baselineEntry(b))) : [],
      };
      const units = job.models.reduce((n, w) => n + w.layers.reduce((k, l) => k + l.methods.length, 0), 0) + (job.ceiling ? CEILINGS.length : 0) + job.baselines.length;
      skipped += entries.length - units;
      jobs.push({ file, units, job });
    }

    const run = await storage.createEvalRun({
      dataset: options.dataset, protocol: key, images, entries,
      params: {
        dataset: options.dataset, dataDir: options.dataDir, models: [...models, ...detectors].map((m) => m.id), methods,
        layers: Object.fromEntries([...models, ...detectors].map((m) => [m.id, m.layers])), metrics: options.metrics, target: options.target,
        class: 'top1', images: options.images, resume: options.resume, ceiling: options.ceiling, baselines: options.baselines,
        workers: options.workers, intraOpThreads: threads, batchSize: options.batchSize, protocol, ...(options.distributed ? { distributed: true } : {}),
        faithfulnessProtocol: faithfulness, protocolKeys: keys,
      },
    });
    const stats: RunStats = {
      images: indices.length, unitsComputed: 0, unitsSkipped: skipped, unitsLeft: 0, engineRuns: 0, failedImages: [],
      time: { decode: 0, engine: 0, faithfulness: 0, reference: 0, maps: 0, ceiling: 0, baselines: 0, store: 0 }, interrupted: false,
    };
    let done = 0;
    const finished = (image: string) => {
      done++;
      hooks.progress?.(done, indices.length, image);
    };

    hooks.progress?.(0, indices.length, '');
    const todo = jobs.filter((j) => j.units > 0);
    for (const j of jobs) if (j.units === 0) finished(j.file);
    if (options.distributed && todo.length > 0) {
      await evaluateDistributed({
        databaseUrl: options.databaseUrl, runId: run.id, dataset: options.dataset, dataDir: options.dataDir, protocol, faithfulness, keys,
        batchSize: options.batchSize, maxImageBytes: options.maxImageBytes, maxImagePixels: options.maxImagePixels,
        models: models.map((m) => ({ id: m.id, bytes: m.loaded.bytes })), todo, policy: options.distributed.policy,
        staleSeconds: options.distributed.staleSeconds, stats, finished, signal: hooks.signal, note: hooks.note,
      });
      todo.length = 0; // computed by the workers: nothing for the local pool
    }
    if (todo.length > 0) {
      pool = new EvalPool(options.workers, {
        dataset: options.dataset, dataDir: options.dataDir, protocol, faithfulness, modelsDir: options.modelsDir, batchSize: options.batchSize,
        intraOpThreads: threads, maxImageBytes: options.maxImageBytes, maxImagePixels: options.maxImagePixels,
      });
      const needed = models.filter((m) => todo.some((j) => j.job.models.some((w) => w.id === m.id))).map((m) => m.id);
      try {
        await pool.load(needed);
      } catch (e) {
        throw modelError('BAD_MODEL', `a model cannot be used: ${(e as Error).message}`);
      }
    }
    let failure: unknown;
    let writes: Promise<void> = Promise.resolve();
    const inflight = new Set<Promise<void>>();
    const maxInflight = 2 * Math.max(1, options.workers);
    for (const { file, units, job } of todo) {
      if (failure !== undefined) break;
      if (hooks.signal?.aborted) {
        stats.interrupted = true;
        break;
      }
      const task = pool!.evaluate(job).then((out) => {
        if (!out.ok) {
          stats.failedImages.push({ image: file, error: out.message });
          finished(file);
          return;
        }
        stats.engineRuns += out.engineRuns;
        for (const [k, v] of Object.entries(out.timings)) stats.time[k as keyof RunStats['time']] += v;
        const rows: NewEvalScore[] = out.rows.map((r) => ({ ...r, protocol: keys[getLeaderboardColumn(r.metric).kind], dataset: options.dataset, image: file }));
        writes = writes.then(async () => {
          const t = performance.now();
          await storage.saveEvalScores(run.id, rows);
          stats.time.store += performance.now() - t;
          stats.unitsComputed += units;
          finished(file);
        });
        return writes;
      }).catch((e: unknown) => {
        failure ??= e;
      });
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
      while (inflight.size >= maxInflight) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    if (stats.interrupted) stats.unitsLeft = entries.length * indices.length - stats.unitsComputed - stats.unitsSkipped;
    await pool?.close();
    pool = undefined;

    const wallMs = performance.now() - started;
    const finishedRun = await storage.finishEvalRun(run.id, { wallMs, stats: { ...stats } });
    const scores = await listScores(storage);
    const data = buildReportData({
      dataset: options.dataset, dataDir: options.dataDir, run: finishedRun, protocol, faithfulnessProtocol: faithfulness, wallMs, stats,
      metricIds: options.metrics, sortMetric: options.sortMetric, scores,
    });
    makeOutputDir(options.outDir);
    const files = { markdown: join(options.outDir, 'leaderboard.md'), html: join(options.outDir, 'leaderboard.html'), json: join(options.outDir, 'leaderboard.json') };
    writeOutputFile(files.markdown, markdownReport(data));
    writeOutputFile(files.json, `${JSON.stringify(jsonReport(data), null, 1)}\n`);
    const examples = await makeExamples(options, dataset, indices, models, data, scores, protocol);
    writeOutputFile(files.html, htmlReport(data, examples));
    return { run: finishedRun, data, files };
  } finally {
    await pool?.close();
    await storage.close();
  }
}

export { BASELINES };
