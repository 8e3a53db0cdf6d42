// The campaign quality worker: the reliability curve of an image, the participants' review (many
// density maps and CCs: seconds on a 2-core box with 50 participants) and an image's stability
// (ADAPTIVE assignment) off the server's main thread.
// Pure functions of quality.ts; every answer says which thread computed it (the tests check that).
import { parentPort, threadId } from 'node:worker_threads';
import { replyError, type RpcReply } from '../compute/rpc-worker.js';
import { reliabilityCurve, reviewParticipants, splitHalfStability } from './quality.js';
import type { QualityAnswer, QualityRequest } from './quality-runner.js';

function run(request: QualityRequest): QualityAnswer {
  switch (request.kind) {
    case 'reliability':
      return { threadId, value: reliabilityCurve(request.image, request.people, request.frame, request.eyeTracking) };
    case 'review':
      return { threadId, value: reviewParticipants(request.people, request.images, request.eyeTracking, request.frame) };
    case 'stability':
      return { threadId, value: splitHalfStability(request.image, request.people, request.frame) };
  }
}

parentPort!.on('message', ({ id, request }: { id: number; request: QualityRequest }) => {
  let reply: RpcReply<QualityAnswer>;
  try {
    reply = { id, ok: true, value: run(request) };
  } catch (e) {
    reply = { id, ok: false, error: replyError(e) };
  }
  parentPort!.postMessage(reply);
});
