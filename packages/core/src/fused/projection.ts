// pytorch-grad-cam's get_2d_projection (what EigenCAM, EigenGradCAM and eigen_smooth use) as ONNX
// nodes, in float64 like the engine's cam/projection.ts: each of B tensors [C, h·w] is centred per
// channel over positions, and the positions are projected on the first principal component, oriented
// to agree with the plain channel sum. ONNX has no SVD or eigen-decomposition op, so the top
// eigenvector of the smaller Gram matrix (h·w or C square) is found by repeated squaring with
// trace normalisation, M ← M²/tr(M²), which converges to v₁v₁ᵀ (error ∝ (λ₂/λ₁)^(2ⁿ)), inside a Loop
// that stops when no entry moves by more than 1e-13 (at most 64 squarings); the eigenvector is the
// column of M with the largest diagonal entry, normalised.
import { DataType, makeValueInfo, type GraphProto, type TensorProto } from '../onnx/proto.js';
import { FusedEmitter, makeDoubleTensor } from './ops.js';

const f64 = DataType.DOUBLE;
export const MAX_SQUARINGS = 64;
export const SQUARING_TOLERANCE = 1e-13;

function eye(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** The Loop body: M → M²/tr(M²) per batch row, and whether any entry still moved. */
function squaringBody(opset: number, B: number, n: number, id: string): GraphProto {
  // names unique to this body: several projections may sit in one graph
  const e = new FusedEmitter(opset, `${id}/body`);
  const [iter, condIn, M, condOut, MOut, eyeName] = ['iter', 'cond_in', 'M_in', 'cond_out', 'M_out', 'eye'].map((s) => `${id}/${s}`);
  const inits: TensorProto[] = [makeDoubleTensor(eyeName, [n, n], eye(n))];
  const M2 = e.op1('MatMul', [M, M]);
  const trace = e.reduce('ReduceSum', e.op1('Mul', [M2, eyeName]), [1, 2], true);
  const Mn = e.op1('Div', [M2, e.op1('Max', [trace, e.constDouble([1e-300], [])])]);
  const moved = e.reduce('ReduceMax', e.op1('Abs', [e.op1('Sub', [Mn, M])]), [0, 1, 2], false);
  const cond = e.op1('Greater', [moved, e.constDouble([SQUARING_TOLERANCE], [])]);
  e.nodes.push({ opType: 'Identity', input: [cond], output: [condOut], name: `${condOut}_node` });
  e.nodes.push({ opType: 'Identity', input: [Mn], output: [MOut], name: `${MOut}_node` });
  return {
    name: `${id}/squaring`,
    node: e.nodes,
    initializer: [...inits, ...e.initializers],
    input: [makeValueInfo(iter, DataType.INT64, []), makeValueInfo(condIn, DataType.BOOL, []), makeValueInfo(M, f64, [B, n, n])],
    output: [makeValueInfo(condOut, DataType.BOOL, []), makeValueInfo(MOut, f64, [B, n, n])],
  };
}

/**
 * Append the 2-D projection of `tensor` [B, C, h, w] (float32) to `e`; returns its name, float32
 * [B, h, w]. NaN values count as 0, as in cam/projection.ts.
 */
export function project2d(e: FusedEmitter, tensor: string, B: number, C: number, h: number, w: number): string {
  const P = h * w;
  const raw = e.op1('Reshape', [e.op1('Cast', [tensor], { to: f64 }), e.constInt64([B, C, P])]);
  const T = e.op1('Where', [e.op1('IsNaN', [raw]), e.constDouble([0], []), raw]);
  const X = e.op1('Sub', [T, e.reduce('ReduceMean', T, [2], true)]); // [B, C, P] centred per channel
  const channelSum = e.reduce('ReduceSum', T, [1], false); // [B, P]
  const Xt = e.op1('Transpose', [X], { perm: [0, 2, 1] }); // [B, P, C]: the engine's X (rows = positions)
  const onPositions = P <= C;
  const n = onPositions ? P : C;
  const gram = onPositions ? e.op1('MatMul', [Xt, X]) : e.op1('MatMul', [X, Xt]); // [B, n, n]
  const eyeN = e.constDouble(eye(n), [n, n]);
  const trace = e.reduce('ReduceSum', e.op1('Mul', [gram, eyeN]), [1, 2], true);
  const tiny = e.constDouble([1e-300], []);
  const M0 = e.op1('Div', [gram, e.op1('Max', [trace, tiny])]);
  const trips = e.constInt64([MAX_SQUARINGS], []);
  const go = e.fresh('true');
  e.initializers.push({ name: go, dims: [], dataType: DataType.BOOL, rawData: new Uint8Array([1]) });
  const [M] = e.opWithGraph('Loop', [trips, go, M0], 'body', squaringBody(e.opset, B, n, e.fresh('pca')), 1);
  // v ∝ the column j of M with the largest M[j, j] (= v₁[j]² in the limit)
  const diag = e.reduce('ReduceSum', e.op1('Mul', [M, eyeN]), [2], false); // [B, n]
  const j = e.op1('Unsqueeze', [e.op1('ArgMax', [diag], { axis: 1, keepdims: 1 }), e.constInt64([2])]); // [B, 1, 1]
  const col = e.op1('GatherElements', [M, e.op1('Expand', [j, e.constInt64([B, n, 1])])], { axis: 2 }); // [B, n, 1]
  const unit = (v: string) => e.op1('Div', [v, e.op1('Max', [e.op1('Sqrt', [e.reduce('ReduceSum', e.op1('Mul', [v, v]), [1], true)]), tiny])]);
  // the first right singular vector v₁ [B, C, 1]: directly, or X·u₁/‖X·u₁‖ from the left one u₁
  const v1 = onPositions ? unit(e.op1('MatMul', [X, unit(col)])) : unit(col);
  const projection = e.op1('Reshape', [e.op1('MatMul', [Xt, v1]), e.constInt64([B, P])]); // [B, P] = σ₁u₁
  const agreement = e.reduce('ReduceSum', e.op1('Mul', [projection, channelSum]), [1], true);
  const sign = e.op1('Where', [e.op1('Less', [agreement, e.constDouble([0], [])]), e.constDouble([-1], []), e.constDouble([1], [])]);
  const oriented = e.op1('Mul', [projection, sign]);
  return e.op1('Reshape', [e.op1('Cast', [oriented], { to: DataType.FLOAT }), e.constInt64([B, h, w])]);
}
