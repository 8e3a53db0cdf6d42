// The manifest's object detectors (models/manifest.json "detectors", e.g. yolox-nano): their ONNX
// bytes and labels from models/cache, and a ready core Detector for captions. Shared by the CLI
// (explain --model <detector>, explain --caption), the API's detector threads and eval's detector rows.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { Detector, findDetector, parseLabels, type DetectorSpec } from '@saliency-explainer/core';
import { modelError } from '../errors.js';
import { readManifest } from './loader.js';

/** Sessions run one after another; spinning threads would only take the cores the classifier needs. */
const SESSION_OPTIONS = { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } };

/**
 * Intra-op threads of a detector on a thread of its own (compute/detector-thread.ts), which runs while
 * the classifier runs the caption's batch: half the cores, so that the two do not share them. With
 * ONNX Runtime's default (every core) on two cores, four threads took turns on two, and a caption cost
 * 6.3–7.4× its map instead of 4.4–5.5× (test/bench/caption.bench.mjs, side by side).
 */
export const DETECTOR_THREAD_INTRA_OP = Math.max(1, Math.floor(availableParallelism() / 2));

/** The detector's ONNX bytes and labels from `modelsDir`/cache (MODEL_FILE_MISSING when absent). */
export function loadDetector(modelsDir: string, spec: DetectorSpec): { bytes: Uint8Array; labels: string[] } {
  const cache = join(modelsDir, 'cache');
  const read = (rel: string, what: string) => {
    const path = join(cache, rel);
    if (!existsSync(path)) throw modelError('MODEL_FILE_MISSING', `${what} for '${spec.id}' ${path} is missing; run \`npm run models\` to fetch the model files`);
    return readFileSync(path);
  };
  const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(read(spec.labels, 'labels').toString('utf8'));
  return { bytes: read(spec.file, 'model file'), labels };
}

/**
 * The first detector of `modelsDir`'s manifest, its files from models/cache, on this thread (what
 * captions use; compute/detector-thread.ts runs it on a thread of its own, with DETECTOR_THREAD_INTRA_OP
 * intra-op threads; ONNX Runtime's default, every core, where `intraOpThreads` is not given). NO_DETECTOR when the
 * manifest lists none, MODEL_FILE_MISSING, BAD_MODEL: model errors (exit 4).
 */
export async function loadDetectorInPlace(modelsDir: string, intraOpThreads?: number): Promise<Detector> {
  const manifest = readManifest(modelsDir);
  let spec;
  try {
    spec = findDetector(manifest);
  } catch {
    throw modelError('NO_DETECTOR', `--caption needs an object detector, and ${join(modelsDir, 'manifest.json')} lists none ("detectors")`);
  }
  const { bytes, labels } = loadDetector(modelsDir, spec);
  try {
    return await Detector.create(ort, bytes, spec, labels, intraOpThreads ? { ...SESSION_OPTIONS, intraOpNumThreads: intraOpThreads } : SESSION_OPTIONS);
  } catch (e) {
    throw modelError('BAD_MODEL', `detector '${spec.id}' cannot be used: ${(e as Error).message}`);
  }
}
