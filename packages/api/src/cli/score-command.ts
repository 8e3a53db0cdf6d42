// `saliency-explainer score`: one saliency map against one image's human reference, every alignment
// metric of core/metrics (the MIT/Tübingen benchmark definitions), printed as a table or one JSON
// object.
//
// Inputs (JSON or image, told apart by content: a file whose first non-blank byte is '{' or '[' is JSON):
// * saliency map: JSON {"width","height","values":[row-major numbers]}, a float .npy (2-D; a 3-D
//   [C, H, W] pixel attribution is summed over |C|) or a grey image, e.g. the 16-bit map PNG `explain`
//   writes (maps/<name>.map.png). Images are read by images/decode.ts decodeGrayMap (sharp: EXIF
//   orientation, alpha over white); a 16-bit PNG keeps its 16 bits (values v/257 on the 8-bit scale),
//   so a map saved at 16 bits scores as its floats do. A colour image is refused (COLOUR_IMAGE, exit
//   3): it is almost always a colour-mapped overlay, whose brightness is not the map (jet's blue and
//   red are both dark), and the message names the plain map to score instead; --luma reads it anyway
//   as its Rec. 601 luma, (299·R + 587·G + 114·B)/1000, kept fractional (PIL's convert('L') weights).
// * --fixations: JSON points [{"x","y"}, …] in 0-based pixels (pixel centres at integers), or
//   {"width","height","fixations":[…]}; or a density map (JSON map as above, or a grayscale image).
//   Points give the fixation map (fixation metrics) and a density map (Gaussian, --sigma, default 24
//   px ≈ 1° in OSIE); a density map alone gives only the map-to-map metrics.
// * --other-fixations: points fixated on other images, in this image's frame: shuffled AUC.
// The reference's size: --size, else the points JSON's width/height, else the saliency map's size.
// A saliency map of another size is resampled to the reference's size (core fixations/resample.ts).
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { basename, dirname, extname, join } from 'node:path';
import {
  alignmentMetrics, alignmentReference, checkTopP, DEFAULT_TOP_P, getAlignmentMetric, resampleMap, scoreAll,
  type AlignmentReference, type Fixation, type FloatMap,
} from '@saliency-explainer/core';
import { EXIT, inputError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { intFlag, numberFlag, parseFlags } from './flags.js';
import { decodeGrayMap, decodeImage, ImageDecodeError, imageHeader } from '../images/decode.js';
import { NpyFormatError, readNpyMap } from './map-files.js';
import { readFileLimited } from '../io/image-io.js';
import { DEFAULTS } from './settings.js';

export const DEFAULT_SIGMA = 24;

export const SCORE_HELP = `score: saliency-explainer score <saliency map: grey image (explain's maps/<name>.map.png), .npy or JSON {width,height,values}> --fixations FILE [options]
      --fixations FILE      the human reference: JSON points [{"x","y"},...] in 0-based pixels (or
                            {"width","height","fixations":[...]}), or a density map (image or JSON map)
      --size WxH            size of the image the points belong to (default: the JSON's, else the map's)
      --other-fixations FILE  JSON points fixated on other images (this image's frame): shuffled AUC
      --metrics M[,M...]    ${alignmentMetrics.map((m) => m.id).join(', ')} (default: all)
      --top-p P             IoU of the top P % pixels (default ${DEFAULT_TOP_P})
      --sigma S             Gaussian sigma in pixels of the density map made from points (default ${DEFAULT_SIGMA})
      --seed N              seed of AUC-Judd's jitter and AUC-Borji's / sAUC's draws (default 0)
      --json                stdout: one JSON object, nothing else
      --luma                read a colour image as its Rec. 601 luma (refused by default: a colour
                            image is usually an overlay; score the maps/<name>.map.png explain writes)
      --max-image-bytes N, --max-image-pixels N   as for explain (JSON files too)
    Maps of another size are resampled (bilinear) to the reference's size. Metrics without their
    data are skipped with a reason (AUC-*, NSS need points; sAUC also --other-fixations).`;

interface ScoreArgs {
  saliency: string;
  fixations: string;
  otherFixations?: string;
  size?: { width: number; height: number };
  metrics?: string[];
  topP: number;
  sigma: number;
  seed: number;
  json: boolean;
  /** Read colour images as luma instead of refusing them. */
  luma: boolean;
  maxImageBytes: number;
  maxImagePixels: number;
}

const options = {
  fixations: { type: 'string' },
  'other-fixations': { type: 'string' },
  size: { type: 'string' },
  metrics: { type: 'string', multiple: true },
  'top-p': { type: 'string' },
  sigma: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  luma: { type: 'boolean' },
  'max-image-bytes': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const positiveInt = (name: string, text: string) => intFlag(name, text, 1);
const finite = numberFlag;

export function parseScoreArgs(argv: string[]): ScoreArgs | 'help' {
  const parsed = parseFlags(argv, options);
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1) throw usageError(`score takes one saliency map (image or JSON), not ${parsed.positionals.length} (try score --help)`);
  if (v.fixations === undefined) throw usageError('score needs --fixations FILE (points JSON or a density map)');
  let size: ScoreArgs['size'];
  if (v.size !== undefined) {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(v.size);
    if (!m) throw usageError(`--size must be WIDTHxHEIGHT, e.g. 800x600, not '${v.size}'`);
    size = { width: positiveInt('size', m[1]), height: positiveInt('size', m[2]) };
  }
  const metrics = v.metrics?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (metrics) {
    if (metrics.length === 0) throw usageError('--metrics names no metric');
    for (const id of metrics) {
      try {
        getAlignmentMetric(id);
      } catch (e) {
        throw usageError((e as Error).message);
      }
    }
  }
  const topP = v['top-p'] === undefined ? DEFAULT_TOP_P : finite('top-p', v['top-p'], (p) => p > 0 && p <= 100, 'a percentage in (0, 100]');
  checkTopP(topP);
  return {
    saliency: parsed.positionals[0],
    fixations: v.fixations,
    otherFixations: v['other-fixations'],
    size,
    metrics,
    topP,
    sigma: v.sigma === undefined ? DEFAULT_SIGMA : finite('sigma', v.sigma, (s) => s >= 0 && s <= 1000, 'a number of pixels in [0, 1000]'),
    seed: v.seed === undefined ? 0 : finite('seed', v.seed, (s) => Number.isSafeInteger(s) && s >= 0, 'an integer ≥ 0'),
    json: v.json ?? false,
    luma: v.luma ?? false,
    maxImageBytes: v['max-image-bytes'] === undefined ? DEFAULTS.maxImageBytes : positiveInt('max-image-bytes', v['max-image-bytes']),
    maxImagePixels: v['max-image-pixels'] === undefined ? DEFAULTS.maxImagePixels : positiveInt('max-image-pixels', v['max-image-pixels']),
  };
}

const readBounded = (path: string, maxBytes: number) => readFileLimited(path, maxBytes, 'FILE_TOO_LARGE');

const looksLikeJson = (bytes: Buffer) => /^\s*[[{]/.test(bytes.subarray(0, 64).toString('utf8'));

function parseJson(path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw inputError('BAD_JSON', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonMap(path: string, v: Record<string, unknown>, maxPixels: number): FloatMap {
  const { width, height, values } = v;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || (width as number) < 1 || (height as number) < 1) {
    throw inputError('BAD_MAP', `${path}: "width" and "height" must be positive integers`);
  }
  const w = width as number;
  const h = height as number;
  if (w * h > maxPixels) throw inputError('IMAGE_TOO_LARGE', `${path}: ${w} × ${h} = ${w * h} values, more than the limit of ${maxPixels} (--max-image-pixels)`);
  if (!Array.isArray(values) || values.length !== w * h) {
    throw inputError('BAD_MAP', `${path}: "values" must be an array of ${w} × ${h} = ${w * h} numbers (row-major), not ${Array.isArray(values) ? values.length : typeof values}`);
  }
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || !Number.isFinite(Math.fround(x))) throw inputError('BAD_MAP', `${path}: values[${i}] is not a finite number`);
    out[i] = x;
  }
  return { width: w, height: h, values: out };
}

/** An image or a JSON map file as a float map. */
async function readMap(path: string, args: ScoreArgs, bytes?: Buffer): Promise<FloatMap> {
  const b = bytes ?? await readBounded(path, args.maxImageBytes);
  if (looksLikeJson(b)) {
    const v = parseJson(path, b);
    if (!isObject(v)) throw inputError('BAD_MAP', `${path}: expected a JSON object {"width","height","values"}`);
    return jsonMap(path, v, args.maxImagePixels);
  }
  if (isNpy(b)) {
    try {
      return readNpyMap(b);
    } catch (e) {
      if (!(e instanceof NpyFormatError)) throw e;
      throw inputError('BAD_MAP', `${path}: ${e.message}`);
    }
  }
  try {
    if (!args.luma) await refuseColour(path, b, args.maxImagePixels);
    const { width, height, values } = await decodeGrayMap(b, args.maxImagePixels);
    return { width, height, values };
  } catch (e) {
    if (!(e instanceof ImageDecodeError)) throw e;
    const hint = e.code === 'IMAGE_TOO_LARGE' ? ' (--max-image-pixels)' : '';
    throw inputError(e.code, `${path}: ${e.message}${hint}`);
  }
}

const isNpy = (b: Buffer) => b.length >= 6 && b[0] === 0x93 && b.subarray(1, 6).toString('latin1') === 'NUMPY';

/** Share of pixels whose channels differ by more than this (of 255) that makes an image a colour one. */
export const COLOUR_PIXEL_DIFFERENCE = 2;
export const COLOUR_PIXEL_SHARE = 0.01;

/**
 * A colour image (≥ 1 % of its pixels with R, G, B more than 2 levels apart) is refused with a
 * COLOUR_IMAGE input error naming the plain map to score instead: explain's overlay
 * `<out>/<name>.png` has its map at `<out>/maps/<name>.map.png`.
 */
async function refuseColour(path: string, bytes: Buffer, maxPixels: number): Promise<void> {
  await imageHeader(bytes, maxPixels);
  const { channels } = await sharp(bytes).metadata();
  if ((channels ?? 3) < 3) return;
  const { image } = await decodeImage(bytes, maxPixels);
  const { data, width, height } = image;
  let coloured = 0;
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [data[3 * i], data[3 * i + 1], data[3 * i + 2]];
    if (Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b)) > COLOUR_PIXEL_DIFFERENCE) coloured++;
  }
  const share = coloured / (width * height);
  if (share < COLOUR_PIXEL_SHARE) return;
  const plain = join(dirname(path), 'maps', `${basename(path, extname(path))}.map.png`);
  const instead = existsSync(plain)
    ? `score the plain map explain wrote beside it instead: ${plain}`
    : 'score a plain map instead: the 16-bit grey maps/<name>.map.png that explain writes (report.json: maps[].map.file), or a JSON / .npy map';
  throw inputError('COLOUR_IMAGE', `${path} is a colour image (${(100 * share).toFixed(1)} % of its pixels have R, G and B apart), most likely a colour-mapped overlay: its brightness is not the map and would give wrong scores; ${instead} (or --luma to read it as its luma anyway)`);
}

