// `explain --caption`: the manifest's object detector (loaded once per run, only when captions are
// asked for, on a thread of its own: compute/detector-thread.ts) and each map's caption (core/caption): its facts measured on this model and image, the
// crop, deletion and control inputs run through the same Explainer in one batch per map, and the
// English text made of them. A map is contrasted with the maps of the other classes of its method.
// With --captioner DIR, a free-text captioner's description of each map's crop is quoted after them.
import {
  captionMap, type Caption, type Captioner, type Detection, type ExplainResult, type InputSpec, type RgbImage,
} from '@saliency-explainer/core';
import { CaptionerError, loadCaptioner, type LoadedCaptioner } from '../models/captioner.js';
import { DetectorThread, type ImageDetector } from '../compute/detector-thread.js';
import { modelError } from '../errors.js';

/**
 * The first detector of `modelsDir`'s manifest on a worker thread (so that it runs beside the
 * classifier, not after it); its errors are models/detector.ts loadDetectorInPlace's.
 */
export function loadCaptionDetector(modelsDir: string): Promise<ImageDetector> {
  return DetectorThread.start(modelsDir);
}

/** `--captioner DIR`: the free-text captioner in DIR (models/captioner.ts); a bad folder is a model error (exit 4). */
export async function loadCliCaptioner(dir: string): Promise<LoadedCaptioner> {
  try {
    return await loadCaptioner(dir);
  } catch (e) {
    if (e instanceof CaptionerError) throw modelError(e.code, e.message);
    throw e;
  }
}

/**
 * The image's detections, started now: explain-command asks for them as soon as a photo is decoded,
 * so that a detector on a thread of its own runs while the photo is preprocessed and explained (one
 * core is idle while the preprocessing's JavaScript runs) and then beside the first caption's batch.
 * A failure is kept for the caption that awaits it: nothing else does (e.g. when explain fails).
 */
export function startDetection(detector: ImageDetector, image: RgbImage): Promise<Detection[]> {
  const detections = detector.detect(image);
  detections.catch(() => {});
  return detections;
}

/**
 * The captions of `result`'s maps, in their order; with a captioner, each quotes its description of
 * the map's crop. The detections (startDetection) are awaited by the first caption once its batch is
 * sent.
 */
export async function captionMaps(
  engine: { forwardInputs(batch: Float32Array, n: number): Promise<Float32Array>; labels: string[] },
  detections: Promise<Detection[]>, image: RgbImage, input: Float32Array, result: ExplainResult, spec: InputSpec, captioner?: Captioner,
): Promise<Caption[]> {
  const subject = { image, spec, input, probabilities: result.probabilities, labels: engine.labels, detections };
  const score = (batch: Float32Array, n: number) => engine.forwardInputs(batch, n);
  const captions: Caption[] = [];
  for (const m of result.maps) {
    const others = result.maps.filter((o) => o.method === m.method && o.classIndex !== m.classIndex);
    captions.push(await captionMap(score, subject, m, others, captioner ? { captioner } : {}));
  }
  return captions;
}
