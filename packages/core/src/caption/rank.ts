// A class's rank in a probability vector: 1 for the top class; ties go to the lower index, as in
// topPredictions (predictions.ts).
export function classRank(probs: ArrayLike<number>, classIndex: number): number {
  const p = probs[classIndex];
  let rank = 1;
  for (let j = 0; j < probs.length; j++) if (probs[j] > p || (probs[j] === p && j < classIndex)) rank++;
  return rank;
}