interface Points {
  fixations: Fixation[];
  width?: number;
  height?: number;
}

function parsePoints(path: string, v: unknown): Points {
  let list: unknown = v;
  let width: number | undefined;
  let height: number | undefined;
  if (isObject(v)) {
    if (!Number.isSafeInteger(v.width) || !Number.isSafeInteger(v.height) || (v.width as number) < 1 || (v.height as number) < 1) {
      throw inputError('BAD_FIXATIONS', `${path}: {"width","height","fixations"} needs positive integer width and height`);
    }
    width = v.width as number;
    height = v.height as number;
    list = v.fixations;
  }
  if (!Array.isArray(list)) throw inputError('BAD_FIXATIONS', `${path}: expected an array of points [{"x","y"},...]`);
  const fixations = list.map((p: unknown, i): Fixation => {
    if (!isObject(p) || typeof p.x !== 'number' || typeof p.y !== 'number' || !Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw inputError('BAD_FIXATIONS', `${path}: point ${i} is not {"x": number, "y": number}`);
    }
    return { x: p.x, y: p.y };
  });
  return { fixations, width, height };
}

function checkInside(path: string, fixations: Fixation[], width: number, height: number, sizeFrom: string): void {
  const i = fixations.findIndex((f) => !(f.x >= -0.5 && f.x < width - 0.5 && f.y >= -0.5 && f.y < height - 0.5));
  if (i >= 0) {
    const f = fixations[i];
    throw inputError('FIXATION_OUTSIDE', `${path}: point ${i} (${f.x}, ${f.y}) lies outside the ${width}×${height} image (${sizeFrom}; 0-based pixels, x in [-0.5, ${width - 0.5}))`);
  }
}

