// Per-participant quality of a campaign and the reliability curve, from the accepted annotations.
// Rules, each with a stored reason (the thresholds and why are in DESIGN.md):
//  * ONE_SPOT: the clicks of an image lie in one spot — median over the participant's annotations of
//    the clicks' RMS distance from their centroid below ONE_SPOT_FRACTION of the image's longer side
//    (about half a BubbleView bubble radius: every click reveals the same bubble).
//  * TIMING: clicks at a machine's rhythm — median coefficient of variation of the intervals between
//    clicks below TIMING_CV (people's intervals vary with where they look; a script's do not).
//    (Clicks faster than a person can make are refused at submission: IMPOSSIBLE_TIMING.)
//  * FAILED_GOLD: on a gold image, the CC of the participant's click density with the image's eye
//    tracking (or, without any, with the other participants' pooled map) below GOLD_CC.
//  * LOW_AGREEMENT: the participant's leave-one-out CC (their density against everyone else's pooled
//    map, mean over their images) far below the crowd's: under median − LOO_MADS × 1.4826 × MAD of
//    the participants not excluded otherwise (robust z < −3), with at least LOO_MIN_PEOPLE of them.
import { cc, densityMap, humanAgreement, humanMap, seededRandom, type Fixation, type FloatMap } from '@saliency-explainer/core';
import type { AnnotationRecord, ImageRecord } from '../storage/types.js';
import type { ExclusionRule } from './store.js';

export const ONE_SPOT_FRACTION = 0.025;
export const TIMING_CV = 0.05;
export const GOLD_CC = 0.15;
export const LOO_MADS = 3;
export const LOO_MIN_PEOPLE = 5;
/** ADAPTIVE assignment: random split-halves of an image's stability (as Image.humanAttention's agreement: 10, seed 0). */
export const STABILITY_SPLITS = 10;

export interface Frame { sigmaFraction: number; maxSide: number }

export interface Person { sessionId: string; gold: boolean; annotation: AnnotationRecord }

export interface Exclusion { sessionId: string; rule: ExclusionRule; detail: string; value: number | null; threshold: number | null }

const crowdPoints = (a: AnnotationRecord): Fixation[] => a.points.map((p) => ({ x: p.x - (a.source === 'CROWD' ? 0.5 : 0), y: p.y - (a.source === 'CROWD' ? 0.5 : 0) }));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spread(a: AnnotationRecord, longer: number): number | null {
  if (a.points.length < 2) return null;
  const cx = a.points.reduce((s, p) => s + p.x, 0) / a.points.length;
  const cy = a.points.reduce((s, p) => s + p.y, 0) / a.points.length;
  const rms = Math.sqrt(a.points.reduce((s, p) => s + (p.x - cx) ** 2 + (p.y - cy) ** 2, 0) / a.points.length);
  return rms / longer;
}

function intervalCv(a: AnnotationRecord): number | null {
  const t = a.points.map((p) => p.t).filter((v): v is number => v !== undefined);
  if (t.length < 4) return null;
  const d = t.slice(1).map((v, i) => v - t[i]);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  if (mean <= 0) return 0;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1));
  return sd / mean;
}

/** Each person's density (frame) of one image, and the pooled map's frame. */
function densities(image: ImageRecord, people: readonly Fixation[][], frame: Frame): { maps: (FloatMap | null)[]; width: number; height: number; sigma: number; observers: Fixation[][] } {
  const h = humanMap(people, image.width, image.height, frame);
  // humanMap drops people without a point on the image; keep the indices aligned
  const maps = people.map((p) => {
    const m = humanMap([p], image.width, image.height, frame);
    return m.observers.length ? densityMap(m.observers[0], h.width, h.height, { sigma: h.frameSigma, outOfBounds: 'clamp' }) : null;
  });
  return { maps, width: h.width, height: h.height, sigma: h.frameSigma, observers: h.observers };
}

function sumMaps(maps: readonly FloatMap[], width: number, height: number): FloatMap {
  const values = new Float32Array(width * height);
  for (const m of maps) for (let i = 0; i < values.length; i++) values[i] += m.values[i];
  return { width, height, values };
}

/**
 * The exclusions of a campaign's participants. `images` by id; `eyeTracking` the imported fixations of
 * the gold images (one list per observer), when there are any.
 */
