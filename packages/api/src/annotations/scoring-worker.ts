// The scoring worker: the CPU-bound parts of human attention — agreement between people (the human
// ceiling: 25 scorings of a 400×300 frame, ~0.5 s) and a heatmap against a human map (~30 ms) — off
// the server's main thread. Pure functions of core; maps arrive by structured clone.
import { parentPort } from 'node:worker_threads';
import { alignToHuman, humanAgreement } from '@saliency-explainer/core';
import type { RpcReply } from '../compute/rpc-worker.js';
import type { ScoringRequest, ScoringResult } from './scoring.js';

function run(request: ScoringRequest): ScoringResult {
  switch (request.kind) {
    case 'agreement':
      return humanAgreement(request.human, request.options);
    case 'align':
      return alignToHuman(request.map, request.input, request.human, { metrics: request.metrics });
  }
}

parentPort!.on('message', ({ id, request }: { id: number; request: ScoringRequest }) => {
  let reply: RpcReply<ScoringResult>;
  try {
    reply = { id, ok: true, value: run(request) };
  } catch (e) {
    const err = e as Error;
    reply = { id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) } };
  }
  parentPort!.postMessage(reply);
});
