// One image's whole evaluation: decode the stimulus, run each model once per layer for all its missing
// methods (the top-1 class), measure each map's faithfulness columns right away on the model's input
// with the same Explainer, and score the maps, the ceiling and the baselines against the fixations
// (scoring.ts). An ImageEvaluator lives in each eval worker (eval-pool.ts) — or on the main thread with
// --workers 0 — and keeps one Explainer per model for all its images, so sessions are compiled once per
// layer.
import * as ort from 'onnxruntime-node';
import { Explainer, resizeForModel, toTensor, type RgbImage, type TargetKind } from '@saliency-explainer/core';
import { CliError } from '../errors.js';
import { readImage } from '../io/image-io.js';
import { loadManifestModel, type LoadedModel } from '../models/loader.js';
import { getLeaderboardColumn, measureColumns } from './columns.js';
import { loadDataset, type DatasetId, type EvalDataset } from './dataset.js';
import { faithfulnessOptions, type EvalProtocol, type FaithfulnessProtocol } from './protocol.js';
import { ImageScorer, type BaselineId, type ModelMapJob, type ScoreRow } from './scoring.js';
import { DetectorRows } from './detector-rows.js';

export interface EvaluatorConfig {
  dataset: DatasetId;
  dataDir: string;
  protocol: EvalProtocol;
  faithfulness: FaithfulnessProtocol;
  modelsDir: string;
  /** Score-CAM / Ablation-CAM inputs per forward run. */
  batchSize: number;
  /** ONNX Runtime threads per session run. */
  intraOpThreads: number;
  maxImageBytes: number;
  maxImagePixels: number;
}

/** A method of a model row and the columns (alignment metrics, faithfulness columns) it still needs. */
export interface MethodWork {
  method: string;
  metrics: string[];
}

export interface ImageJob {
  imageIndex: number;
  /** The alignment metrics of the ceiling and the baselines. */
  metrics: string[];
  target: TargetKind;
  /** Per model, the layers to run and the methods each still needs. */
  models: { id: string; layers: { layer: string; methods: MethodWork[] }[] }[];
  ceiling: boolean;
  baselines: BaselineId[];
}

export interface ImageTimings {
  decode: number;
  engine: number;
  /** The faithfulness columns of the model maps (model calls on perturbed inputs included). */
  faithfulness: number;
  reference: number;
  maps: number;
  ceiling: number;
  baselines: number;
}

export type ImageOutput =
  | { ok: true; rows: ScoreRow[]; engineRuns: number; timings: ImageTimings }
  /** The image could not be read (its rows stay missing; the run goes on). */
  | { ok: false; code: string; message: string };

const TARGET_NAME: Record<TargetKind, string> = { logit: 'LOGIT', probability: 'PROBABILITY' };

export class ImageEvaluator {
  readonly dataset: EvalDataset;
  private readonly scorer: ImageScorer;
  private readonly models = new Map<string, Promise<{ loaded: LoadedModel; explainer: Explainer }>>();
  /** Detector rows (eval/detector-rows.ts). */
  private readonly detectors: DetectorRows;

  constructor(readonly config: EvaluatorConfig) {
    this.dataset = loadDataset(config.dataset, config.dataDir);
    this.scorer = new ImageScorer(this.dataset, config.protocol);
    this.detectors = new DetectorRows(config.modelsDir, config.intraOpThreads);
  }

  /** The model's Explainer, created on first use (sessions for more layers compile on their first run). */
  model(id: string): Promise<{ loaded: LoadedModel; explainer: Explainer }> {
    let m = this.models.get(id);
    if (!m) {
      m = (async () => {
        const loaded = loadManifestModel(this.config.modelsDir, id);
        const explainer = await Explainer.create(ort, loaded.bytes, loaded.spec, loaded.labels, {
          batchSize: this.config.batchSize,
          sessionOptions: { intraOpNumThreads: this.config.intraOpThreads, interOpNumThreads: 1 },
        });
        return { loaded, explainer };
      })();
      m.catch(() => this.models.delete(id));
      this.models.set(id, m);
    }
    return m;
  }

