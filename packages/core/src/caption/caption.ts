// captionFacts: everything a caption may say about one map of one image, measured. The facts
// that need the model again (crop, deletion, control) go through the ScoreFn in ONE batch of three
// inputs; objects come from detections made beforehand (Detector.detect, loaded only for captions);
// the human fact only when the image has a human reference. Browser-safe: no Node APIs.
import type { FloatMap } from '../cam/types.js';
import { softmax } from '../cam/targets.js';
import type { Detection } from '../detect/types.js';
import type { ScoreFn } from '../faithfulness/score.js';
import type { RgbImage } from '../image/types.js';
import type { InputSpec } from '../model/spec.js';
import { contrastFact } from './contrast.js';
import { cropBox, cropInput, CROP_PAD } from './crop.js';
import { deletionInputs, DELETION_FRACTION } from './deletion.js';
import { describeCrop, type Captioner } from './captioner.js';
import { CaptionError, type Caption, type CaptionerPhrase, type CaptionFact, type CropFact } from './facts.js';
import { CAPTION_FRAME_MAX_SIDE, mapOnImage } from './frame.js';
import { humanFact, HUMAN_METRIC, type HumanReference } from './human.js';
import { objectFacts } from './objects.js';
import { classRank } from './rank.js';
import { renderEnglish } from './render-en.js';
import { STRONG_LEVEL, whereFact } from './where.js';

/** The image and the model's view of it, shared by the captions of all its maps. */
export interface CaptionSubject {
  /** The image the input was made from: every box is in its pixels. */
  image: RgbImage;
  /** The classifier's input spec (geometry for the map, preprocessing for the crop). */
  spec: InputSpec;
  /** The preprocessed input [1, 3, H, W] the maps explain. */
  input: Float32Array;
  /** Its softmax probabilities. */
  probabilities: Float32Array;
  labels: readonly string[];
  /**
   * Objects in the image (Detector.detect); no object facts without. May still be coming (a promise,
   * e.g. a detector running on a thread of its own): it is awaited after the model's batch is sent.
   */
  detections?: readonly Detection[] | PromiseLike<readonly Detection[]>;
  human?: HumanReference;
}

/** One final map (model input grid, values ≥ 0) and its class. */
export interface CaptionMap {
  classIndex: number;
  map: FloatMap;
}

export interface CaptionOptions {
  /** Share of pixels deletion and control blur (default 0.2); also the contrast regions' size. */
  fraction?: number;
  /** The strong part of a map: values ≥ level × max (default 0.5). */
  level?: number;
  /** Crop padding per side, as a share of the strong box (default 0.1). */
  cropPad?: number;
  /** Seed of the control region (default 0). */
  seed?: number;
  humanMetric?: string;
  frameMaxSide?: number;
  /** A free-text captioner describing the crop fact's region: its phrase becomes `Caption.captioner`, quoted by the renderer. */
  captioner?: Captioner;
}

/** The options that shape the facts (all but the captioner), with their defaults. */
type FactOptions = Required<Omit<CaptionOptions, 'captioner'>>;

function check(subject: CaptionSubject, target: CaptionMap, others: readonly CaptionMap[], o: FactOptions): void {
  const { spec, input, probabilities, labels } = subject;
  if (input.length !== 3 * spec.width * spec.height) throw new CaptionError('BAD_INPUT', `input has ${input.length} values; the model takes 3×${spec.height}×${spec.width}`);
  if (probabilities.length !== labels.length) throw new CaptionError('BAD_INPUT', `${probabilities.length} probabilities for ${labels.length} labels`);
  for (const m of [target, ...others]) {
    if (!Number.isInteger(m.classIndex) || m.classIndex < 0 || m.classIndex >= labels.length) throw new CaptionError('BAD_CLASS', `class ${m.classIndex} is not in 0..${labels.length - 1}`);
    if (m.map.width !== spec.width || m.map.height !== spec.height || m.map.values.length !== spec.width * spec.height) {
      throw new CaptionError('BAD_MAP', `map is ${m.map.width}×${m.map.height}; the model's input is ${spec.width}×${spec.height}`);
    }
  }
  if (!(o.fraction > 0 && o.fraction < 1)) throw new CaptionError('BAD_OPTION', `fraction must be in (0, 1), not ${o.fraction}`);
  if (!(o.level > 0 && o.level <= 1)) throw new CaptionError('BAD_OPTION', `level must be in (0, 1], not ${o.level}`);
  if (!(o.cropPad >= 0 && o.cropPad <= 1)) throw new CaptionError('BAD_OPTION', `cropPad must be in [0, 1], not ${o.cropPad}`);
  if (!Number.isSafeInteger(o.frameMaxSide) || o.frameMaxSide < 1) throw new CaptionError('BAD_OPTION', `frameMaxSide must be a positive integer, not ${o.frameMaxSide}`);
}

