// The model `augment` explains and checks: a manifest detector (EigenCAM or a gradient CAM of its best
// box, on the image's pixels) or a manifest classifier (a CAM of its top-1 class), each with its
// verdict on an image, the form the accuracy table compares. Opening one checks --method and --layer
// before any output is written.
import * as ort from 'onnxruntime-node';
import {
  DetectExplainError, DetectorExplainer, ExplainError, Explainer, getCamMethod, mapToImage, resizeForModel, toTensor,
  type DetectorSpec, type FloatMap, type RgbImage, type ScoredBox,
} from '@saliency-explainer/core';
import { modelError, usageError } from '../../errors.js';
import { manifestDetector } from '../../eval/detector-rows.js';
import { loadDetector } from '../../models/detector.js';
import { loadManifestModel, readManifest } from '../../models/loader.js';
import type { AugmentArgs } from './args.js';

/** What the model says about one image, in the form the accuracy table compares. */
export type Verdict =
  | { task: 'detection'; boxes: (ScoredBox & { label: string })[] }
  | { task: 'classification'; top: { index: number; label: string; score: number }[]; probs: Float32Array };

/** The model behind the command: its map of an image and its verdict. */
export interface AugmentModel {
  id: string;
  task: 'detection' | 'classification';
  method: string;
  layers: string[];
  /** The map on the image's pixels (null: nothing to explain, e.g. no box) and the verdict. */
  analyse(image: RgbImage): Promise<{ map: FloatMap | null; verdict: Verdict; explained?: string }>;
  verdict(image: RgbImage): Promise<Verdict>;
  release(): Promise<void>;
}

async function detectorModel(args: AugmentArgs, spec: DetectorSpec): Promise<AugmentModel> {
  const method = args.method ?? 'eigencam';
  let m;
  try {
    m = getCamMethod(method);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (m.id !== 'eigencam' && !(m.kind === 'cam' && m.cost === 'gradient')) {
    throw usageError(`--method ${m.id} is not offered for detectors: EigenCAM and the gradient CAMs (gradcam, gradcam++, hirescam, layercam, xgradcam, …) are`);
  }
  const { bytes, labels } = loadDetector(args.modelsDir, spec);
  let ex: DetectorExplainer;
  try {
    ex = await DetectorExplainer.create(ort, bytes, spec, labels);
  } catch (e) {
    throw modelError('BAD_MODEL', `detector '${spec.id}' cannot be used: ${(e as Error).message}`);
  }
  const layers = args.layers;
  if (layers) {
    try {
      await ex.run({ data: new Uint8Array(32 * 32 * 3), width: 32, height: 32, channels: 3 }, { layers });
    } catch (e) {
      await ex.release();
      if (e instanceof DetectExplainError) throw usageError(`--layer: ${e.message}`);
      throw e;
    }
  }
  const boxesOf = (dets: { classIndex: number; label: string; score: number; box: readonly number[] }[]) =>
    dets.map((d) => ({ classIndex: d.classIndex, label: d.label, score: d.score, box: [...d.box] }));
  return {
    id: spec.id,
    task: 'detection',
    method: m.id,
    layers: layers ?? ex.defaultLayers,
    async analyse(image) {
      const run = await ex.run(image, { layers });
      const verdict: Verdict = { task: 'detection', boxes: boxesOf(run.detections) };
      if (m.id === 'eigencam') return { map: (await ex.eigenCam(run, layers)).map, verdict, explained: 'the image' };
      if (run.detections.length === 0) return { map: null, verdict };
      const [box] = await ex.explainBoxes(run, [run.detections[0]], { method: m.id, layers });
      const d = run.detections[0];
      return { map: box.map, verdict, explained: `box 0 (${d.label} ${d.score.toFixed(2)})` };
    },
    async verdict(image) {
      return { task: 'detection', boxes: boxesOf((await ex.run(image, { layers })).detections) };
    },
    release: () => ex.release(),
  };
}

async function classifierModel(args: AugmentArgs): Promise<AugmentModel> {
  const method = args.method ?? 'gradcam';
  let m;
  try {
    m = getCamMethod(method);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (m.kind !== 'cam') throw usageError(`--method ${m.id} is a pixel attribution; augment erases by a CAM method's map (gradcam, eigencam, scorecam, …)`);
  const model = loadManifestModel(args.modelsDir, args.model);
  let engine: Explainer;
  try {
    engine = await Explainer.create(ort, model.bytes, model.spec, model.labels);
  } catch (e) {
    throw modelError('BAD_MODEL', `model '${model.spec.id}' cannot be used: ${(e as Error).message}`);
  }
  const layer = args.layers?.[0];
  try {
    if (args.layers && args.layers.length > 1) throw usageError('--layer: a classifier takes one target layer');
    if (layer !== undefined) {
      try {
        engine.analysis.checkLayer(layer);
      } catch (e) {
        throw usageError(`--layer: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    await engine.release();
    throw e;
  }
  const spec = model.spec;
  const verdictOf = async (input: Float32Array): Promise<Verdict> => {
    const probs = await engine.predict(input);
    return { task: 'classification', top: engine.topPredictions(probs, 5).map((p) => ({ index: p.index, label: p.label, score: p.score })), probs };
  };
  const inputOf = (image: RgbImage) => toTensor(resizeForModel(image, spec.input), spec.input);
  return {
    id: spec.id,
    task: 'classification',
    method: m.id,
    layers: [layer ?? engine.defaultLayer],
    async analyse(image) {
      const input = inputOf(image);
      const verdict = await verdictOf(input);
      const top1 = verdict.task === 'classification' ? verdict.top[0] : undefined;
      let r;
      try {
        r = await engine.explain(input, { methods: [m.id], classes: [top1!.index], layer });
      } catch (e) {
        if (e instanceof ExplainError) throw usageError(e.message);
        throw e;
      }
      return { map: mapToImage(r.maps[0].map, spec.input, image.width, image.height), verdict, explained: `class ${top1!.index} (${top1!.label})` };
    },
    verdict: (image) => verdictOf(inputOf(image)),
    release: () => engine.release(),
  };
}

/** The model --model names: a manifest detector, else a manifest classifier (exit 4 when neither). */
export async function openModel(args: AugmentArgs): Promise<AugmentModel> {
  const spec = manifestDetector(args.modelsDir, args.model);
  if (spec) return detectorModel(args, spec);
  const manifest = readManifest(args.modelsDir);
  if (!manifest.models.some((m) => m.id === args.model)) {
    const known = [...manifest.models.map((m) => m.id), ...(manifest.detectors ?? []).map((d) => d.id)];
    throw modelError('UNKNOWN_MODEL', `unknown model '${args.model}' (models/manifest.json has ${known.join(', ')})`);
  }
  return classifierModel(args);
}
