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
// The pieces are in augment/: args.ts (flags and help), models.ts (the detector or classifier and its
// verdicts), reference.ts (human fixations or the predicted density) and tally.ts (the accuracy table).
import { join } from 'node:path';
import sharp from 'sharp';
import {
  GATE_IOU_TOP_P, eraseImage, gatePasses, iou, mae, topPercentMask, type Inpainter, type OsieImage, type RgbImage,
} from '@saliency-explainer/core';
import { CliError, EXIT, inputError, type ExitCode } from '../errors.js';
import { readImage } from '../io/image-io.js';
import { makeOutputDir, writeOutputFileAtomic } from '../io/output-files.js';
import { teleaInpainter } from './augment-inpaint.js';
import { AUGMENT_HELP, parseAugmentArgs } from './augment/args.js';
import { openModel, type Verdict } from './augment/models.js';
import { DEEPGAZE_NOTE, humanImages, referenceOf } from './augment/reference.js';
import { accuracyRow, accuracyTable, classTally, detectionTally, type Tally } from './augment/tally.js';
import type { Output } from './explain-command.js';
import { expandInputs } from './inputs.js';

export const AUGMENT_SCHEMA = 'saliency-explainer/augment@1';

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
