// The CAM methods of the fused graph: each one's cam [K, h, w] (signed, before ReLU) as ONNX nodes,
// from the target layer's activations A [1, C, h, w] and the head gradients G [K, C, h, w], with the
// formulas and epsilons of cam/methods/*.ts (pytorch-grad-cam 1.5.5). Channel-weight methods sum
// w·A with one MatMul [K, C]×[C, h·w]; with eigen smoothing (and always for EigenGradCAM) the
// weighted tensor is projected on its first principal component instead (./projection.ts).
// Score-CAM and Ablation-CAM are not here: they run one forward pass per channel, which a fused
// graph could only unroll (C copies of the network) or loop over; see fused/build.ts.
import { project2d } from './projection.js';
import type { FusedEmitter } from './ops.js';

/** Method ids (cam/registry.ts) the fused graph computes. */
export const FUSED_METHODS = ['gradcam', 'hirescam', 'gradcam-elementwise', 'gradcam++', 'xgradcam', 'layercam', 'eigencam', 'eigengradcam'] as const;
export type FusedMethodId = (typeof FUSED_METHODS)[number];

export const isFusedMethod = (id: string): id is FusedMethodId => (FUSED_METHODS as readonly string[]).includes(id);

/** Methods that read the head gradients (EigenCAM reads the activations only). */
export const needsGradients = (id: FusedMethodId): boolean => id !== 'eigencam';

export interface CamDims {
  K: number;
  C: number;
  h: number;
  w: number;
}

const GRADCAMPP_EPS = 1e-6;
const XGRADCAM_EPS = 1e-7;

/** Σ_c weights[k, c]·A[c] → [K, h, w] (or the projection of weights·A with eigen smoothing). */
function weightedCam(e: FusedEmitter, weights: string, A: string, d: CamDims, eigenSmooth: boolean): string {
  const { K, C, h, w } = d;
  if (eigenSmooth) return project2d(e, e.op1('Mul', [e.op1('Reshape', [weights, e.constInt64([K, C, 1, 1])]), A]), K, C, h, w);
  const cam = e.op1('MatMul', [weights, e.op1('Reshape', [A, e.constInt64([C, h * w])])]);
  return e.op1('Reshape', [cam, e.constInt64([K, h, w])]);
}

/** Σ_c T[k, c] → [K, h, w] (or the projection of T). */
function channelSum(e: FusedEmitter, T: string, d: CamDims, project: boolean): string {
  return project ? project2d(e, T, d.K, d.C, d.h, d.w) : e.reduce('ReduceSum', T, [1], false);
}

/** The method's cam [K, h, w] as ONNX nodes appended to `e`. */
export function methodCam(e: FusedEmitter, id: FusedMethodId, A: string, G: string | undefined, d: CamDims, eigenSmooth: boolean): string {
  const g = () => {
    if (!G) throw new Error(`${id} needs the head gradients`);
    return G;
  };
  const spatialSumA = () => e.reduce('ReduceSum', A, [2, 3], false); // [1, C]
  switch (id) {
    case 'gradcam':
      return weightedCam(e, e.reduce('ReduceMean', g(), [2, 3], false), A, d, eigenSmooth);
    case 'xgradcam': {
      const num = e.reduce('ReduceSum', e.op1('Mul', [g(), A]), [2, 3], false);
      return weightedCam(e, e.op1('Div', [num, e.op1('Add', [spatialSumA(), e.scalar(XGRADCAM_EPS)])]), A, d, eigenSmooth);
    }
    case 'gradcam++': {
      // α = g²/(2g² + ΣA·g³ + 1e-6); weight = Σ α·g where g > 0 (relu(g), and α = 0 where g = 0)
      const G1 = g();
      const g2 = e.op1('Mul', [G1, G1]);
      const g3 = e.op1('Mul', [g2, G1]);
      const sumA = e.reduce('ReduceSum', A, [2, 3], true); // [1, C, 1, 1]
      const denom = e.op1('Add', [e.op1('Add', [e.op1('Mul', [e.scalar(2), g2]), e.op1('Mul', [sumA, g3])]), e.scalar(GRADCAMPP_EPS)]);
      const term = e.op1('Mul', [e.op1('Div', [g2, denom]), G1]);
      const positive = e.op1('Where', [e.op1('Greater', [G1, e.scalar(0)]), term, e.scalar(0)]);
      return weightedCam(e, e.reduce('ReduceSum', positive, [2, 3], false), A, d, eigenSmooth);
    }
    case 'hirescam':
      return channelSum(e, e.op1('Mul', [g(), A]), d, eigenSmooth);
    case 'gradcam-elementwise':
      return channelSum(e, e.op1('Relu', [e.op1('Mul', [g(), A])]), d, eigenSmooth);
    case 'layercam':
      return channelSum(e, e.op1('Mul', [e.op1('Relu', [g()]), A]), d, eigenSmooth);
    case 'eigengradcam':
      return channelSum(e, e.op1('Mul', [g(), A]), d, true);
    case 'eigencam': {
      const cam = project2d(e, A, 1, d.C, d.h, d.w); // [1, h, w]: the same map for every class
      return e.op1('Expand', [cam, e.constInt64([d.K, d.h, d.w])]);
    }
  }
}