/**
 * The facts of `target`'s map, in a fixed order: prediction, where, objects (most mass first), crop,
 * deletion, control, contrast (one per other class), human. A map without a positive value has
 * only its prediction fact.
 */
export async function captionFacts(score: ScoreFn, subject: CaptionSubject, target: CaptionMap,
  others: readonly CaptionMap[] = [], options: CaptionOptions = {}): Promise<CaptionFact[]> {
  const { captioner: _captioner, ...factOptions } = options;
  const o: FactOptions = {
    fraction: DELETION_FRACTION, level: STRONG_LEVEL, cropPad: CROP_PAD, seed: 0, humanMetric: HUMAN_METRIC,
    frameMaxSide: CAPTION_FRAME_MAX_SIDE, ...factOptions,
  };
  check(subject, target, others, o);
  const { image, spec, input, probabilities, labels } = subject;
  const c = target.classIndex;
  const facts: CaptionFact[] = [{ kind: 'prediction', classIndex: c, label: labels[c], probability: probabilities[c], rank: classRank(probabilities, c) }];
  // detections still coming (a detector on another thread) are awaited only once the model's batch is on its way
  const pending = Promise.resolve(subject.detections ?? []);
  const frame = mapOnImage(target.map, spec, image.width, image.height, o.frameMaxSide);
  if (!(frame.max > 0)) {
    await pending;
    return facts;
  }
  const where = whereFact(frame, o.level);
  const box = cropBox(where.box, image.width, image.height, o.cropPad);
  const shape = { channels: 3, height: spec.height, width: spec.width };
  const size = input.length;
  const batch = new Float32Array(3 * size);
  batch.set(cropInput(image, spec, box), 0);
  const del = deletionInputs(input, shape, target.map, o.fraction, o.seed,
    { deleted: batch.subarray(size, 2 * size), control: batch.subarray(2 * size) });
  const [logits, detections] = await Promise.all([score(batch, 3), pending]);
  facts.push(where);
  facts.push(...objectFacts(frame, detections));
  const classes = labels.length;
  if (logits.length !== 3 * classes) throw new CaptionError('BAD_MODEL_OUTPUT', `the model returned ${logits.length} values for 3 inputs of ${classes} classes`);
  const [crop, deleted, control] = [0, 1, 2].map((i) => softmax(logits, i * classes, classes));
  const cropRank = classRank(crop, c);
  facts.push({ kind: 'crop', box, probability: crop[c], rank: cropRank, survives: cropRank === 1 });
  const before = probabilities[c];
  facts.push({ kind: 'deletion', before, after: deleted[c], fraction: o.fraction });
  facts.push({ kind: 'control', before, after: control[c], fraction: o.fraction, region: del.region, overlap: del.overlap, seed: o.seed });

  for (const other of others) {
    if (other.classIndex === c) continue;
    const otherFrame = detections.length ? mapOnImage(other.map, spec, image.width, image.height, o.frameMaxSide) : undefined;
    const k = other.classIndex;
    facts.push(contrastFact(target.map, { classIndex: k, label: labels[k], probability: probabilities[k], map: other.map, frame: otherFrame }, detections, o.fraction));
  }
  if (subject.human) {
    const h = humanFact(target.map, spec, subject.human, o.humanMetric);
    if (h) facts.push(h);
  }
  return facts;
}

/** A renderer: the facts (and a captioner's phrase, to be quoted as such) → text. */
export type CaptionRenderer = (facts: readonly CaptionFact[], captioner?: CaptionerPhrase) => string;

/**
 * The caption of `target`'s map: its facts, the text a renderer (English by default) makes of them,
 * and, with `options.captioner`, the captioner's phrase for the crop fact's region (none when the
 * map has no strong region to crop).
 */
export async function captionMap(score: ScoreFn, subject: CaptionSubject, target: CaptionMap, others: readonly CaptionMap[] = [],
  options: CaptionOptions = {}, render: CaptionRenderer = renderEnglish): Promise<Caption> {
  const facts = await captionFacts(score, subject, target, others, options);
  const crop = facts.find((f): f is CropFact => f.kind === 'crop');
  if (!options.captioner || !crop) return { text: render(facts), facts };
  const captioner = await describeCrop(options.captioner, subject.image, crop);
  return { text: render(facts, captioner), facts, captioner };
}
