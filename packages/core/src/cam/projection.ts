// pytorch-grad-cam's get_2d_projection: the first principal component of a [C, h, w] tensor
// seen as h·w samples of C channels (channels centred over positions, then SVD).
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Projection of each position onto the first right singular vector of the centred [h·w, C]
 * matrix X, i.e. X·v₁ = σ₁·u₁. The sign of a singular vector is arbitrary (numpy returns
 * whatever LAPACK gives); we orient it to agree with the plain channel sum of the tensor, so that
 * eigen-smoothing keeps the direction of the map it smooths and EigenCAM highlights where the
 * activations are large.
 */
export function project2d(tensor: ArrayLike<number>, channels: number, positions: number): Float32Array {
  const X = new Matrix(positions, channels);
  const channelSum = new Float64Array(positions);
  for (let c = 0; c < channels; c++) {
    let mean = 0;
    for (let p = 0; p < positions; p++) {
      const v = tensor[c * positions + p];
      mean += Number.isNaN(v) ? 0 : v;
    }
    mean /= positions;
    for (let p = 0; p < positions; p++) {
      const raw = tensor[c * positions + p];
      const v = Number.isNaN(raw) ? 0 : raw;
      X.set(p, c, v - mean);
      channelSum[p] += v;
    }
  }
  const out = new Float32Array(positions);
  if (positions < 2 || channels < 1) return out;
  const svd = new SingularValueDecomposition(X, { computeLeftSingularVectors: true, computeRightSingularVectors: false, autoTranspose: true });
  const sigma = svd.diagonal[0] ?? 0;
  const U = svd.leftSingularVectors;
  let agreement = 0;
  for (let p = 0; p < positions; p++) agreement += U.get(p, 0) * channelSum[p];
  const sign = agreement < 0 ? -1 : 1;
  for (let p = 0; p < positions; p++) out[p] = sign * sigma * U.get(p, 0);
  return out;
}
