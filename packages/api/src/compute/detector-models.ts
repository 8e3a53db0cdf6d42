// The server's object detectors (the manifest's "detectors", e.g. yolox-nano): what the main thread
// knows of one (labels, layers: what requests are checked against, what `models` lists) and the
// thread that runs them (compute/detector-explain-worker.ts), one for every detector, started on first use.
import { detectorLevels, ModelAnalysis, type DetectorSpec, type Manifest } from '@saliency-explainer/core';
import { loadDetector } from '../models/detector.js';
import type { DetectorExplainRequest, DetectorExplainResult } from './detector-protocol.js';
import { RpcWorker } from './rpc-worker.js';

export interface ServedDetector {
  spec: DetectorSpec;
  labels: string[];
  analysis: ModelAnalysis;
  /** One layer per stride, finest first: EigenCAM's layers; a box's default layer is its stride's. */
  defaultLayers: string[];
  numClasses: number;
}

/** The manifest's detectors whose files are in `modelsDir`/cache. */
export function presentDetectors(manifest: Manifest, present: (file: string) => boolean): string[] {
  return (manifest.detectors ?? []).filter((d) => present(d.file)).map((d) => d.id);
}

/** A detector's graph analysed on this thread (labels counted against its output). */
export function loadServedDetector(modelsDir: string, spec: DetectorSpec): ServedDetector {
  const { bytes, labels } = loadDetector(modelsDir, spec);
  const analysis = new ModelAnalysis(bytes, {
    input: spec.input.name, inputShape: [1, 3, spec.input.height, spec.input.width], output: spec.output.name, logits: spec.output.name,
  });
  // the output is [1, anchors, 5 + classes] (box, objectness, class probabilities)
  const classes = (analysis.shapeOf(analysis.logits)[2] ?? 0) - 5;
  if (labels.length !== classes) throw new Error(`detector '${spec.id}' has ${classes} classes but ${labels.length} labels`);
  const defaultLayers = detectorLevels(analysis, spec.input.height, spec.layers).map((l) => l.layer);
  return { spec, labels, analysis, defaultLayers, numClasses: classes };
}

/** The detector thread. */
export class DetectorThreads {
  private readonly worker: RpcWorker<DetectorExplainRequest, DetectorExplainResult>;

  constructor(config: { modelsDir: string; maxImagePixels: number; intraOpThreads: number }) {
    this.worker = new RpcWorker(new URL('./detector-explain-worker.js', import.meta.url), config);
  }

  explain(request: DetectorExplainRequest): Promise<DetectorExplainResult> {
    return this.worker.call(request);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
