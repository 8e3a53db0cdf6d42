// The server's detector thread: one DetectorExplainer per detector of workerData.modelsDir, made on
// first use and kept; each request decodes the stored image, runs the detector once and makes the
// maps asked for (EigenCAM of the image, gradient CAMs of the chosen boxes) with core's DetectorExplainer.
// A box the detector did not find comes back as BAD_BOX; a bad layer or method as core's codes.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { DetectorExplainer, findDetector, type DetectorMap } from '@saliency-explainer/core';
import { loadDetector } from '../models/detector.js';
import { readManifest } from '../models/loader.js';
import { decodeImage } from '../images/decode.js';
import type { DetectorExplainRequest, DetectorExplainResult } from './detector-protocol.js';
import { replyError, type RpcReply } from './rpc-worker.js';

const { modelsDir, maxImagePixels, intraOpThreads } = workerData as { modelsDir: string; maxImagePixels: number; intraOpThreads: number };
const explainers = new Map<string, Promise<DetectorExplainer>>();

function explainer(id: string): Promise<DetectorExplainer> {
  let ex = explainers.get(id);
  if (!ex) {
    const spec = findDetector(readManifest(modelsDir), id);
    const { bytes, labels } = loadDetector(modelsDir, spec);
    ex = DetectorExplainer.create(ort, bytes, spec, labels, intraOpThreads > 0 ? { sessionOptions: { intraOpNumThreads: intraOpThreads } } : {});
    ex.catch(() => explainers.delete(id));
    explainers.set(id, ex);
  }
  return ex;
}

const boxError = (message: string) => Object.assign(new Error(message), { name: 'DetectExplainError', code: 'BAD_BOX' });

async function run(r: DetectorExplainRequest): Promise<DetectorExplainResult> {
  const ex = await explainer(r.model);
  const { image } = await decodeImage(r.bytes, maxImagePixels);
  const layers = r.layers ?? undefined;
  const det = await ex.run(image, { layers });
  const boxes = r.boxes ?? (det.detections.length ? [0] : []);
  for (const k of boxes) {
    if (k >= det.detections.length) throw boxError(`box ${k}: the detector found ${det.detections.length} box${det.detections.length === 1 ? '' : 'es'} (0..${det.detections.length - 1})`);
  }
  const maps: DetectorExplainResult['maps'] = [];
  const push = (m: DetectorMap, box: number | null) => maps.push({
    method: m.method, box,
    classIndex: box === null ? -1 : det.detections[box].classIndex,
    label: box === null ? '' : det.detections[box].label,
    score: box === null ? 0 : det.detections[box].score,
    width: m.inputMap.width, height: m.inputMap.height, raw: m.inputMap.values,
  });
  for (const method of r.methods) {
    if (method === 'eigencam') push(await ex.eigenCam(det, layers), null);
    else if (boxes.length) {
      const got = await ex.explainBoxes(det, boxes.map((k) => det.detections[k]), { method, layers, eigenSmooth: r.eigenSmooth });
      got.forEach((m, j) => push(m, boxes[j]));
    }
  }
  return {
    detections: det.detections.map((d) => ({ classIndex: d.classIndex, label: d.label, score: d.score, box: [d.box[0], d.box[1], d.box[2], d.box[3]] })),
    maps,
  };
}

parentPort!.on('message', ({ id, request }: { id: number; request: DetectorExplainRequest }) => {
  run(request).then(
    (value) => parentPort!.postMessage({ id, ok: true, value } satisfies RpcReply<DetectorExplainResult>),
    (e) => parentPort!.postMessage({ id, ok: false, error: replyError(e) } satisfies RpcReply<DetectorExplainResult>),
  );
});
