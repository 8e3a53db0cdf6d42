// Object detectors as rows of `eval` (the detector study: YOLOX-Nano × EigenCAM / gradient CAMs ×
// layers against people's fixations). A detector row's layer is a comma-joined list of tensors:
// 'default' is the detector's layers, one per stride — EigenCAM combines them (pytorch-grad-cam's
// multi-layer aggregation) and a box is explained on its own stride's layer — or the names given.
// EigenCAM maps the image; a gradient CAM maps the best box (the top-1 box, as classifier rows explain
// the top-1 class); an image with no box gets no map (its scores are stored as undefined). Maps are
// taken back through the letterbox to the image's pixels, where they are scored like any other row
// (alignment columns only: faithfulness columns are measured on classifiers' inputs).
import * as ort from 'onnxruntime-node';
import { DetectorExplainer, getCamMethod, type DetectorMap, type DetectorSpec, type FloatMap, type RgbImage } from '@saliency-explainer/core';
import { usageError } from '../errors.js';
import { loadDetector } from '../models/detector.js';
import { readManifest } from '../models/loader.js';
import { loadServedDetector } from '../compute/detector-models.js';

export interface DetectorPlan {
  id: string;
  detector: true;
  /** Comma-joined layer lists, one per row. */
  layers: string[];
}

/** The manifest detector `id` names (and no classifier does), else undefined. */
export function manifestDetector(modelsDir: string, id: string | undefined): DetectorSpec | undefined {
  if (id === undefined) return undefined;
  const manifest = readManifest(modelsDir);
  if (manifest.models.some((m) => m.id === id)) return undefined;
  return (manifest.detectors ?? []).find((d) => d.id === id);
}

/** A detector's rows for the `--layers` tokens: 'default' (one layer per stride) or tensor names joined by '+'/','. */
export function planDetector(modelsDir: string, spec: DetectorSpec, tokens: readonly string[], target: string, methods: readonly string[]): DetectorPlan {
  if (target !== 'logit') throw usageError(`--target ${target}: detector '${spec.id}' rows explain a box's score (objectness × class probability), not a softmax`);
  for (const id of methods) {
    const m = getCamMethod(id);
    if (m.id !== 'eigencam' && !(m.kind === 'cam' && m.cost === 'gradient')) {
      throw usageError(`--methods ${m.id}: detector '${spec.id}' rows take EigenCAM and the gradient CAMs (gradcam, gradcam++, hirescam, layercam, xgradcam, …)`);
    }
  }
  const served = loadServedDetector(modelsDir, spec);
  const layers: string[] = [];
  for (const t of tokens) {
    let list: string[];
    if (t === 'default') list = served.defaultLayers;
    else if (/^\+\d+$/.test(t)) throw usageError(`--layers ${t}: detector '${spec.id}' rows take 'default' (one layer per stride) or tensor names (several joined with '+')`);
    else list = t.split(/[+,]/).map((s) => s.trim()).filter(Boolean);
    for (const l of list) {
      try {
        served.analysis.checkLayer(l);
      } catch (e) {
        throw usageError(`--layers: ${(e as Error).message} (detector '${spec.id}'; its candidate layers are listed by the API's models { targetLayers })`);
      }
    }
    const key = list.join(',');
    if (!layers.includes(key)) layers.push(key);
  }
  return { id: spec.id, detector: true, layers };
}

/** The detectors among `ids` (manifest detectors), planned; the classifiers are planned by the runner. */
export function planDetectors(modelsDir: string, ids: readonly string[], tokens: readonly string[], target: string, methods: readonly string[]): DetectorPlan[] {
  const out: DetectorPlan[] = [];
  for (const id of ids) {
    const spec = manifestDetector(modelsDir, id);
    if (spec && !out.some((d) => d.id === id)) out.push(planDetector(modelsDir, spec, tokens, target, methods));
  }
  return out;
}

/** A detector row's map of one image: on the image's pixels, with the explained box's class (-1: the image). */
export interface DetectorRowMap {
  method: string;
  classIndex: number;
  map: FloatMap;
}

/** The detectors of an eval worker: one DetectorExplainer per detector, kept for all its images. */
export class DetectorRows {
  private readonly explainers = new Map<string, Promise<DetectorExplainer>>();

  constructor(private readonly modelsDir: string, private readonly intraOpThreads: number) {}

  isDetector(id: string): boolean {
    return manifestDetector(this.modelsDir, id) !== undefined;
  }

  private explainer(id: string): Promise<DetectorExplainer> {
    let ex = this.explainers.get(id);
    if (!ex) {
      const spec = manifestDetector(this.modelsDir, id)!;
      const { bytes, labels } = loadDetector(this.modelsDir, spec);
      ex = DetectorExplainer.create(ort, bytes, spec, labels, { sessionOptions: { intraOpNumThreads: this.intraOpThreads, interOpNumThreads: 1 } });
      ex.catch(() => this.explainers.delete(id));
      this.explainers.set(id, ex);
    }
    return ex;
  }

  /** The maps of `methods` at one row's layers ('a,b,c'); a gradient method maps nothing when no box was found. */
  async maps(id: string, rgb: RgbImage, layerKey: string, methods: readonly string[]): Promise<DetectorRowMap[]> {
    const ex = await this.explainer(id);
    const layers = layerKey.split(',');
    const isDefault = layerKey === ex.defaultLayers.join(',');
    const run = await ex.run(rgb, { layers });
    const out: DetectorRowMap[] = [];
    for (const method of methods) {
      let m: DetectorMap | undefined;
      if (method === 'eigencam') m = await ex.eigenCam(run, layers);
      else if (run.detections.length) [m] = await ex.explainBoxes(run, [run.detections[0]], { method, layers: isDefault ? undefined : layers });
      if (m) out.push({ method, classIndex: m.box ? m.box.classIndex : -1, map: m.map });
    }
    return out;
  }

  async release(): Promise<void> {
    const all = await Promise.allSettled(this.explainers.values());
    this.explainers.clear();
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
  }
}
