// Human-attention scoring for the server, run in a worker thread (scoring-worker.ts) so that the main
// thread keeps serving requests: the agreement between the people of a human map, and a heatmap's
// scores against one. `inline: true` computes on the calling thread instead (tests, tools).
import {
  alignToHuman, humanAgreement, type AgreementOptions, type AlignmentScore, type FloatMap, type HumanCeiling, type HumanMap, type InputGeometry,
} from '@saliency-explainer/core';
import { RpcWorker } from '../compute/rpc-worker.js';

export type ScoringRequest =
  | { kind: 'agreement'; human: HumanMap; options: AgreementOptions }
  | { kind: 'align'; map: FloatMap; input: InputGeometry; human: HumanMap; metrics?: readonly string[] };
export type ScoringResult = HumanCeiling | null | AlignmentScore[];

export class Scoring {
  private readonly worker: RpcWorker<ScoringRequest, ScoringResult> | null;

  constructor(options: { inline?: boolean } = {}) {
    this.worker = options.inline ? null : new RpcWorker(new URL('./scoring-worker.js', import.meta.url));
  }

  /** core's humanAgreement of `human`. */
  async agreement(human: HumanMap, options: AgreementOptions): Promise<HumanCeiling | null> {
    if (!this.worker) return humanAgreement(human, options);
    return (await this.worker.call({ kind: 'agreement', human, options })) as HumanCeiling | null;
  }

  /** core's alignToHuman of a final map (model input grid). */
  async align(map: FloatMap, input: InputGeometry, human: HumanMap, metrics?: readonly string[]): Promise<AlignmentScore[]> {
    if (!this.worker) return alignToHuman(map, input, human, { metrics });
    // only the geometry of the input spec crosses the thread boundary
    const geometry: InputGeometry = { width: input.width, height: input.height, resize: input.resize, resizeShorter: input.resizeShorter };
    return (await this.worker.call({ kind: 'align', map, input: geometry, human, metrics })) as AlignmentScore[];
  }

  close(): Promise<void> {
    return this.worker?.close() ?? Promise.resolve();
  }
}
