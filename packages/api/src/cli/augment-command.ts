// `saliency-explainer augment`: selective erasing and selective inpainting (issue 14, item 5; the study
// and its exact rule are in core/augment/selective.ts). Per image:
//  1. the model's map on the image's pixels: a detector's EigenCAM (default) or a gradient CAM of its
//     best box, taken back through the letterbox; a classifier's CAM of its top-1 class, taken back the
//     way its input was made (mapToImage);
//  2. the reference: people's fixations when the image has them — an image of an OSIE-layout folder
//     (--fixations DIR, default ../shared/data/osie: found by file name and size, all observers pooled,
//     Gaussian sigma 0.03 × the longer side = OSIE's 24 px ≈ 1°; the crowd clicks stored by the API
//     come in through the same door: `export-annotations --format dataset` writes them in OSIE's
//     layout) — else the project's predicted
//     fixation density (spectral residual, Hou & Zhang 2007, core/bottom-up, the reference the API uses
//     for images without human data). DeepGaze IIE, the study's reference, is a PyTorch model whose
//     weights cannot be downloaded on these machines; the manifest says so;
//  3. the gate: MAE (min-max both maps, core's mae) > --mae-threshold, or with --iou-threshold the
//     study notebook's rule, IoU of the top 10 % ≤ the threshold;
//  4. when it passes, the top --top % of the model's map (numpy's percentile, strictly above) are erased
//     (--fill, default black as the study's erase_black) or inpainted (--mode inpaint: OpenCV's Telea,
//     augment-inpaint.ts), and <name>.<mode>.png and <name>.mask.png are written (PNG, lossless, so the
//     untouched pixels stay byte-identical);
//  5. the cost: the model runs again on the augmented image. Labels are the model's own on the
//     originals (a detector's boxes scoring ≥ --label-score, matched VOC-style at IoU ≥ 0.5; a
//     classifier's top-1 class), so "before" is 1 by construction and "after" is what augmenting costs.
// manifest.json holds every image (changed or not, why, MAE, IoU, the mask file), the options, the
// notes and the accuracy table. Files are written to a temporary name and renamed, the manifest last:
// an interrupted run leaves no truncated file. Exit codes as explain: 2 usage, 3 some image could not
// be read (the others still run and the manifest lists the failure), 4 model, 5 output.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  DEFAULT_ERASE_PERCENT, DEFAULT_MAE_THRESHOLD, DetectExplainError, DetectorExplainer, ExplainError, Explainer, GATE_IOU_TOP_P,
  densityMap, eraseImage, gatePasses, getCamMethod, iou, mae, mapToImage, matchDetections, resizeForModel, spectralResidual,
  toTensor, topPercentMask, type AugmentGate, type DetectorSpec, type EraseFill, type FloatMap, type Inpainter, type LabelBox,
  type OsieImage, type RgbImage, type ScoredBox,
} from '@saliency-explainer/core';
import { CliError, EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import { loadDataset, DatasetError } from '../eval/dataset.js';
import { manifestDetector } from '../eval/detector-rows.js';
import { loadDetector } from '../models/detector.js';
import { loadManifestModel, readManifest } from '../models/loader.js';
import { readImage } from '../io/image-io.js';
import { makeOutputDir, writeOutputFileAtomic } from '../io/output-files.js';
import { PROJECT_ROOT } from '../project.js';
import { DEFAULT_INPAINT_RADIUS, teleaInpainter } from './augment-inpaint.js';
import type { Output } from './explain-command.js';
import { intFlag, numberFlag, parseFlags } from './flags.js';
import { expandInputs } from './inputs.js';
import { DEFAULTS } from './settings.js';

export const AUGMENT_SCHEMA = 'saliency-explainer/augment@1';
export const DEFAULT_FIXATIONS_DIR = join(PROJECT_ROOT, '..', 'shared', 'data', 'osie');
export const DEFAULT_LABEL_SCORE = 0.5;
/** The density sigma of a human reference: 0.03 × the image's longer side (OSIE: 24 px on 800 px, ≈ 1°). */
export const HUMAN_SIGMA_FRACTION = 0.03;

export const DEEPGAZE_NOTE = 'The study compared maps with DeepGaze IIE predictions; DeepGaze IIE is a PyTorch model whose weights cannot be obtained on these machines, so images without human fixations are compared with the project\'s predicted fixation density (spectral residual, Hou & Zhang 2007) instead.';

export const AUGMENT_HELP = `augment: saliency-explainer augment <image|dir>... --model ID [options]
    Selective erasing / inpainting (Morrison et al. 2022): where the model's saliency map disagrees with
    human attention, erase (or inpaint) its top --top % most salient pixels. Writes <name>.<mode>.png and
    <name>.mask.png for each changed image and manifest.json (every image, its MAE and IoU, why it changed
    or not, and the model's accuracy before and after on labels it gave the originals).
  -m, --model ID            a detector of models/manifest.json "detectors" (yolox-nano) or a classifier
      --method M            the map: detectors eigencam (default) or a gradient CAM of the best box;
                            classifiers any CAM method of the top-1 class (default gradcam)
      --layer L[,L...]      target layer(s) (default: the model's)
      --reference R         human (default): people's fixations where the image has them (--fixations),
                            else the predicted density; predicted: always the predicted density
                            (spectral residual; DeepGaze IIE cannot be obtained here)
      --fixations DIR       a folder in OSIE's layout (stimuli/, fixations.json) whose images carry
                            human fixations, matched by file name and size (default ../shared/data/osie;
                            a site's crowd clicks: export-annotations --format dataset writes one)
      --mae-threshold T     augment when MAE(model map, reference) > T (default ${DEFAULT_MAE_THRESHOLD})
      --iou-threshold T     instead augment when IoU of the top ${GATE_IOU_TOP_P} % ≤ T (the study notebook's gate)
      --top P               erase the top P % of the model's map, 0 < P ≤ 100 (default ${DEFAULT_ERASE_PERCENT})
      --mode M              erase (default) or inpaint (OpenCV's Telea fast-marching inpainting)
      --fill F              erased pixels: black (default, the study's), mean (ImageNet mean 124,116,104) or R,G,B
      --inpaint-radius R    Telea's neighbourhood radius in pixels (default ${DEFAULT_INPAINT_RADIUS})
      --label-score S       detectors: boxes scoring ≥ S on the originals are the labels (default ${DEFAULT_LABEL_SCORE})
  -o, --out DIR             output folder (required)
      --json                stdout: the manifest as one JSON object, nothing else
      --models-dir DIR, --max-image-bytes N, --max-image-pixels N   as for explain`;

const options = {
  model: { type: 'string', short: 'm' },
  method: { type: 'string' },
  layer: { type: 'string' },
  reference: { type: 'string' },
  fixations: { type: 'string' },
  'mae-threshold': { type: 'string' },
  'iou-threshold': { type: 'string' },
  top: { type: 'string' },
  mode: { type: 'string' },
  fill: { type: 'string' },
  'inpaint-radius': { type: 'string' },
  'label-score': { type: 'string' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  'models-dir': { type: 'string' },
  'max-image-bytes': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface AugmentArgs {
  inputs: string[];
  model: string;
  method?: string;
  layers?: string[];
  reference: 'human' | 'predicted';
  fixationsDir: string;
  gate: AugmentGate;
  top: number;
  mode: 'erase' | 'inpaint';
  fill: EraseFill;
  inpaintRadius: number;
  labelScore: number;
  outDir: string;
  json: boolean;
  modelsDir: string;
  maxImageBytes: number;
  maxImagePixels: number;
}

function parseFill(text: string): EraseFill {
  if (text === 'black' || text === 'mean') return text;
  const m = /^\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*$/.exec(text);
  if (!m || m.slice(1).some((c) => Number(c) > 255)) throw usageError(`--fill must be black, mean or R,G,B (0..255 each), not '${text}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function parseAugmentArgs(argv: string[]): AugmentArgs | 'help' {
  const { values: v, positionals } = parseFlags(argv, options);
  if (v.help) return 'help';
  if (positionals.length === 0) throw usageError('augment needs images or folders of images (try augment --help)');
  if (v.model === undefined) throw usageError('augment needs --model ID (a detector such as yolox-nano, or a classifier of the manifest)');
  if (v.out === undefined) throw usageError('augment needs -o DIR, the folder for the augmented images and manifest.json');
  const reference = v.reference ?? 'human';
  if (reference !== 'human' && reference !== 'predicted') throw usageError(`--reference must be human or predicted, not '${reference}'`);
  const mode = v.mode ?? 'erase';
  if (mode !== 'erase' && mode !== 'inpaint') throw usageError(`--mode must be erase or inpaint, not '${mode}'`);
  if (v['mae-threshold'] !== undefined && v['iou-threshold'] !== undefined) throw usageError('give --mae-threshold or --iou-threshold, not both');
  const gate: AugmentGate = v['iou-threshold'] !== undefined
    ? { kind: 'iou', threshold: numberFlag('iou-threshold', v['iou-threshold'], (t) => t >= 0 && t <= 1, 'an IoU in [0, 1]') }
    : { kind: 'mae', threshold: v['mae-threshold'] === undefined ? DEFAULT_MAE_THRESHOLD : numberFlag('mae-threshold', v['mae-threshold'], (t) => t >= 0 && t <= 1, 'an MAE in [0, 1]') };
  const top = v.top === undefined ? DEFAULT_ERASE_PERCENT : numberFlag('top', v.top, (p) => p > 0 && p <= 100, 'a percentage in (0, 100]');
  if (v.fill !== undefined && mode === 'inpaint') throw usageError('--fill is for --mode erase (inpainting fills from the image)');
  if (v['inpaint-radius'] !== undefined && mode !== 'inpaint') throw usageError('--inpaint-radius is for --mode inpaint');
  const layers = v.layer?.split(',').map((s) => s.trim()).filter(Boolean);
  if (layers !== undefined && layers.length === 0) throw usageError('--layer names no layer');
  return {
    inputs: positionals,
    model: v.model,
    method: v.method?.trim() || undefined,
    layers,
    reference,
    fixationsDir: resolve(v.fixations ?? DEFAULT_FIXATIONS_DIR),
    gate,
    top,
    mode,
    fill: v.fill === undefined ? 'black' : parseFill(v.fill),
    inpaintRadius: v['inpaint-radius'] === undefined ? DEFAULT_INPAINT_RADIUS : intFlag('inpaint-radius', v['inpaint-radius'], 1, 50),
    labelScore: v['label-score'] === undefined ? DEFAULT_LABEL_SCORE : numberFlag('label-score', v['label-score'], (s) => s > 0 && s <= 1, 'a score in (0, 1]'),
    outDir: v.out,
    json: v.json ?? false,
    modelsDir: v['models-dir'] ?? DEFAULTS.modelsDir,
    maxImageBytes: v['max-image-bytes'] === undefined ? DEFAULTS.maxImageBytes : intFlag('max-image-bytes', v['max-image-bytes'], 1),
    maxImagePixels: v['max-image-pixels'] === undefined ? DEFAULTS.maxImagePixels : intFlag('max-image-pixels', v['max-image-pixels'], 1),
  };
}

/** What the model says about one image, in the form the accuracy table compares. */
type Verdict =
  | { task: 'detection'; boxes: (ScoredBox & { label: string })[] }
  | { task: 'classification'; top: { index: number; label: string; score: number }[]; probs: Float32Array };

/** The model behind the command: its map of an image and its verdict. */
interface AugmentModel {
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
async function openModel(args: AugmentArgs): Promise<AugmentModel> {
  const spec = manifestDetector(args.modelsDir, args.model);
  if (spec) return detectorModel(args, spec);
  const manifest = readManifest(args.modelsDir);
  if (!manifest.models.some((m) => m.id === args.model)) {
    const known = [...manifest.models.map((m) => m.id), ...(manifest.detectors ?? []).map((d) => d.id)];
    throw modelError('UNKNOWN_MODEL', `unknown model '${args.model}' (models/manifest.json has ${known.join(', ')})`);
  }
  return classifierModel(args);
}

/** People's fixations by image file name, from an OSIE-layout folder (none when the folder has no fixations.json). */
function humanImages(dir: string): Map<string, OsieImage> {
  const out = new Map<string, OsieImage>();
  if (!existsSync(join(dir, 'fixations.json'))) return out;
  try {
    for (const im of loadDataset('fixations', dir).images) out.set(im.file, im);
  } catch (e) {
    if (e instanceof DatasetError) throw inputError('BAD_FIXATIONS', e.message);
    throw e;
  }
  return out;
}

interface Reference {
  kind: 'human' | 'predicted';
  source: string;
  density: FloatMap;
}

function referenceOf(args: AugmentArgs, human: Map<string, OsieImage>, path: string, image: RgbImage): Reference {
  if (args.reference === 'human') {
    const im = human.get(basename(path));
    if (im && im.width === image.width && im.height === image.height) {
      const points = im.observers.flat();
      if (points.length > 0) {
        const sigma = HUMAN_SIGMA_FRACTION * Math.max(image.width, image.height);
        return {
          kind: 'human',
          source: `eye tracking: ${basename(args.fixationsDir)}/${im.file}, ${im.observers.length} observers, ${points.length} fixations, sigma ${sigma} px`,
          density: densityMap(points, image.width, image.height, { sigma, outOfBounds: 'drop' }),
        };
      }
    }
  }
  return { kind: 'predicted', source: 'predicted: spectral residual (Hou & Zhang 2007)', density: spectralResidual(image) };
}

const rgbPng = (img: RgbImage) => sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer();
const maskPng = (mask: Uint8Array, width: number, height: number) => {
  const grey = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  return sharp(grey, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
};

interface ImageEntry {
  input: string;
  width: number;
  height: number;
  explained: string | null;
  reference: 'human' | 'predicted';
  referenceSource: string;
  mae: number | null;
  iou: number | null;
  changed: boolean;
  reason: string;
  threshold: number | null;
  erasedPixels: number;
  erasedFraction: number;
  mask: string | null;
  output: string | null;
  before: unknown;
  after: unknown;
}

/** One image's labels and how many the model keeps after augmenting. */
interface Tally {
  labels: number;
  keptBefore: number;
  keptAfter: number;
  scoreBefore: number[];
  scoreAfter: number[];
  top5After?: number;
}

function detectionTally(before: Verdict, after: Verdict, labelScore: number): Tally {
  if (before.task !== 'detection' || after.task !== 'detection') throw new Error('detection verdicts expected');
  const labels: LabelBox[] = before.boxes.filter((b) => b.score >= labelScore);
  const b = matchDetections(labels, before.boxes);
  const a = matchDetections(labels, after.boxes);
  return { labels: labels.length, keptBefore: b.matched, keptAfter: a.matched, scoreBefore: b.scores, scoreAfter: a.scores };
}

function classTally(before: Verdict, after: Verdict): Tally {
  if (before.task !== 'classification' || after.task !== 'classification') throw new Error('classification verdicts expected');
  const label = before.top[0].index;
  return {
    labels: 1,
    keptBefore: 1,
    keptAfter: after.top[0].index === label ? 1 : 0,
    scoreBefore: [before.probs[label]],
    scoreAfter: [after.probs[label]],
    top5After: after.top.some((p) => p.index === label) ? 1 : 0,
  };
}

export interface AccuracyRow {
  set: string;
  images: number;
  labels: number;
  before: number | null;
  after: number | null;
  meanScoreBefore: number | null;
  meanScoreAfter: number | null;
  top5After?: number | null;
}

const meanOf = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);

function accuracyRow(set: string, tallies: Tally[], task: AugmentModel['task']): AccuracyRow {
  const labels = tallies.reduce((s, t) => s + t.labels, 0);
  const row: AccuracyRow = {
    set,
    images: tallies.length,
    labels,
    before: labels ? tallies.reduce((s, t) => s + t.keptBefore, 0) / labels : null,
    after: labels ? tallies.reduce((s, t) => s + t.keptAfter, 0) / labels : null,
    // mean score of the labels: a label the model lost counts 0 after (detections), the class's probability (classifiers)
    meanScoreBefore: labels ? tallies.reduce((s, t) => s + t.scoreBefore.reduce((a, b) => a + b, 0), 0) / labels : null,
    meanScoreAfter: labels ? tallies.reduce((s, t) => s + t.scoreAfter.reduce((a, b) => a + b, 0), 0) / labels : null,
  };
  if (task === 'classification') row.top5After = labels ? tallies.reduce((s, t) => s + (t.top5After ?? 0), 0) / labels : null;
  return row;
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

/** The accuracy table as Markdown-style lines. */
export function accuracyTable(rows: AccuracyRow[], task: AugmentModel['task']): string[] {
  const what = task === 'detection' ? 'labels kept (VOC match, IoU ≥ 0.5)' : 'top-1 = original top-1';
  const head = task === 'detection'
    ? `| images | n | labels | ${what}: before | after | mean label score: before | after |`
    : `| images | n | labels | ${what}: before | after | top-5 after | label probability: before | after |`;
  const out = [head, `|${head.split('|').slice(1, -1).map(() => '---').join('|')}|`];
  for (const r of rows) {
    out.push(task === 'detection'
      ? `| ${r.set} | ${r.images} | ${r.labels} | ${f3(r.before)} | ${f3(r.after)} | ${f3(r.meanScoreBefore)} | ${f3(r.meanScoreAfter)} |`
      : `| ${r.set} | ${r.images} | ${r.labels} | ${f3(r.before)} | ${f3(r.after)} | ${f3(r.top5After)} | ${f3(r.meanScoreBefore)} | ${f3(r.meanScoreAfter)} |`);
  }
  return out;
}

function verdictJson(v: Verdict, labelScore: number) {
  if (v.task === 'detection') return { boxes: v.boxes.map((b) => ({ classIndex: b.classIndex, label: b.label, score: b.score, box: b.box, isLabel: b.score >= labelScore })) };
  return { top5: v.top };
}

export async function runAugment(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseAugmentArgs(argv);
  if (args === 'help') {
    io.out(AUGMENT_HELP);
    return EXIT.OK;
  }
  const inputs = expandInputs(args.inputs, false);
  if (inputs.length === 0) throw inputError('NO_INPUTS', `no image files found in ${args.inputs.join(', ')}`);
  const human = args.reference === 'human' ? humanImages(args.fixationsDir) : new Map<string, OsieImage>();
  // the model before any output: a missing or unusable model writes nothing
  const model = await openModel(args);
  let inpainter: Inpainter | undefined;
  const say = (line: string) => {
    if (!args.json) io.out(line);
  };
  const entries: (ImageEntry | { input: string; error: { code: string; message: string } })[] = [];
  const tallies: { changed: boolean; tally: Tally }[] = [];
  let failed = 0;
  try {
    makeOutputDir(args.outDir);
    if (args.mode === 'inpaint') inpainter = teleaInpainter(args.inpaintRadius);
    for (const input of inputs) {
      let image: RgbImage;
      try {
        image = await readImage(input.path, { maxBytes: args.maxImageBytes, maxPixels: args.maxImagePixels });
      } catch (e) {
        if (!(e instanceof CliError) || e.exitCode !== EXIT.INPUT) throw e;
        failed++;
        entries.push({ input: input.path, error: { code: e.code, message: e.message } });
        io.err(`error: ${e.message}`);
        continue;
      }
      const { map, verdict, explained } = await model.analyse(image);
      const ref = referenceOf(args, human, input.path, image);
      const entry: ImageEntry = {
        input: input.path, width: image.width, height: image.height, explained: explained ?? null,
        reference: ref.kind, referenceSource: ref.source, mae: null, iou: null, changed: false, reason: '',
        threshold: null, erasedPixels: 0, erasedFraction: 0, mask: null, output: null,
        before: verdictJson(verdict, args.labelScore), after: null,
      };
      let after = verdict;
      if (!map) {
        entry.reason = 'nothing to explain (the detector found no box)';
      } else {
        entry.mae = mae(map, ref.density);
        entry.iou = iou(map, ref.density, GATE_IOU_TOP_P);
        const scores = { mae: entry.mae, iou: entry.iou };
        const gateText = args.gate.kind === 'mae' ? `MAE ${entry.mae.toFixed(3)}` : `IoU(top ${GATE_IOU_TOP_P} %) ${entry.iou.toFixed(3)}`;
        if (!gatePasses(args.gate, scores)) {
          entry.reason = `${gateText} ${args.gate.kind === 'mae' ? '≤' : '>'} ${args.gate.threshold}: the map agrees with the reference`;
        } else {
          const sel = topPercentMask(map, args.top);
          entry.threshold = sel.threshold;
          entry.erasedPixels = sel.count;
          entry.erasedFraction = sel.count / sel.mask.length;
          if (sel.count === 0) {
            entry.reason = `${gateText}, but no pixel is above the map's ${100 - args.top}th percentile (${sel.threshold}): nothing to erase`;
          } else {
            const out = args.mode === 'erase' ? eraseImage(image, sel.mask, args.fill) : await inpainter!.inpaint(image, sel.mask);
            entry.changed = true;
            entry.reason = `${gateText} ${args.gate.kind === 'mae' ? '>' : '≤'} ${args.gate.threshold}: the map disagrees with the reference`;
            entry.output = join(args.outDir, `${input.base}.${args.mode}.png`);
            entry.mask = join(args.outDir, `${input.base}.mask.png`);
            await writeOutputFileAtomic(entry.output, await rgbPng(out));
            await writeOutputFileAtomic(entry.mask, await maskPng(sel.mask, image.width, image.height));
            after = await model.verdict(out);
            entry.after = verdictJson(after, args.labelScore);
          }
        }
      }
      const tally = model.task === 'detection' ? detectionTally(verdict, after, args.labelScore) : classTally(verdict, after);
      tallies.push({ changed: entry.changed, tally });
      entries.push(entry);
      say(`${input.path}: ${entry.changed ? `${args.mode === 'erase' ? 'erased' : 'inpainted'} ${entry.erasedPixels} px (${(100 * entry.erasedFraction).toFixed(2)} %) → ${entry.output}` : 'unchanged'} — ${entry.reason} [${ref.kind}]`);
    }
  } finally {
    await model.release();
  }
  const ok = entries.filter((e): e is ImageEntry => !('error' in e));
  const changed = ok.filter((e) => e.changed).length;
  const accuracy = [
    accuracyRow('all', tallies.map((t) => t.tally), model.task),
    accuracyRow('changed', tallies.filter((t) => t.changed).map((t) => t.tally), model.task),
  ];
  const manifest = {
    schema: AUGMENT_SCHEMA,
    createdAt: new Date().toISOString(),
    model: model.id,
    task: model.task,
    method: model.method,
    layers: model.layers,
    reference: args.reference,
    fixations: args.reference === 'human' ? args.fixationsDir : null,
    gate: args.gate,
    top: args.top,
    rule: `pixels whose map value is > numpy.percentile(map, ${100 - args.top}) (linear), on the image's pixels`,
    mode: args.mode,
    fill: args.mode === 'erase' ? args.fill : null,
    inpainter: inpainter?.id ?? null,
    labelScore: model.task === 'detection' ? args.labelScore : null,
    notes: [
      DEEPGAZE_NOTE,
      model.task === 'detection'
        ? `Labels are the detector's own boxes on the originals scoring ≥ ${args.labelScore}; "before" is 1 by construction, "after" counts the labels a box of the same class still matches at IoU ≥ 0.5 on the augmented image (unchanged images count as before).`
        : 'Labels are the classifier\'s own top-1 classes on the originals; "before" is 1 by construction, "after" counts images whose top-1 is unchanged (unchanged images count as before).',
      ...(args.mode === 'inpaint' ? ['Inpainting is OpenCV\'s Telea (INPAINT_TELEA) through OpenCV.js 4.12; the study used a Deep Image Prior (an untrained network fitted per image), which is not run here.'] : []),
    ],
    summary: { images: inputs.length, failed, changed, unchanged: ok.length - changed, human: ok.filter((e) => e.reference === 'human').length, predicted: ok.filter((e) => e.reference === 'predicted').length },
    accuracy,
    images: entries,
  };
  await writeOutputFileAtomic(join(args.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (args.json) {
    io.out(JSON.stringify(manifest));
  } else {
    io.out(`${changed} of ${ok.length} image${ok.length === 1 ? '' : 's'} ${args.mode === 'erase' ? 'erased' : 'inpainted'}${failed ? ` (${failed} could not be read)` : ''}; ${model.id} ${model.method} against ${args.reference === 'human' ? 'human fixations where present, else the predicted density' : 'the predicted density'}`);
    for (const line of accuracyTable(accuracy, model.task)) io.out(line);
    io.out(`manifest: ${join(args.outDir, 'manifest.json')}`);
  }
  return failed ? EXIT.INPUT : EXIT.OK;
}
