// The worker thread of DetectorThread: loads the manifest's detector of workerData.modelsDir once
// (on the first request), with half the cores for its intra-op threads (the classifier runs beside
// it), and answers detect requests with core's Detector.
import { parentPort, workerData } from 'node:worker_threads';
import type { Detection, Detector } from '@saliency-explainer/core';
import { DETECTOR_THREAD_INTRA_OP, loadDetectorInPlace } from '../models/detector.js';
import type { DetectorRequest } from './detector-thread.js';
import { replyError, type RpcReply } from './rpc-worker.js';

const { modelsDir } = workerData as { modelsDir: string };
let detector: Promise<Detector> | undefined;

async function run(request: DetectorRequest): Promise<Detection[] | null> {
  if (!detector) {
    detector = loadDetectorInPlace(modelsDir, DETECTOR_THREAD_INTRA_OP);
    detector.catch(() => (detector = undefined));
  }
  const d = await detector;
  return request.kind === 'load' ? null : d.detect(request.image, request.options);
}

parentPort!.on('message', ({ id, request }: { id: number; request: DetectorRequest }) => {
  run(request).then(
    (value) => parentPort!.postMessage({ id, ok: true, value } satisfies RpcReply<Detection[] | null>),
    (e) => parentPort!.postMessage({ id, ok: false, error: replyError(e) } satisfies RpcReply<Detection[] | null>),
  );
});
