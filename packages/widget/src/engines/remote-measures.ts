// What the API measures about one stored heatmap, asked by its explanation's id: Heatmap.caption
// (facts flattened by the schema, every field of every kind, unset ones null) and
// Heatmap.faithfulness (ROAD's points as a list), both turned back into core's shapes, so that the
// widget draws a server result exactly as a local one.
import type { Caption, CaptionerPhrase, CaptionFact, FaithfulnessReport } from '@saliency-explainer/core';
import { postGraphQL } from '../net/graphql.js';

const FACT_FIELDS = `kind classIndex label probability rank position box area centroid level score mass main hit survives
  before after fraction region overlap seed object { label box mass } source metric ceiling share people`;

const CAPTION = `query Caption($id: ID!, $method: String!, $c: Int!, $seed: Int!) {
  explanation(id: $id) { heatmaps(method: $method, classIndex: $c) { caption(seed: $seed) { text facts { ${FACT_FIELDS} } captioner { model text } computeMs cached } } }
}`;

const CURVE = 'auc scores logits';
const FAITHFULNESS = `query Faithfulness($id: ID!, $method: String!, $c: Int!, $seed: Int!) {
  explanation(id: $id) { heatmaps(method: $method, classIndex: $c) { faithfulness(seed: $seed) {
    deletion { ${CURVE} } insertion { ${CURVE} } road { morf { percent value } lerf { percent value } combined }
    camMult { softmax logit } averageDrop increase computeMs cached
  } } }
}`;

type Heatmaps<T> = { explanation: { heatmaps: T[] } | null };

interface ApiRoad {
  morf: { percent: number; value: number }[];
  lerf: { percent: number; value: number }[];
  combined: number;
}
type ApiFaithfulness = Omit<FaithfulnessReport, 'road'> & { road: ApiRoad; computeMs: number; cached: boolean };

/** A schema fact (all fields, unset ones null) as core's fact of its kind (only its own fields). */
export function coreFact(fact: Record<string, unknown>): CaptionFact {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fact)) if (v !== null && v !== undefined) out[k] = v;
  return out as unknown as CaptionFact;
}

function heatmapOf<T>(r: Heatmaps<T>, what: string, method: string, classIndex: number): T {
  const h = r.explanation?.heatmaps[0];
  if (!h) throw new Error(`the API has no ${what} for the ${method} map of class ${classIndex}`);
  return h;
}

/** Heatmap.caption of the `method` map of `classIndex` in the stored explanation `id`. */
export async function fetchCaption(api: string, id: string, method: string, classIndex: number, seed = 0): Promise<Caption & { cached: boolean }> {
  const r = await postGraphQL<Heatmaps<{ caption: { text: string; facts: Record<string, unknown>[]; captioner: CaptionerPhrase | null; cached: boolean } }>>(
    api, CAPTION, { id, method, c: classIndex, seed });
  const { caption } = heatmapOf(r, 'caption', method, classIndex);
  return { text: caption.text, facts: caption.facts.map(coreFact), ...(caption.captioner ? { captioner: caption.captioner } : {}), cached: caption.cached };
}

const byPercent = (points: ApiRoad['morf']) => Object.fromEntries(points.map((p) => [String(p.percent), p.value]));

/** Heatmap.faithfulness of the `method` map of `classIndex` in the stored explanation `id`, in core's shape. */
export async function fetchFaithfulness(api: string, id: string, method: string, classIndex: number, seed = 0): Promise<FaithfulnessReport> {
  const r = await postGraphQL<Heatmaps<{ faithfulness: ApiFaithfulness }>>(api, FAITHFULNESS, { id, method, c: classIndex, seed });
  const { faithfulness: f } = heatmapOf(r, 'faithfulness report', method, classIndex);
  return {
    deletion: f.deletion, insertion: f.insertion,
    road: { morf: byPercent(f.road.morf), lerf: byPercent(f.road.lerf), combined: f.road.combined },
    camMult: f.camMult, averageDrop: f.averageDrop, increase: f.increase,
  };
}
