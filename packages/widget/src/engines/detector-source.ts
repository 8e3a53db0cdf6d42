// The object detector of captions (the manifest's `detectors`, YOLOX-Nano): fetched only when a widget
// asks for a caption, through Cache Storage and checked against the manifest's sha256 like models, and
// run on the same ONNX Runtime Web flavour as the classifier. One per page per (runtime, manifest).
import { Detector, findDetector, parseLabels, type DetectorSpec } from '@saliency-explainer/core';
import { asWidgetError, WidgetError } from '../errors.js';
import { fetchBytes } from '../net/cached-fetch.js';
import { sharedTask, type SharedTask } from '../net/shared-task.js';
import { manifestAt } from './model-source.js';
import { loadOrt, type OrtFlavor } from './ort-loader.js';
import { browserRuntime } from './ort-runtime.js';

const detectors = new Map<string, SharedTask<Detector>>();

/** The detector's spec in the manifest under `modelsBase`, and its file and labels URLs. */
export async function detectorSource(modelsBase: string): Promise<{ spec: DetectorSpec; fileUrl: string; labels: string[] | { url: string } }> {
  const manifest = await manifestAt(modelsBase);
  let spec: DetectorSpec;
  try {
    spec = findDetector(manifest);
  } catch (e) {
    throw new WidgetError('NO_DETECTOR', `captions need an object detector, and ${new URL('manifest.json', modelsBase).href} lists none`, { cause: e });
  }
  const files = new URL('files/', modelsBase);
  return {
    spec,
    fileUrl: new URL(spec.file, files).href,
    labels: typeof spec.labels === 'string' ? { url: new URL(spec.labels, files).href } : spec.labels,
  };
}

async function create(flavor: OrtFlavor, wasmPaths: string, modelsBase: string): Promise<Detector> {
  const source = await detectorSource(modelsBase);
  try {
    const [ort, model, labels] = await Promise.all([
      loadOrt(flavor, wasmPaths),
      fetchBytes(source.fileUrl, { sha256: source.spec.sha256 }),
      Array.isArray(source.labels) ? source.labels : fetchBytes(source.labels.url).then(({ bytes }) => parseLabels(new TextDecoder().decode(bytes))),
    ]);
    return await Detector.create(browserRuntime(ort), model.bytes, source.spec, labels, { executionProviders: [flavor] });
  } catch (e) {
    const error = asWidgetError(e, 'DETECTOR_LOAD_FAILED');
    throw new WidgetError('DETECTOR_LOAD_FAILED', `the object detector ${source.spec.id} cannot be loaded: ${error.message}`, { cause: e });
  }
}

/** The manifest's first detector on `flavor`, loaded once per page (a failure is retried by the next call). */
export function loadDetector(flavor: OrtFlavor, wasmPaths: string, modelsBase: string): Promise<Detector> {
  return sharedTask(detectors, JSON.stringify([flavor, wasmPaths, modelsBase]), () => create(flavor, wasmPaths, modelsBase)).promise;
}