export function reviewParticipants(people: readonly Person[], images: ReadonlyMap<string, ImageRecord>, eyeTracking: ReadonlyMap<string, Fixation[][]>, frame: Frame): Exclusion[] {
  const out: Exclusion[] = [];
  const bySession = new Map<string, Person[]>();
  for (const p of people) bySession.set(p.sessionId, [...(bySession.get(p.sessionId) ?? []), p]);
  const excluded = new Set<string>();
  for (const [sessionId, mine] of bySession) {
    const spreads = mine.map((p) => spread(p.annotation, Math.max(images.get(p.annotation.imageId)!.width, images.get(p.annotation.imageId)!.height))).filter((v): v is number => v !== null);
    if (spreads.length > 0 && median(spreads) < ONE_SPOT_FRACTION) {
      const v = median(spreads);
      out.push({ sessionId, rule: 'ONE_SPOT', detail: `clicks in one spot: median spread ${(v * 100).toFixed(2)} % of the image's longer side (< ${ONE_SPOT_FRACTION * 100} %)`, value: v, threshold: ONE_SPOT_FRACTION });
      excluded.add(sessionId);
    }
    const cvs = mine.map((p) => intervalCv(p.annotation)).filter((v): v is number => v !== null);
    if (cvs.length > 0 && median(cvs) < TIMING_CV) {
      const v = median(cvs);
      out.push({ sessionId, rule: 'TIMING', detail: `clicks at a machine's rhythm: median variation of the intervals ${v.toFixed(3)} (< ${TIMING_CV})`, value: v, threshold: TIMING_CV });
      excluded.add(sessionId);
    }
  }
  // gold images: against the eye tracking, else against the other participants of the image
  const goldPeople = people.filter((p) => p.gold);
  const goldScores = new Map<string, number[]>();
  for (const imageId of new Set(goldPeople.map((p) => p.annotation.imageId))) {
    const image = images.get(imageId)!;
    const here = goldPeople.filter((p) => p.annotation.imageId === imageId);
    const et = eyeTracking.get(imageId);
    const d = densities(image, here.map((p) => crowdPoints(p.annotation)), frame);
    let reference: FloatMap | null = null;
    if (et && et.length > 0) {
      const h = humanMap(et, image.width, image.height, frame);
      reference = h.density;
    }
    here.forEach((p, i) => {
      const mine = d.maps[i];
      if (!mine) return;
      const ref = reference ?? sumMaps(d.maps.filter((m, j): m is FloatMap => j !== i && m !== null), d.width, d.height);
      const v = cc(mine, ref);
      if (Number.isFinite(v)) goldScores.set(p.sessionId, [...(goldScores.get(p.sessionId) ?? []), v]);
    });
  }
  for (const [sessionId, v] of goldScores) {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    if (mean < GOLD_CC) {
      out.push({ sessionId, rule: 'FAILED_GOLD', detail: `gold images: CC with the reference ${mean.toFixed(3)} (< ${GOLD_CC})`, value: mean, threshold: GOLD_CC });
      excluded.add(sessionId);
    }
  }
  // leave-one-out against the crowd not excluded so far
  const loo = leaveOneOut(people.filter((p) => !p.gold), images, frame, excluded);
  const kept = [...loo].filter(([s]) => !excluded.has(s)).map(([, v]) => v);
  if (kept.length >= LOO_MIN_PEOPLE) {
    const m = median(kept);
    const mad = median(kept.map((v) => Math.abs(v - m)));
    const threshold = m - LOO_MADS * 1.4826 * mad;
    for (const [sessionId, v] of loo) {
      if (v < threshold) {
        out.push({ sessionId, rule: 'LOW_AGREEMENT', detail: `agreement with the others (leave-one-out CC) ${v.toFixed(3)}, far below the crowd's median ${m.toFixed(3)} (threshold ${threshold.toFixed(3)}: median − ${LOO_MADS} robust SD)`, value: v, threshold });
      }
    }
  }
  return out;
}

