// Inside an engine worker: what is measured about one stored heatmap — its faithfulness report, its
// caption — with the worker's Explainer as the model (batched forward passes through
// `forwardInputs`). Final maps are rebuilt from the stored raw maps with core's pipeline, so they are
// the maps the API draws. The object detector of captions is loaded on the first caption, once per
// worker, on a thread of its own (so it runs while the worker predicts), and so is the free-text captioner when the job names one (SALIENCY_CAPTIONER_DIR).
// The latest images are kept decoded and preprocessed, with their probabilities and detections, so
// the measures of one image's maps decode, preprocess, predict, detect and blur it once. A sanity
// check compiles the model again per randomised layer (core's cascadingRandomisation).
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { LRUCache } from 'lru-cache';
import {
  captionMap, cascadingRandomisation, measureFaithfulness, postprocess, resizeForModel, toTensor,
  type Detection, type Explainer, type FloatMap, type RgbImage, type SanityOptions,
} from '@saliency-explainer/core';
import { loadServedModel } from '../models/loader.js';
import { loadCaptioner, type LoadedCaptioner } from '../models/captioner.js';
import { DetectorThread, type ImageDetector } from './detector-thread.js';
import { decodeImage } from '../images/decode.js';
import type { MeasureJob, RawMap, WorkerConfig } from './worker-protocol.js';

let detector: Promise<ImageDetector> | undefined;
/** Free-text captioners by folder, loaded on the first caption that asks for one. */
const captioners = new Map<string, Promise<LoadedCaptioner>>();

function captionDetector(modelsDir: string): Promise<ImageDetector> {
  if (!detector) {
    detector = DetectorThread.start(modelsDir);
    detector.catch(() => (detector = undefined));
  }
  return detector;
}

function captioner(dir: string): Promise<LoadedCaptioner> {
  let c = captioners.get(dir);
  if (!c) {
    c = loadCaptioner(dir);
    c.catch(() => captioners.delete(dir));
    captioners.set(dir, c);
  }
  return c;
}

/** An image as the measures take it: its pixels (the caption's crop and detector) and the model's input. */
interface ImageInput {
  image: RgbImage;
  input: Float32Array;
}

/**
 * Bytes of decoded images and inputs kept per engine worker (by model and the image's bytes): the
 * captions of an image's maps then share one input array, so their deletion facts blur it once too.
 * An image larger than this on its own is not kept.
 */
export const MEASURE_IMAGES_BYTES = 64 * 1024 * 1024;
const imageInputs = new LRUCache<string, ImageInput>({
  maxSize: MEASURE_IMAGES_BYTES, sizeCalculation: (v) => v.image.data.byteLength + v.input.byteLength,
});

/** The latest images' probabilities and detections, by the same key: the captions of one image's maps predict and detect once. */
const imageFacts = new Map<string, Promise<[Float32Array, Detection[]]>>();
const IMAGES_KEPT = 8;

/** The key of an image's bytes for `engine`'s model (none for pixels handed over as such). */
function imageKey(engine: Explainer, bytes: Uint8Array | undefined): string | undefined {
  return bytes ? `${engine.spec.id} ${createHash('sha256').update(bytes).digest('hex')}` : undefined;
}

/** Images being decoded, by key: measures that arrive together (a batch's captions) wait for one decode. */
const decoding = new Map<string, Promise<ImageInput>>();

function imageInput(engine: Explainer, job: MeasureJob, maxImagePixels: number, key: string | undefined): Promise<ImageInput> {
  const make = async (): Promise<ImageInput> => {
    const spec = engine.spec.input;
    const image = job.pixels ?? (await decodeImage(job.bytes!, maxImagePixels)).image;
    return { image, input: toTensor(resizeForModel(image, spec), spec) };
  };
  if (key === undefined) return make();
  const kept = imageInputs.get(key);
  if (kept) return Promise.resolve(kept);
  let made = decoding.get(key);
  if (!made) {
    made = make()
      .then((v) => {
        imageInputs.set(key, v);
        return v;
      })
      .finally(() => decoding.delete(key));
    decoding.set(key, made);
  }
  return made;
}

function probabilitiesAndDetections(key: string | undefined, compute: () => Promise<[Float32Array, Detection[]]>): Promise<[Float32Array, Detection[]]> {
  if (key === undefined) return compute();
  let facts = imageFacts.get(key);
  if (facts) imageFacts.delete(key); // most recent last
  else {
    facts = compute();
    facts.catch(() => imageFacts.delete(key));
  }
  imageFacts.set(key, facts);
  while (imageFacts.size > IMAGES_KEPT) imageFacts.delete(imageFacts.keys().next().value!);
  return facts;
}

/** The JSON object of `job.what` for the heatmap in `job`. */
export async function measure(engine: Explainer, job: MeasureJob, config: Pick<WorkerConfig, 'maxImagePixels' | 'modelsDir' | 'userModelsDir'>): Promise<unknown> {
  const spec = engine.spec.input;
  const key = imageKey(engine, job.bytes);
  const { image, input } = await imageInput(engine, job, config.maxImagePixels, key);
  const final = (raw: RawMap): FloatMap => postprocess(raw.values, raw.height, raw.width, spec.height, spec.width).map;
  const score = (batch: Float32Array, n: number) => engine.forwardInputs(batch, n);
  switch (job.what) {
    case 'faithfulness':
      return measureFaithfulness(score, input, engine.inputShape, final(job.raw), job.classIndex, { ...job.options, batchSize: engine.batchSize });
    case 'sanity': {
      const { bytes, spec: modelSpec, labels } = loadServedModel(config, engine.spec.id);
      const classIndex = job.classIndex ?? engine.topPredictions(await engine.predict(input), 1)[0].index;
      return cascadingRandomisation(ort, bytes, modelSpec, labels, input, classIndex, { ...(job.options as SanityOptions), batchSize: engine.batchSize });
    }
    case 'caption': {
      const map = final(job.raw);
      const [probabilities, detections] = await probabilitiesAndDetections(key,
        async () => {
          const detections = (await captionDetector(config.modelsDir)).detect(image); // on its thread, beside the prediction
          return Promise.all([engine.predict(input), detections]);
        });
      const subject = { image, spec, input, probabilities, labels: engine.labels, detections, human: job.human };
      const others = job.others.map((o) => ({ classIndex: o.classIndex, map: final(o.raw) }));
      const options = job.captionerDir ? { ...job.options, captioner: await captioner(job.captionerDir) } : job.options;
      return captionMap(score, subject, { classIndex: job.classIndex, map }, others, options);
    }
  }
}
