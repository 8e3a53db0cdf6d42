// The pooled human attention of one image and source: every stored annotation is one person's points,
// pooled by core's humanMap into a density in the scoring frame, with the agreement between people
// (core's humanAgreement: split-half and leave-one-out) computed on first request, in the scoring
// worker when the server has one (scoring.ts). Results are kept in a small LRU keyed by (image,
// source, number of annotations): annotations are never changed or deleted, so a new one changes the key and the next request pools afresh, with no invalidation.
// Crowd clicks are continuous positions (pixel i spans [i, i + 1)); core's points have pixel centres at
// integers, so clicks move by −0.5 on the way in. Imported fixations are stored in core's convention.
// Crowd annotations of participants a campaign excluded (its quality rules) are left out: `exclude`
// names them, and their ids are part of the key, so a new review changes the key too.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AGREEMENT_METRICS, getAlignmentMetric, humanMap, type Fixation, type HumanMap } from '@saliency-explainer/core';
import { Scoring } from './scoring.js';
import type { AnnotationRecord, AnnotationSource, ImageRecord, Storage } from '../storage/types.js';

/** A score as the API's AlignmentScore type has it. */
export interface ApiScore {
  metric: string;
  name: string;
  higherIsBetter: boolean;
  value: number | null;
  reason: string | null;
}

export interface Agreement {
  splitHalf: ApiScore[];
  leaveOneOut: ApiScore[];
}

/**
 * Which crowd annotations to pool (attention depends on the task, Yarbus 1967): those describing the
 * image, or those looking for one class of one model. Without a filter, all of the source's.
 */
export type TaskFilter = { task: 'DESCRIBE' } | { task: 'FIND'; classIndex: number; model: string };

const filterKey = (f?: TaskFilter) => (!f ? 'all' : f.task === 'DESCRIBE' ? 'describe' : `find:${f.model}:${f.classIndex}`);

function matches(a: AnnotationRecord, f?: TaskFilter): boolean {
  if (!f) return true;
  if (a.task !== f.task) return false;
  return f.task === 'DESCRIBE' || (a.classIndex === f.classIndex && a.model === f.model);
}

/** The crowd annotations of an image to leave out of its pooled map (a campaign's excluded participants): their ids. */
export type ExcludedAnnotations = (imageId: string) => Promise<readonly string[]>;

/** What the API's HumanAttention type is resolved from. */
export interface PooledAttention {
  image: ImageRecord;
  source: AnnotationSource;
  /** The crowd task pooled (undefined: every annotation of the source). */
  filter?: TaskFilter;
  /** Annotations behind it (also those without a point on the image). */
  annotations: number;
  map: HumanMap;
  /** People with at least one point on the image. */
  annotators: number;
  pointCount: number;
  /** Their points as stored (image pixels), with the person's index among `annotators`. */
  points: { x: number; y: number; annotator: number }[];
  /** Inter-annotator agreement; null with fewer than 2 people. Computed once, on first call. */
  agreement(): Promise<Agreement | null>;
}

export interface HumanAttentionOptions {
  /** Density sigma as a fraction of the image's longer side. */
  sigmaFraction: number;
  /** Longer side of the scoring frame. */
  maxSide: number;
  /** Memory for pooled maps (default 64 MiB). */
  cacheBytes?: number;
  /** Split-half repetitions of the agreement (default 10) and its seed (default 0). */
  repetitions?: number;
  seed?: number;
}

/** A stored point in core's convention (pixel centres at integers). */
export function personPoints(a: AnnotationRecord): Fixation[] {
  const shift = a.source === 'CROWD' ? 0.5 : 0;
  return a.points.map((p) => ({ x: p.x - shift, y: p.y - shift }));
}

/** Whether core's humanMap keeps a point (it drops those off the image). */
const onImage = (p: Fixation, w: number, h: number) => p.x >= -0.5 && p.y >= -0.5 && p.x < w - 0.5 && p.y < h - 0.5;

