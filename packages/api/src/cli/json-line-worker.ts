// The --json formatting worker: an input's JSON line as UTF-8 bytes (json-floats.ts jsonTextBytes),
// made off the main thread so that it overlaps the next input's preprocessing and ONNX Runtime run
// there. The text around the maps and the maps' floats arrive by structured clone; the line's bytes go
// back transferred (their buffer is the line's own, not Node's shared pool).
import { parentPort } from 'node:worker_threads';
import type { RpcReply } from '../compute/rpc-worker.js';
import { replyError } from '../compute/rpc-worker.js';
import { jsonTextBytes, type SplitJson } from './json-floats.js';

parentPort!.on('message', ({ id, request }: { id: number; request: SplitJson }) => {
  let reply: RpcReply<Uint8Array>;
  let transfer: ArrayBuffer[] = [];
  try {
    const bytes = jsonTextBytes(request);
    reply = { id, ok: true, value: bytes };
    transfer = [bytes.buffer as ArrayBuffer];
  } catch (e) {
    reply = { id, ok: false, error: replyError(e) };
  }
  parentPort!.postMessage(reply, transfer);
});
