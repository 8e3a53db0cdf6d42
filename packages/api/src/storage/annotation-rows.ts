// Annotation rows: what is checked before a write, how the class and the points are stored, how a row
// reads back, and which unique constraint a failed insert hit. The class is stored as -1 for "none"
// (see prisma/schema.prisma: NULLs never collide in a unique index).
import { ANNOTATION_SOURCES, StorageError, type AnnotationRecord, type AttentionPointRecord, type NewAnnotation } from './types.js';

/** classIndex in the database for "no class". */
export const NO_CLASS = -1;

function corrupt(what: string): StorageError {
  return new StorageError('DATABASE', `corrupt row: ${what}`);
}

function checkPoint(p: AttentionPointRecord, at: string): void {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${at} must be an object { x, y, t?, duration? }`);
  for (const k of ['x', 'y'] as const) {
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k])) throw new RangeError(`${at}.${k} must be a finite number, got ${p[k]}`);
  }
  for (const k of ['t', 'duration'] as const) {
    const v = p[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new RangeError(`${at}.${k} must be a finite number when given, got ${v}`);
  }
}

/** Refuses what the database would store wrongly or not at all (RangeError / TypeError: programming errors). */
export function checkNewAnnotation(a: NewAnnotation, at = 'annotation'): void {
  if (!ANNOTATION_SOURCES.includes(a.source)) throw new TypeError(`${at}.source must be one of ${ANNOTATION_SOURCES.join(', ')}, not ${JSON.stringify(a.source)}`);
  for (const k of ['imageId', 'annotator', 'task'] as const) {
    if (typeof a[k] !== 'string' || a[k] === '') throw new TypeError(`${at}.${k} must be a non-empty string`);
  }
  if (a.classIndex !== null && (!Number.isInteger(a.classIndex) || a.classIndex < 0 || a.classIndex >= 2 ** 31)) {
    throw new RangeError(`${at}.classIndex must be null or an integer in [0, 2^31), got ${a.classIndex}`);
  }
  if (a.nonce !== null && (typeof a.nonce !== 'string' || a.nonce === '')) throw new TypeError(`${at}.nonce must be null or a non-empty string`);
  if (a.durationMs !== null && !Number.isFinite(a.durationMs)) throw new RangeError(`${at}.durationMs must be null or finite, got ${a.durationMs}`);
  if (!Array.isArray(a.points)) throw new TypeError(`${at}.points must be an array`);
  a.points.forEach((p, i) => checkPoint(p, `${at}.points[${i}]`));
}

/** Only the known keys of each point, in a fixed order (JSON column). */
function pointsJson(points: readonly AttentionPointRecord[]): AttentionPointRecord[] {
  return points.map((p) => {
    const out: AttentionPointRecord = { x: p.x, y: p.y };
    if (p.t !== undefined) out.t = p.t;
    if (p.duration !== undefined) out.duration = p.duration;
    return out;
  });
}

/** The create data of an annotation row. */
export function annotationData(a: NewAnnotation) {
  return {
    imageId: a.imageId, source: a.source, annotator: a.annotator, task: a.task,
    classIndex: a.classIndex ?? NO_CLASS, model: a.model, prompt: a.prompt, nonce: a.nonce,
    points: pointsJson(a.points) as unknown as object[], durationMs: a.durationMs,
  };
}

/** The idempotent key of an annotation, as the unique index sees it. */
export function annotationKey(a: { imageId: string; annotator: string; task: string; classIndex: number | null }): string {
  return JSON.stringify([a.imageId, a.annotator, a.task, a.classIndex ?? NO_CLASS]);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function toPoints(json: unknown, id: string): AttentionPointRecord[] {
  if (!Array.isArray(json)) throw corrupt(`Annotation ${id}.points is not a list`);
  return json.map((p: unknown) => {
    const r = (p ?? {}) as Record<string, unknown>;
    if (!isNum(r.x) || !isNum(r.y) || (r.t !== undefined && !isNum(r.t)) || (r.duration !== undefined && !isNum(r.duration))) {
      throw corrupt(`Annotation ${id}.points holds an entry that is not { x, y, t?, duration? }`);
    }
    const out: AttentionPointRecord = { x: r.x, y: r.y };
    if (r.t !== undefined) out.t = r.t as number;
    if (r.duration !== undefined) out.duration = r.duration as number;
    return out;
  });
}

export interface AnnotationRow {
  id: string; imageId: string; source: string; annotator: string; task: string; classIndex: number; model: string | null;
  prompt: string | null; nonce: string | null; points: unknown; durationMs: number | null; createdAt: Date;
}

export function toAnnotation(row: AnnotationRow): AnnotationRecord {
  if (!ANNOTATION_SOURCES.includes(row.source as AnnotationRecord['source'])) throw corrupt(`Annotation ${row.id}.source is ${JSON.stringify(row.source)}`);
  return {
    id: row.id, imageId: row.imageId, source: row.source as AnnotationRecord['source'], annotator: row.annotator, task: row.task,
    classIndex: row.classIndex === NO_CLASS ? null : row.classIndex, model: row.model, prompt: row.prompt, nonce: row.nonce,
    points: toPoints(row.points, row.id), durationMs: row.durationMs, createdAt: row.createdAt,
  };
}

/**
 * The columns (or index name) of the unique constraint a P2002 error names, as far as the driver
 * adapter tells: `meta.target` (Prisma's classic form) or the adapter's `constraint.fields` / `.index`.
 */
export function violatedUnique(e: unknown): string[] {
  const meta = (e as { meta?: Record<string, unknown> } | null)?.meta ?? {};
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(add);
  };
  add(meta.target);
  const constraint = ((meta.driverAdapterError as { cause?: { constraint?: Record<string, unknown> } } | undefined)?.cause?.constraint) ?? {};
  add(constraint.fields);
  add(constraint.index);
  return out;
}
