// `saliency-explainer explain`: many inputs through one Explainer (sessions compiled once),
// overlays + report.json in --out, JSON Lines on stdout with --json, progress on stderr.
// Overlays and the plain maps (16-bit PNG, maps/…map.png: what `score` reads) are drawn on the photo at
// its own size and aspect by default (core mapToImage puts the model-frame map back where the model's
// resize took each pixel from); --frame model draws them on the model's input frame instead.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import cliProgress from 'cli-progress';
import {
  Explainer, ExplainError, getCamMethod, mapToImage, overlay, resizeForModel, toTensor,
  type Detection, type FloatMap, type InputSpec, type RgbImage,
} from '@saliency-explainer/core';
import { mapsFaithfulness } from './faithfulness-command.js';
import type { ExplainArgs } from './args.js';
import { captionMaps, loadCaptionDetector, loadCliCaptioner, startDetection } from './captions.js';
import { CliError, EXIT, inputError, modelError, usageError, type ExitCode } from '../errors.js';
import { readImage, readTensor, writeOverlayPng } from '../io/image-io.js';
import { makeOutputDir, writeOutputFile, writeOutputFileAsync } from '../io/output-files.js';
import { mapPng16, npyFloat32 } from './map-files.js';
import { expandInputs, slug } from './inputs.js';
import { pixelOverlay } from './pixel-maps.js';
import { loadFileModel, loadManifestModel } from '../models/loader.js';
import { detectorOf, runDetectorExplain } from './detector-explain.js';
import { attachCaptions, fileReport, inputReport, type FileInputReport, type InputFailure, type MapFileRef, type MapFiles } from './report.js';
import { jsonLine } from './json-floats.js';
import { JsonLineThread } from './json-line-thread.js';
import { OrderedOutput, readAhead } from './pipeline.js';

/** Undo the normalisation of a tensor input, to draw its overlays on what the model saw. */
function tensorToImage(t: Float32Array, spec: InputSpec): RgbImage {
  const n = spec.width * spec.height;
  const data = new Uint8Array(n * 3);
  const order = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const px = (t[c * n + i] * spec.std[c] + spec.mean[c]) / spec.scale;
      data[i * 3 + order[c]] = Math.min(255, Math.max(0, Math.round(px)));
    }
  }
  return { data, width: spec.width, height: spec.height, channels: 3 };
}

/** Inputs whose files may be encoded and written while the next input is explained. */
export const WRITE_WINDOW = 2;

export interface Output {
  out: (line: string) => void;
  /** A line given as UTF-8 chunks (the newline is added); `out` is used where this is absent. */
  outBytes?: (chunks: readonly Uint8Array[]) => void;
  err: (line: string) => void;
  errIsTTY: boolean;
}

