// Heatmap.faithfulness: core's FaithfulnessReport (as stored) in the schema's shape — ROAD's
// per-percentile records become lists of { percent, value }, sorted by percent.
import type { FaithfulnessReport } from '@saliency-explainer/core';
import type { Faithfulness } from '../generated/graphql.js';
import type { HeatmapResult } from '../compute/heatmap-results.js';

const points = (byPercent: Record<string, number>) =>
  Object.entries(byPercent).map(([p, value]) => ({ percent: Number(p), value })).sort((a, b) => a.percent - b.percent);

export function faithfulnessOf(result: HeatmapResult<unknown>): Faithfulness {
  const r = result.value as FaithfulnessReport;
  return {
    deletion: r.deletion,
    insertion: r.insertion,
    road: { morf: points(r.road.morf), lerf: points(r.road.lerf), combined: r.road.combined },
    camMult: r.camMult,
    averageDrop: r.averageDrop,
    increase: r.increase,
    computeMs: result.computeMs,
    cached: result.cached,
  };
}
