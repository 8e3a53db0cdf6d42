// Where a campaign's quality computations run: in a worker thread (quality-worker.ts) for the server,
// so that a dashboard reading the reliability curve or a review does not stall the requests of the
// participants; on the calling thread with `inline` (the CLI, which serves nobody meanwhile). Both give
// the same numbers (the worker runs the same functions on structured clones of the same inputs).
import { threadId } from 'node:worker_threads';
import type { Fixation } from '@saliency-explainer/core';
import { RpcWorker } from '../compute/rpc-worker.js';
import type { ImageRecord } from '../storage/types.js';
import { reliabilityCurve, reviewParticipants, splitHalfStability, type CurvePoint, type Exclusion, type Frame, type Person } from './quality.js';

export type QualityRequest =
  | { kind: 'reliability'; image: ImageRecord; people: Fixation[][]; frame: Frame; eyeTracking: Fixation[][] | null }
  | { kind: 'review'; people: Person[]; images: Map<string, ImageRecord>; eyeTracking: Map<string, Fixation[][]>; frame: Frame }
  | { kind: 'stability'; image: ImageRecord; people: Fixation[][]; frame: Frame };

/** A result and the thread that computed it. */
export interface QualityAnswer { threadId: number; value: CurvePoint[] | Exclusion[] | number | null }

export class QualityRunner {
  private readonly worker: RpcWorker<QualityRequest, QualityAnswer> | null;
  /** The thread of the last computation (the main thread's id when inline): what the tests look at. */
  lastThreadId: number | null = null;

  constructor(options: { inline?: boolean } = {}) {
    this.worker = options.inline ? null : new RpcWorker(new URL('./quality-worker.js', import.meta.url));
  }

  get inline(): boolean {
    return this.worker === null;
  }

  private async run(request: QualityRequest, here: () => QualityAnswer['value']): Promise<QualityAnswer['value']> {
    const answer = this.worker ? await this.worker.call(request) : { threadId, value: here() };
    this.lastThreadId = answer.threadId;
    return answer.value;
  }

  /** quality.ts's reliabilityCurve of one image. */
  async reliability(image: ImageRecord, people: Fixation[][], frame: Frame, eyeTracking: Fixation[][] | null): Promise<CurvePoint[]> {
    return (await this.run({ kind: 'reliability', image, people, frame, eyeTracking }, () => reliabilityCurve(image, people, frame, eyeTracking))) as CurvePoint[];
  }

  /** quality.ts's reviewParticipants. */
  async review(people: Person[], images: Map<string, ImageRecord>, eyeTracking: Map<string, Fixation[][]>, frame: Frame): Promise<Exclusion[]> {
    return (await this.run({ kind: 'review', people, images, eyeTracking, frame }, () => reviewParticipants(people, images, eyeTracking, frame))) as Exclusion[];
  }

  /** quality.ts's splitHalfStability of one image (ADAPTIVE assignment). */
  async stability(image: ImageRecord, people: Fixation[][], frame: Frame): Promise<number | null> {
    return (await this.run({ kind: 'stability', image, people, frame }, () => splitHalfStability(image, people, frame))) as number | null;
  }

  close(): Promise<void> {
    return this.worker?.close() ?? Promise.resolve();
  }
}