export async function runExplain(args: ExplainArgs, io: Output): Promise<ExitCode> {
  for (const m of args.methods) {
    try {
      getCamMethod(m);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  }
  const detectorSpec = detectorOf(args);
  if (detectorSpec) return runDetectorExplain(args, detectorSpec, io);
  const model = args.modelFile
    ? loadFileModel(args.modelFile, args.labels, args.inputSpec, io.err)
    : loadManifestModel(args.modelsDir, args.model);
  const captioner = args.captioner !== undefined ? await loadCliCaptioner(args.captioner) : undefined;
  const detector = args.caption ? await loadCaptionDetector(args.modelsDir) : undefined;
  let engine: Explainer;
  try {
    engine = await Explainer.create(ort, model.bytes, model.spec, model.labels, { batchSize: args.batchSize });
  } catch (e) {
    throw modelError('BAD_MODEL', `model '${model.spec.id}' cannot be used: ${(e as Error).message}`);
  }
  const inputs = expandInputs(args.inputs, args.inputTensor);
  if (inputs.length === 0) throw inputError('NO_INPUTS', `no ${args.inputTensor ? '.bin tensor' : 'image'} files found in ${args.inputs.join(', ')}`);
  // report.json (and the map files it references) unless --json --no-overlays asked for stdout only
  const writeReport = args.overlays || !args.json;
  const mapsDir = join(args.outDir, 'maps');
  if (writeReport) {
    makeOutputDir(args.outDir);
    makeOutputDir(mapsDir);
  }

  const bar = args.progress && io.errIsTTY && inputs.length > 1
    ? new cliProgress.SingleBar({ format: 'explain |{bar}| {value}/{total} {file}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(inputs.length, 0, { file: '' });
  const reports: (FileInputReport | InputFailure)[] = [];
  let failed = 0;
  // the next input is decoded while this one is explained, and an input's files are written while the
  // next ones are explained; lines are printed in input order once their files are on disk (pipeline.ts)
  const take = readAhead(inputs.length, (i): Promise<Float32Array | RgbImage> => (args.inputTensor
    ? readTensor(inputs[i].path, engine.inputShape, args.maxImageBytes)
    : readImage(inputs[i].path, { maxBytes: args.maxImageBytes, maxPixels: args.maxImagePixels })));
  const output = new OrderedOutput(WRITE_WINDOW);
  // --json lines written as bytes are formatted on a worker thread while the next input is explained
  const lines = args.json && io.outBytes ? new JsonLineThread() : undefined;
  try {
    for (const [i, input] of inputs.entries()) {
      bar?.update(i, { file: input.path });
      let finished: [Promise<unknown>, () => void];
      try {
        let tensor: Float32Array;
        let view: RgbImage;
        let image: RgbImage | undefined;
        let detections: Promise<Detection[]> | undefined;
        const loaded = await take(i);
        if (loaded instanceof Float32Array) {
          tensor = loaded;
          view = tensorToImage(tensor, model.spec.input);
        } else {
          image = loaded;
          detections = detector && startDetection(detector, image);
          view = resizeForModel(image, model.spec.input);
          tensor = toTensor(view, model.spec.input);
        }
        const result = await engine.explain(tensor, {
          methods: args.methods, topK: args.topK, classes: args.classes, layer: args.layer, target: args.target,
          attribution: args.pixels.attribution,
        });
        // overlays and map files on the photo as given (its size and aspect), or on the model's frame (--frame model)
        const onPhoto = args.frame === 'image' && image !== undefined;
        const toFrame = (map: FloatMap): FloatMap => (onPhoto ? mapToImage(map, model.spec.input, image!.width, image!.height) : map);
        const under = onPhoto ? image! : view;
        const files: MapFiles[] = [];
        const writes: Promise<void>[] = [];
        for (const m of result.maps) {
          const name = `${input.base}.${m.method}.${m.classIndex}-${slug(m.label)}`;
          const f: MapFiles = {};
          let framed: FloatMap | undefined;
          const plain = () => (framed ??= toFrame(m.map)); // only when a file needs it
          if (args.overlays) {
            f.overlay = join(args.outDir, `${name}.png`);
            writes.push(writeOverlayPng(f.overlay, m.attribution
              ? pixelOverlay(under, m, args.pixels, args.imageWeight, toFrame)
              : overlay(under, plain(), { colormap: args.colormap, imageWeight: args.imageWeight })));
          }
          if (writeReport) {
            const mapFile: MapFileRef = { file: join(mapsDir, `${name}.map.png`), format: 'png16', width: plain().width, height: plain().height, frame: onPhoto ? 'image' : 'model' };
            f.map = mapFile;
            writes.push(mapPng16(plain()).then((png) => writeOutputFileAsync(mapFile.file, png)));
            const a = m.attribution;
            const shape = a ? [a.channels, a.height, a.width] : [m.raw.height, m.raw.width];
            f.raw = { file: join(mapsDir, `${name}.raw.npy`), format: 'npy', dtype: 'float32', shape };
            writes.push(writeOutputFileAsync(f.raw.file, npyFloat32(a ? a.values : m.raw.values, shape)));
          }
          files.push(f);
        }
        const captions = detections && image ? await captionMaps(engine, detections, image, tensor, result, model.spec.input, captioner) : undefined;
        const faithfulness = args.faithfulness ? await mapsFaithfulness(engine, tensor, result.maps, engine.batchSize) : undefined;
        const report = inputReport(input.path, result, files, faithfulness);
        if (captions) attachCaptions(report, captions);
        const photo = image ? { width: image.width, height: image.height } : undefined;
        let line: Uint8Array | undefined;
        if (lines) writes.push(lines.lineBytes(report).then((bytes) => { line = bytes; }));
        finished = [Promise.all(writes), () => {
          if (writeReport) reports.push(fileReport(report, files, photo));
          if (args.json) {
            if (line && io.outBytes) io.outBytes([line]);
            else io.out(jsonLine(report));
          } else {
            const preds = result.predictions.map((p) => `${p.label} ${(100 * p.score).toFixed(1)}%`).join(', ');
            io.out(`${input.path}: ${preds}`);
            for (const f of files) if (f.overlay) io.out(`  ${f.overlay}`);
            captions?.forEach((c, k) => io.out(`  ${result.maps[k].method} ${result.maps[k].classIndex} (${result.maps[k].label}): ${c.text}`));
            faithfulness?.forEach((r, k) => io.out(`  ${result.maps[k].method} ${result.maps[k].classIndex}: deletion AUC ${r.deletion.auc.toFixed(4)}, insertion AUC ${r.insertion.auc.toFixed(4)}, ROAD combined ${r.road.combined.toFixed(4)}`));
          }
        }];
      } catch (e) {
        if (e instanceof ExplainError && e.code !== 'BAD_INPUT') {
          // a bad layer, class or method fails every input the same way: stop here
          throw inputError(e.code, e.message);
        }
        if (!(e instanceof CliError) && !(e instanceof ExplainError)) throw e;
        if (e instanceof CliError && e.exitCode === EXIT.OUTPUT) throw e; // every input would fail the same way
        failed++;
        const failure: InputFailure = { input: input.path, error: { code: e.code, message: e.message } };
        finished = [Promise.resolve(), () => {
          if (writeReport) reports.push(failure);
          if (args.json) io.out(JSON.stringify(failure));
          bar?.stop();
          io.err(`error: ${e.message}`);
          bar?.start(inputs.length, i + 1, { file: '' });
        }];
      }
      await output.add(...finished);
    }
    await output.drain();
    bar?.update(inputs.length, { file: '' });
  } finally {
    await output.abandon(); // after a failure: the files in flight end before the exit, their lines unprinted
    bar?.stop();
    await lines?.close();
    await engine.release();
    await detector?.release();
    await captioner?.release();
  }
  if (writeReport) {
    const report = { model: model.spec.id, layer: args.layer ?? engine.defaultLayer, methods: args.methods, target: args.target, createdAt: new Date().toISOString(), inputs: reports };
    const file = join(args.outDir, 'report.json');
    writeOutputFile(file, JSON.stringify(report));
    if (!args.json) io.out(`report: ${file}`);
  }
  return failed ? EXIT.INPUT : EXIT.OK;
}
