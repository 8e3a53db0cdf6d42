// `saliency-explainer explain --model <detector>`: a manifest detector (models/manifest.json
// "detectors", e.g. yolox-nano) explained with core's DetectorExplainer. Per image: the boxes
// (printed, and drawn with their labels on <name>.detections.png), one EigenCAM map of the image
// (<name>.eigencam.png, boxes drawn on it) and, for each --box N (or --box all), each gradient method's
// map of that box (<name>.<method>.box<N>-<label>.png, the box drawn). report.json lists the boxes and
// the files; maps/ holds each map as a 16-bit PNG on the photo's pixels (what `score` reads).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  DetectExplainError, DetectorExplainer, findDetector, getCamMethod, overlay,
  type AnchoredDetection, type DetectorMap, type DetectorSpec, type RgbImage,
} from '@saliency-explainer/core';
import type { ExplainArgs } from './args.js';
import { CliError, EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import { readImage } from '../io/image-io.js';
import { expandInputs, slug } from './inputs.js';
import { mapPng16 } from './map-files.js';
import { loadDetector } from '../models/detector.js';
import { readManifest } from '../models/loader.js';
import { makeOutputDir, writeOutputFile, writeOutputFileAsync } from '../io/output-files.js';

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * The manifest detector `args.model` names, when it names one (and no classifier has that id);
 * undefined for classifiers. --box with a classifier is a usage error.
 */
export function detectorOf(args: ExplainArgs): DetectorSpec | undefined {
  let spec: DetectorSpec | undefined;
  if (args.model !== undefined && args.modelFile === undefined && existsSync(join(args.modelsDir, 'manifest.json'))) {
    const manifest = readManifest(args.modelsDir);
    if (!manifest.models.some((m) => m.id === args.model) && (manifest.detectors ?? []).some((d) => d.id === args.model)) {
      spec = findDetector(manifest, args.model);
    }
  }
  if (!spec && args.boxes !== undefined) throw usageError('--box picks a detected box: use it with a detector (--model ID of the manifest\'s "detectors")');
  return spec;
}

/** --box values: box indices (0 = best score) or 'all'. */
function parseBoxes(values: string[] | undefined): number[] | 'all' {
  if (values === undefined) return [];
  if (values.includes('all')) return 'all';
  return values.map((v) => {
    if (!/^\d+$/.test(v)) throw usageError(`--box must be a box number (0 = the best box) or all, not '${v}'`);
    return Number(v);
  });
}

/** A colour per class (the 20 of Tableau's palette, cycled). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'];
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** `image` with each box and its "#k label score" tag drawn (SVG through sharp/librsvg), as PNG bytes. */
export async function drawBoxes(image: RgbImage, boxes: { index: number; det: AnchoredDetection }[]): Promise<Buffer> {
  const { width: W, height: H } = image;
  const line = Math.max(2, Math.round(Math.min(W, H) / 200));
  const font = Math.max(11, Math.round(Math.min(W, H) / 32));
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="${font}">`];
  for (const { index, det } of boxes) {
    const [x0, y0, x1, y1] = det.box;
    const colour = PALETTE[det.classIndex % PALETTE.length];
    const text = `#${index} ${det.label} ${det.score.toFixed(2)}`;
    const tw = Math.ceil(text.length * font * 0.62) + 6;
    const th = font + 6;
    // the tag above the box, or inside its top when the box touches the top of the image
    const ty = y0 - th >= 0 ? y0 - th : y0;
    const tx = Math.min(Math.max(0, x0), Math.max(0, W - tw));
    parts.push(`<rect x="${x0 + line / 2}" y="${y0 + line / 2}" width="${Math.max(0, x1 - x0 - line)}" height="${Math.max(0, y1 - y0 - line)}" fill="none" stroke="${colour}" stroke-width="${line}"/>`);
    parts.push(`<rect x="${tx}" y="${ty}" width="${tw}" height="${th}" fill="${colour}"/>`);
    parts.push(`<text x="${tx + 3}" y="${ty + font}" fill="#ffffff">${esc(text)}</text>`);
  }
  parts.push('</svg>');
  return sharp(Buffer.from(image.data), { raw: { width: W, height: H, channels: image.channels } })
    .composite([{ input: Buffer.from(parts.join('')), top: 0, left: 0 }]).png().toBuffer();
}

const fmt = (b: number[]) => `[${b.map((v) => v.toFixed(1)).join(', ')}]`;