/** What to do about a skipped metric, in the CLI's words. */
const HINTS: Record<string, string> = {
  'needs fixation points': ' (--fixations gave a density map)',
  'needs fixations of other images': ' (--other-fixations)',
};

const format = (v: number) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(4) : v.toFixed(4));

export async function runScore(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseScoreArgs(argv);
  if (args === 'help') {
    io.out(SCORE_HELP);
    return EXIT.OK;
  }
  const saliency = await readMap(args.saliency, args);

  const refBytes = await readBounded(args.fixations, args.maxImageBytes);
  let reference: AlignmentReference;
  let refInfo: Record<string, unknown>;
  const refJson = looksLikeJson(refBytes) ? parseJson(args.fixations, refBytes) : undefined;
  if (refJson !== undefined && !(isObject(refJson) && 'values' in refJson)) {
    const points = parsePoints(args.fixations, refJson);
    const size = args.size ?? (points.width ? { width: points.width, height: points.height as number } : undefined) ?? { width: saliency.width, height: saliency.height };
    const sizeFrom = args.size ? '--size' : points.width ? `the size in ${args.fixations}` : 'the saliency map\'s size; give --size';
    if (size.width * size.height > args.maxImagePixels) throw inputError('IMAGE_TOO_LARGE', `${size.width}×${size.height} is more pixels than the limit of ${args.maxImagePixels}`);
    checkInside(args.fixations, points.fixations, size.width, size.height, sizeFrom);
    let otherFixations: Fixation[] | undefined;
    if (args.otherFixations !== undefined) {
      const other = parsePoints(args.otherFixations, parseJson(args.otherFixations, await readBounded(args.otherFixations, args.maxImageBytes)));
      checkInside(args.otherFixations, other.fixations, size.width, size.height, 'the reference\'s size');
      otherFixations = other.fixations;
    }
    reference = alignmentReference(points.fixations, size.width, size.height, { sigma: args.sigma, otherFixations });
    refInfo = { path: args.fixations, kind: 'fixations', width: size.width, height: size.height, fixations: points.fixations.length, sigma: args.sigma };
    if (otherFixations) refInfo.otherFixations = otherFixations.length;
  } else {
    if (args.otherFixations !== undefined) throw usageError('--other-fixations needs --fixations as points (shuffled AUC compares fixated pixels)');
    if (args.size !== undefined) throw usageError('--size is for points; a density map has its own size');
    const density = await readMap(args.fixations, args, refBytes);
    reference = { density };
    refInfo = { path: args.fixations, kind: 'density', width: density.width, height: density.height };
  }

  // explicitly requested metrics must be computable
  for (const id of args.metrics ?? []) {
    const m = getAlignmentMetric(id);
    if (m.needs === 'fixations' && !reference.fixationMap) throw usageError(`${id} needs fixation points; --fixations gave a density map`);
    if (m.needsOtherFixations && !reference.otherFixationMap) throw usageError(`${id} needs --other-fixations`);
  }
  const width = refInfo.width as number;
  const height = refInfo.height as number;
  const resampled = saliency.width !== width || saliency.height !== height;
  const scores = scoreAll(resampled ? resampleMap(saliency, width, height) : saliency, reference, {
    metrics: args.metrics, topP: args.topP, seed: args.seed,
  });

  if (args.json) {
    io.out(JSON.stringify({
      saliency: { path: args.saliency, width: saliency.width, height: saliency.height, resampledTo: resampled ? [width, height] : null },
      reference: refInfo,
      options: { topP: args.topP, seed: args.seed },
      metrics: Object.fromEntries(scores.map((s) => [s.id, s.value])),
      skipped: Object.fromEntries(scores.filter((s) => s.value === null).map((s) => [s.id, s.reason])),
    }));
    return EXIT.OK;
  }
  io.out(`saliency   ${args.saliency} (${saliency.width}×${saliency.height}${resampled ? `, resampled to ${width}×${height}` : ''})`);
  io.out(refInfo.kind === 'fixations'
    ? `reference  ${args.fixations}: ${refInfo.fixations} fixations on ${width}×${height}, density sigma ${args.sigma} px${refInfo.otherFixations !== undefined ? `, ${refInfo.otherFixations} fixations of other images` : ''}`
    : `reference  ${args.fixations}: density map ${width}×${height}`);
  const nameWidth = Math.max(...scores.map((s) => s.name.length + (s.id === 'iou' ? ` top ${args.topP}%`.length : 0)));
  for (const s of scores) {
    const name = (s.id === 'iou' ? `${s.name} top ${args.topP}%` : s.name).padEnd(nameWidth);
    io.out(s.value === null
      ? `${name}  ${'—'.padStart(9)}  skipped: ${s.reason}${HINTS[s.reason ?? ''] ?? ''}`
      : `${name}  ${format(s.value).padStart(9)}  ${s.higherIsBetter ? 'higher is better' : 'lower is better'}`);
  }
  return EXIT.OK;
}
