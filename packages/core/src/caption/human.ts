// The `human` fact: the map's agreement with people's attention on the image (alignToHuman, the
// score the API's Heatmap.alignment and the widget's badges give) on one metric (CC by default), and
// that score as a share of the people's own split-half agreement on the same metric (the ceiling the
// leaderboard flags). No fact when there is no score or no positive ceiling (fewer than 2 people).
import type { HumanMap } from '../annotation/human-map.js';
import { humanAgreement } from '../annotation/human-map.js';
import type { FloatMap } from '../cam/types.js';
import type { HumanCeiling } from '../metrics/human-ceiling.js';
import { alignToHuman } from '../metrics/align.js';
import type { InputGeometry } from '../model/spec.js';
import type { HumanFact } from './facts.js';

export const HUMAN_METRIC = 'cc';

export interface HumanReference {
  map: HumanMap;
  source: 'crowd' | 'eye-tracking';
  /** The people's agreement when already known (humanAgreement); computed otherwise. */
  ceiling?: HumanCeiling | null;
}

export function humanFact(map: FloatMap, geometry: InputGeometry, ref: HumanReference, metric = HUMAN_METRIC): HumanFact | null {
  const [s] = alignToHuman(map, geometry, ref.map, { metrics: [metric] });
  const ceilings = ref.ceiling === undefined ? humanAgreement(ref.map, { metrics: [metric] }) : ref.ceiling;
  const ceiling = ceilings?.splitHalf[metric]?.mean;
  if (s?.value == null || !(ceiling !== undefined && ceiling > 0)) return null;
  return { kind: 'human', source: ref.source, metric, score: s.value, ceiling, share: s.value / ceiling, people: ref.map.observers.length };
}