export async function runDetectorExplain(args: ExplainArgs, spec: DetectorSpec, io: Output): Promise<ExitCode> {
  if (args.inputTensor) throw usageError('a detector explains images (its letterbox needs the photo), not --input-tensor tensors');
  if (args.frame === 'model') throw usageError('detector maps are drawn on the photo: --frame model is for classifiers');
  if (args.caption || args.faithfulness) throw usageError('--caption and --faithfulness are for classifiers');
  if (args.classes !== undefined) throw usageError('--class is for classifiers: pick a detected box with --box N');
  const boxes = parseBoxes(args.boxes);
  // EigenCAM is always made (one map per image); the other methods explain the --box boxes
  const gradientMethods = args.methods.map((m) => getCamMethod(m)).filter((m) => m.id !== 'eigencam');
  for (const m of gradientMethods) {
    if (m.kind !== 'cam' || m.cost !== 'gradient') throw usageError(`method '${m.id}' is not offered for detectors: EigenCAM and the gradient CAMs (gradcam, gradcam++, hirescam, layercam, xgradcam, …) are`);
  }
  const { bytes, labels } = loadDetector(args.modelsDir, spec);
  let ex: DetectorExplainer;
  try {
    ex = await DetectorExplainer.create(ort, bytes, spec, labels);
  } catch (e) {
    throw modelError('BAD_MODEL', (e as Error).message);
  }
  const layers = args.layer === undefined ? undefined : args.layer.split(',').map((s) => s.trim()).filter(Boolean);
  const inputs = expandInputs(args.inputs, false);
  if (inputs.length === 0) throw inputError('NO_INPUTS', `no image files found in ${args.inputs.join(', ')}`);
  const writeReport = args.overlays || !args.json;
  const mapsDir = join(args.outDir, 'maps');
  if (writeReport) {
    makeOutputDir(args.outDir);
    makeOutputDir(mapsDir);
  }
  const reports: unknown[] = [];
  let failed = 0;
  try {
    for (const input of inputs) {
      try {
        const image = await readImage(input.path, { maxBytes: args.maxImageBytes, maxPixels: args.maxImagePixels });
        const run = await ex.run(image, { layers });
        const numbered = run.detections.map((det, index) => ({ index, det }));
        const picked = boxes === 'all' ? numbered : boxes.map((k) => {
          if (k >= numbered.length) throw inputError('NO_SUCH_BOX', `${input.path}: --box ${k}, but the detector found ${numbered.length} box${numbered.length === 1 ? '' : 'es'}`);
          return numbered[k];
        });
        const maps: { map: DetectorMap; name: string; index?: number }[] = [];
        const eigen = await ex.eigenCam(run, layers);
        maps.push({ map: eigen, name: `${input.base}.eigencam` });
        for (const m of gradientMethods) {
          const got = picked.length ? await ex.explainBoxes(run, picked.map((p) => p.det), { method: m.id, layers }) : [];
          got.forEach((g, j) => maps.push({ map: g, name: `${input.base}.${m.id}.box${picked[j].index}-${slug(picked[j].det.label)}`, index: picked[j].index }));
        }
        const files: Record<string, string>[] = [];
        let detectionsFile: string | undefined;
        if (args.overlays) {
          detectionsFile = join(args.outDir, `${input.base}.detections.png`);
          await writeOutputFileAsync(detectionsFile, await drawBoxes(image, numbered));
        }
        for (const { map, name, index } of maps) {
          const f: Record<string, string> = {};
          if (args.overlays) {
            f.overlay = join(args.outDir, `${name}.png`);
            const drawn = index === undefined ? numbered : numbered.filter((n) => n.index === index);
            await writeOutputFileAsync(f.overlay, await drawBoxes(overlay(image, map.map, { colormap: args.colormap, imageWeight: args.imageWeight }), drawn));
          }
          if (writeReport) {
            f.map = join(mapsDir, `${name}.map.png`);
            await writeOutputFileAsync(f.map, await mapPng16(map.map));
          }
          files.push(f);
        }
        const report = {
          input: input.path,
          width: image.width,
          height: image.height,
          detections: run.detections.map((d, index) => ({ index, classIndex: d.classIndex, label: d.label, score: d.score, box: d.box })),
          detectionsOverlay: detectionsFile,
          maps: maps.map(({ map, index }, k) => ({
            method: map.method, layers: map.layers, ...(index === undefined ? {} : { box: index, score: map.score }), ...files[k],
          })),
        };
        if (writeReport) reports.push(report);
        if (args.json) {
          io.out(JSON.stringify(report));
        } else {
          io.out(`${input.path}: ${run.detections.length} object${run.detections.length === 1 ? '' : 's'}`);
          for (const { index, det } of numbered) io.out(`  #${index} ${det.label} ${det.score.toFixed(3)} ${fmt(det.box)}`);
          if (detectionsFile) io.out(`  ${detectionsFile}`);
          for (const f of files) if (f.overlay) io.out(`  ${f.overlay}`);
        }
      } catch (e) {
        if (e instanceof DetectExplainError) throw inputError(e.code, e.message); // a bad layer fails every input the same way
        if (!(e instanceof CliError)) throw e;
        if (e.exitCode === EXIT.OUTPUT) throw e;
        failed++;
        const failure = { input: input.path, error: { code: e.code, message: e.message } };
        if (writeReport) reports.push(failure);
        if (args.json) io.out(JSON.stringify(failure));
        io.err(`error: ${e.message}`);
      }
    }
  } finally {
    await ex.release();
  }
  if (writeReport) {
    const file = join(args.outDir, 'report.json');
    const report = {
      model: spec.id, task: 'detection', layers: layers ?? ex.defaultLayers, methods: ['eigencam', ...gradientMethods.map((m) => m.id)],
      boxes: boxes === 'all' ? 'all' : boxes, createdAt: new Date().toISOString(), inputs: reports,
    };
    writeOutputFile(file, JSON.stringify(report));
    if (!args.json) io.out(`report: ${file}`);
  }
  return failed ? EXIT.INPUT : EXIT.OK;
}
