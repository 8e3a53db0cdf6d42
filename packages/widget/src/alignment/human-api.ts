// The human attention the API holds for an image (Image.humanAttention): each person's points in
// core's convention, the density sigma, and the agreement between people. Looked up by the image's
// id, the sha256 of its bytes, so nothing is uploaded to find out.
import type { Fixation } from '@saliency-explainer/core';
import { sha256Hex } from '../net/cached-fetch.js';
import { postGraphQL } from '../net/graphql.js';

export type HumanSource = 'CROWD' | 'EYE_TRACKING';

export interface AgreementScore {
  metric: string;
  name: string;
  value: number | null;
}

export interface HumanAttention {
  source: HumanSource;
  /** CROWD: the task of the pooled clicks (FIND: looking for one class); null for eye tracking. */
  task: 'DESCRIBE' | 'FIND' | null;
  imageWidth: number;
  imageHeight: number;
  /** People with at least one point on the image. */
  annotators: number;
  /** Density sigma in image pixels. */
  sigma: number;
  /** Longer side of the server's scoring frame (SALIENCY_ALIGNMENT_MAX_SIDE). */
  maxSide: number;
  /** One list per person: 0-based pixels, pixel centres at integers (core's Fixation). */
  people: Fixation[][];
  /** Split-half agreement between the people (null with fewer than 2). */
  agreement: AgreementScore[] | null;
}

interface ApiHuman {
  annotators: number;
  sigma: number;
  maxSide: number;
  points: { x: number; y: number; annotator: number }[];
  agreement: { splitHalf: AgreementScore[] } | null;
}

const FIELDS = 'annotators sigma maxSide points { x y annotator } agreement { splitHalf { metric name value } }';
// which human data the image has (cheap), then only the chosen one in full: agreement costs the
// server ~0.5 s per source, so the one not used is never asked for
const WHICH = `query Which($id: ID!) {
  image(id: $id) { crowd: humanAttention(source: CROWD, task: DESCRIBE) { annotators } eye: humanAttention(source: EYE_TRACKING) { annotators } }
}`;
const QUERY = `query Human($id: ID!, $source: AnnotationSource!, $task: AnnotationTask) {
  image(id: $id) { width height human: humanAttention(source: $source, task: $task) { ${FIELDS} } }
}`;
const FIND_QUERY = `query Find($id: ID!, $c: Int!, $model: ID!) {
  image(id: $id) { width height crowd: humanAttention(source: CROWD, task: FIND, classIndex: $c, model: $model) { ${FIELDS} } }
}`;

/** The image's id on the API: the sha256 of its bytes (null where Web Crypto is missing: not a secure context). */
export async function imageId(blob: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  return sha256Hex(new Uint8Array(await blob.arrayBuffer()));
}

function people(h: ApiHuman, source: HumanSource): Fixation[][] {
  // crowd clicks are continuous positions (pixel i spans [i, i + 1)); fixations are pixel centres
  const shift = source === 'CROWD' ? 0.5 : 0;
  const out: Fixation[][] = Array.from({ length: h.annotators }, () => []);
  for (const p of h.points) (out[p.annotator] ??= []).push({ x: p.x - shift, y: p.y - shift });
  return out.filter((points) => points.length > 0);
}

function attention(source: HumanSource, task: HumanAttention['task'], image: { width: number; height: number }, h: ApiHuman): HumanAttention {
  return {
    source, task, imageWidth: image.width, imageHeight: image.height, annotators: h.annotators, sigma: h.sigma, maxSide: h.maxSide,
    people: people(h, source), agreement: h.agreement?.splitHalf ?? null,
  };
}

/**
 * The image's human attention that is not about one class: the crowd's clicks describing it, else eye
 * tracking; null when the API has the image without either, or not at all.
 */
export async function fetchHumanAttention(api: string, id: string): Promise<HumanAttention | null> {
  const which = await postGraphQL<{ image: { crowd: { annotators: number } | null; eye: { annotators: number } | null } | null }>(api, WHICH, { id });
  const has = (h: { annotators: number } | null | undefined) => !!h && h.annotators > 0;
  const chosen = has(which.image?.crowd) ? { source: 'CROWD' as const, task: 'DESCRIBE' as const } : has(which.image?.eye) ? { source: 'EYE_TRACKING' as const, task: null } : null;
  if (!chosen) return null;
  const r = await postGraphQL<{ image: { width: number; height: number; human: ApiHuman | null } | null }>(api, QUERY, { id, ...chosen });
  const image = r.image;
  return image?.human && image.human.annotators > 0 ? attention(chosen.source, chosen.task, image, image.human) : null;
}

/** The crowd's clicks looking for class `classIndex` of `model` in the image; null when there are none. */
export async function fetchFindAttention(api: string, id: string, classIndex: number, model: string): Promise<HumanAttention | null> {
  const r = await postGraphQL<{ image: { width: number; height: number; crowd: ApiHuman | null } | null }>(api, FIND_QUERY, { id, c: classIndex, model });
  const image = r.image;
  return image?.crowd && image.crowd.annotators > 0 ? attention('CROWD', 'FIND', image, image.crowd) : null;
}
