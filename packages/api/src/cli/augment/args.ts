// The flags of `saliency-explainer augment`: its help text, the parseArgs options and their checks
// (usage errors, exit 2), and the defaults they fall back on.
import { resolve } from 'node:path';
import { DEFAULT_ERASE_PERCENT, DEFAULT_MAE_THRESHOLD, GATE_IOU_TOP_P, type AugmentGate, type EraseFill } from '@saliency-explainer/core';
import { usageError } from '../../errors.js';
import { DEFAULT_INPAINT_RADIUS } from '../augment-inpaint.js';
import { intFlag, numberFlag, parseFlags } from '../flags.js';
import { DEFAULTS } from '../settings.js';
import { DEFAULT_FIXATIONS_DIR } from './reference.js';

export const DEFAULT_LABEL_SCORE = 0.5;

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