/** Each session's mean leave-one-out CC over its images (against the pooled map of the others not in `excluded`). */
function leaveOneOut(people: readonly Person[], images: ReadonlyMap<string, ImageRecord>, frame: Frame, excluded: ReadonlySet<string>): Map<string, number> {
  const scores = new Map<string, number[]>();
  for (const imageId of new Set(people.map((p) => p.annotation.imageId))) {
    const here = people.filter((p) => p.annotation.imageId === imageId);
    const d = densities(images.get(imageId)!, here.map((p) => crowdPoints(p.annotation)), frame);
    here.forEach((p, i) => {
      const mine = d.maps[i];
      const others = d.maps.filter((m, j): m is FloatMap => j !== i && m !== null && !excluded.has(here[j].sessionId));
      if (!mine || others.length < 2) return;
      const v = cc(sumMaps(others, d.width, d.height), mine);
      if (Number.isFinite(v)) scores.set(p.sessionId, [...(scores.get(p.sessionId) ?? []), v]);
    });
  }
  return new Map([...scores].map(([s, v]) => [s, v.reduce((a, b) => a + b, 0) / v.length]));
}

export interface CurvePoint {
  participants: number;
  /** Split-half CC of the pooled map of this many participants (mean over random subsets, and images). */
  splitHalf: number;
  /** CC of this many participants' pooled map with the image's eye-tracking density, when the images have any. */
  eyeTracking: number | null;
  /** Images with at least this many participants. */
  images: number;
}

/**
 * The reliability curve of one image: for n = 2 … people, the split-half CC of n random participants
 * (`subsets` seeded draws of n, each cut into two random halves: CC of one half's density with the
 * other's — core's split-half human ceiling with the cc metric, on densities blurred once per person),
 * and the CC of the n people's pooled density with the eye-tracking density when given.
 */
export function reliabilityCurve(image: ImageRecord, people: readonly Fixation[][], frame: Frame, eyeTracking: Fixation[][] | null, subsets = 10, seed = 0): CurvePoint[] {
  const h = humanMap(people, image.width, image.height, frame);
  const maps = h.observers.map((o) => densityMap(o, h.width, h.height, { sigma: h.frameSigma, outOfBounds: 'clamp' }));
  const et = eyeTracking && eyeTracking.length ? humanMap(eyeTracking, image.width, image.height, frame).density : null;
  const random = seededRandom(seed);
  const out: CurvePoint[] = [];
  for (let n = 2; n <= maps.length; n++) {
    let split = 0;
    let splits = 0;
    let withEt = 0;
    for (let s = 0; s < subsets; s++) {
      const order = maps.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const chosen = order.slice(0, n).map((i) => maps[i]);
      const half = Math.floor(n / 2);
      const v = cc(sumMaps(chosen.slice(0, half), h.width, h.height), sumMaps(chosen.slice(half), h.width, h.height));
      if (Number.isFinite(v)) {
        split += v;
        splits++;
      }
      if (et) withEt += cc(sumMaps(chosen, h.width, h.height), et);
    }
    out.push({ participants: n, splitHalf: splits ? split / splits : NaN, eyeTracking: et ? withEt / subsets : null, images: 1 });
  }
  return out;
}

/**
 * How stable an image's pooled map is: the split-half CC of its people (core's humanAgreement, cc only,
 * STABILITY_SPLITS seeded splits: the value Image.humanAttention's agreement.splitHalf reports for
 * the same people); null below 2 people with a point on the image.
 */
export function splitHalfStability(image: ImageRecord, people: readonly Fixation[][], frame: Frame): number | null {
  const h = humanMap(people, image.width, image.height, frame);
  if (h.observers.length < 2) return null;
  const v = humanAgreement(h, { metrics: ['cc'], repetitions: STABILITY_SPLITS, seed: 0, leaveOneOutLimit: 1 })?.splitHalf.cc;
  return v && v.n > 0 && Number.isFinite(v.mean) ? v.mean : null;
}

/** Curves of several images averaged at each n over the images that reach it. */
export function meanCurve(curves: readonly CurvePoint[][]): CurvePoint[] {
  const longest = Math.max(0, ...curves.map((c) => c.length));
  const out: CurvePoint[] = [];
  for (let i = 0; i < longest; i++) {
    const at = curves.map((c) => c[i]).filter((p): p is CurvePoint => p !== undefined);
    const et = at.filter((p) => p.eyeTracking !== null);
    out.push({
      participants: at[0].participants,
      splitHalf: at.reduce((s, p) => s + p.splitHalf, 0) / at.length,
      eyeTracking: et.length ? et.reduce((s, p) => s + p.eyeTracking!, 0) / et.length : null,
      images: at.length,
    });
  }
  return out;
}

export { crowdPoints };