function scores(stats: Record<string, { mean: number; n: number }>): ApiScore[] {
  return AGREEMENT_METRICS.map((id) => {
    const m = getAlignmentMetric(id);
    const s = stats[id];
    const value = s && s.n > 0 && Number.isFinite(s.mean) ? s.mean : null;
    return { metric: m.id, name: m.name, higherIsBetter: m.higherIsBetter, value, reason: value === null ? 'undefined for these annotators (no defined score in any split)' : null };
  });
}

/** Pools annotations into human attention, once per (image, source, annotation count). */
export class HumanAttentionPool {
  private readonly cache: LRUCache<string, Promise<PooledAttention | null>>;
  /** Pooled maps computed (not taken from the cache), for tests and stats. */
  computed = 0;
  /** Crowd annotations left out (set by the server: campaigns' excluded participants); none when null. */
  exclude: ExcludedAnnotations | null = null;

  constructor(private readonly storage: Storage, readonly options: HumanAttentionOptions, private readonly scoring: Scoring = new Scoring({ inline: true })) {
    this.cache = new LRUCache({ maxSize: options.cacheBytes ?? 64 * 1024 * 1024 });
  }

  /** The frame's memory estimate: two float32 maps (density, fixation counts). */
  private frameBytes(image: ImageRecord): number {
    const scale = Math.min(1, this.options.maxSide / Math.max(image.width, image.height));
    return Math.max(1, Math.round(image.width * scale) * Math.round(image.height * scale) * 8);
  }

  /**
   * The image's pooled attention of one source (and crowd task), null when it has no matching
   * annotation with a point on it. Any new annotation of the source changes the key.
   */
  async get(image: ImageRecord, source: AnnotationSource, filter?: TaskFilter): Promise<PooledAttention | null> {
    const count = await this.storage.countAnnotations(image.id, source);
    if (count === 0) return null;
    const out = source === 'CROWD' && this.exclude ? [...(await this.exclude(image.id))].sort() : [];
    const left = out.length ? `|x${out.length}:${createHash('sha256').update(out.join(',')).digest('base64url').slice(0, 16)}` : '';
    const key = `${image.id}|${source}|${count}|${filterKey(filter)}${left}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.pool(image, source, filter, new Set(out));
      this.cache.set(key, entry, { size: this.frameBytes(image) + count * 1024 });
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  private async pool(image: ImageRecord, source: AnnotationSource, filter: TaskFilter | undefined, excluded: ReadonlySet<string>): Promise<PooledAttention | null> {
    const annotations = (await this.storage.listAnnotations(image.id, { source })).filter((a) => matches(a, filter) && !excluded.has(a.id));
    this.computed++;
    const { width, height } = image;
    // people in core's convention, keeping only their points on the image (as humanMap does), so
    // that the listed points and the person indices match the map
    const people = annotations
      .map((a) => ({ a, points: personPoints(a) }))
      .map(({ a, points }) => ({ stored: a.points.filter((_, i) => onImage(points[i], width, height)), points: points.filter((p) => onImage(p, width, height)) }))
      .filter((p) => p.points.length > 0);
    if (people.length === 0) return null;
    const map = humanMap(people.map((p) => p.points), width, height, { sigmaFraction: this.options.sigmaFraction, maxSide: this.options.maxSide });
    const points = people.flatMap((p, annotator) => p.stored.map((q) => ({ x: q.x, y: q.y, annotator })));
    let agreement: Promise<Agreement | null> | undefined;
    return {
      image, source, filter, annotations: annotations.length, map, annotators: people.length, pointCount: points.length, points,
      agreement: () => {
        agreement ??= this.scoring.agreement(map, { metrics: AGREEMENT_METRICS, repetitions: this.options.repetitions ?? 10, seed: this.options.seed ?? 0 })
          .then((ceiling) => ceiling && { splitHalf: scores(ceiling.splitHalf), leaveOneOut: scores(ceiling.leaveOneOut) });
        return agreement;
      },
    };
  }
}