  async evaluate(job: ImageJob): Promise<ImageOutput> {
    const item = this.dataset.images[job.imageIndex];
    if (!item) throw new RangeError(`no image ${job.imageIndex} in ${this.dataset.id}`);
    const timings: ImageTimings = { decode: 0, engine: 0, faithfulness: 0, reference: 0, maps: 0, ceiling: 0, baselines: 0 };
    let rgb: RgbImage | undefined;
    const needsImage = job.models.some((m) => m.layers.length > 0) || job.baselines.some((b) => b !== 'center-bias');
    if (needsImage) {
      const t = performance.now();
      try {
        rgb = await readImage(this.dataset.stimulus(item), { maxBytes: this.config.maxImageBytes, maxPixels: this.config.maxImagePixels });
      } catch (e) {
        if (e instanceof CliError && e.exitCode === 3) return { ok: false, code: e.code, message: e.message };
        throw e;
      }
      if (rgb.width !== item.width || rgb.height !== item.height) {
        return { ok: false, code: 'BAD_IMAGE', message: `${this.dataset.stimulus(item)} is ${rgb.width}×${rgb.height}; its fixations are for ${item.width}×${item.height}` };
      }
      timings.decode = performance.now() - t;
    }
    const maps: ModelMapJob[] = [];
    const rows: ScoreRow[] = [];
    let engineRuns = 0;
    for (const work of job.models) {
      if (work.layers.length === 0) continue;
      if (this.detectors.isDetector(work.id)) {
        for (const l of work.layers) {
          const t = performance.now();
          const got = await this.detectors.maps(work.id, rgb!, l.layer, l.methods.map((m) => m.method));
          engineRuns++;
          timings.engine += performance.now() - t;
          for (const w of l.methods) {
            const entry = { kind: 'model' as const, model: work.id, layer: l.layer, method: w.method, target: TARGET_NAME[job.target] };
            const m = got.find((g) => g.method === w.method);
            // no box found: the row's scores are undefined for this image
            if (!m) for (const metric of w.metrics) rows.push({ ...entry, metric, value: null, classIndex: null });
            else maps.push({ entry, classIndex: m.classIndex < 0 ? null : m.classIndex, spec: null, map: m.map, imageMap: m.map, metrics: w.metrics });
          }
        }
        continue;
      }
      const { loaded, explainer } = await this.model(work.id);
      const spec = loaded.spec.input;
      const x = toTensor(resizeForModel(rgb!, spec), spec);
      const score = (batch: Float32Array, n: number) => explainer.forwardInputs(batch, n);
      const options = faithfulnessOptions(this.config.faithfulness, explainer.inputShape[3], this.config.batchSize);
      for (const l of work.layers) {
        let t = performance.now();
        const result = await explainer.explain(x, { methods: l.methods.map((m) => m.method), layer: l.layer, topK: 1, target: job.target });
        engineRuns++;
        timings.engine += performance.now() - t;
        t = performance.now();
        for (const m of result.maps) {
          const wanted = l.methods.find((w) => w.method === m.method)?.metrics ?? [];
          const entry = { kind: 'model' as const, model: loaded.spec.id, layer: l.layer, method: m.method, target: TARGET_NAME[job.target] };
          const faithful = wanted.filter((id) => getLeaderboardColumn(id).kind === 'faithfulness');
          for (const c of await measureColumns(score, x, explainer.inputShape, m.map, m.classIndex, faithful, options)) {
            rows.push({ ...entry, metric: c.id, value: c.value, classIndex: m.classIndex });
          }
          maps.push({ entry, classIndex: m.classIndex, spec, map: m.map, metrics: wanted.filter((id) => getLeaderboardColumn(id).kind === 'alignment') });
        }
        timings.faithfulness += performance.now() - t;
      }
    }
    const out = this.scorer.score({ imageIndex: job.imageIndex, metrics: job.metrics, maps, ceiling: job.ceiling, baselines: job.baselines, rgb });
    Object.assign(timings, out.timings);
    return { ok: true, rows: [...rows, ...out.rows], engineRuns, timings };
  }

  async release(): Promise<void> {
    await this.detectors.release();
    const all = await Promise.allSettled(this.models.values());
    this.models.clear();
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.explainer.release() : undefined)));
  }
}
