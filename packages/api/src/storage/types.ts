// What the API stores and reads back, independent of the database (SQLite or PostgreSQL via Prisma).
// The server only talks to a `Storage`; `openStorage(url)` picks the Prisma client and adapter.

export interface StoredModel {
  id: string;
  task: string;
  inputWidth: number;
  inputHeight: number;
  numClasses: number;
}

export interface ImageRecord {
  /** sha256 of the uploaded bytes, lower-case hex. */
  id: string;
  width: number;
  height: number;
  /** sharp's format name: jpeg, png, webp, gif, tiff, avif, … */
  format: string;
  byteLength: number;
  createdAt: Date;
}

export interface PredictionRecord {
  classIndex: number;
  label: string;
  /** Softmax probability. */
  score: number;
}

export interface HeatmapRecord {
  method: string;
  classIndex: number;
  label: string;
  /** Softmax probability of the class. */
  score: number;
  /**
   * CAMs: relu(cam) at the layer's resolution, row-major, height × width. Pixel attributions: Σ_c
   * |attribution| at the input's resolution (core's ClassMap.raw), of the stored `attribution`.
   */
  width: number;
  height: number;
  raw: Float32Array;
  /**
   * Pixel attributions: the signed attribution [channels, height, width], row-major, as stored (scaled
   * float16, raw-map.ts) and read back: what `raw` is the channel sum of. Absent for CAMs.
   */
  attribution?: { channels: number; values: Float32Array };
  /** Integrated Gradients' convergence delta; absent (or null) for the other methods. */
  convergenceDelta?: number | null;
  /**
   * Detectors: the explained box, an index into the explanation's `detections`; absent (or null) for a
   * classifier's maps and a detector's per-image map (EigenCAM). A detector's `raw` is the final map on
   * the letterboxed model input (input width × height, in [0, 1]).
   */
  box?: number | null;
}

/** One box of a detector, in the image's pixels. */
export interface DetectionRecord {
  classIndex: number;
  label: string;
  /** Objectness × class probability. */
  score: number;
  /** [x0, y0, x1, y1] in the image's pixels. */
  box: [number, number, number, number];
}

/** The pixel-attribution options an explanation's methods read (core's attributionOptionsFor), e.g. { steps: 50, integration: 'gausslegendre' }. */
export type AttributionOptionsRecord = Record<string, string | number>;

export interface NewExplanation {
  /** Canonical request key (sha256 hex): identical requests map to one explanation. */
  requestKey: string;
  imageId: string;
  model: StoredModel;
  layer: string;
  /** 'LOGIT' | 'PROBABILITY' */
  target: string;
  methods: string[];
  predictions: PredictionRecord[];
  /** The pixel-attribution options its methods read; null when none reads any. */
  attributionOptions?: AttributionOptionsRecord | null;
  heatmaps: HeatmapRecord[];
  /** A detector's boxes, best score first; absent (or null) for classifiers. */
  detections?: DetectionRecord[] | null;
  /** Wall time of the computation. */
  computeMs: number;
}

export interface ExplanationRecord extends Omit<NewExplanation, 'model'> {
  id: string;
  modelId: string;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the last item, to pass as `after`. */
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * BAD_CURSOR: a malformed `after`; NOT_FOUND: an unknown id; DATABASE: the database failed;
 * DUPLICATE: an annotation with the same (image, annotator, task, class) is stored; REPLAYED: an
 * annotation with the same ticket nonce is stored.
 */
export type StorageErrorCode = 'BAD_CURSOR' | 'NOT_FOUND' | 'DATABASE' | 'DUPLICATE' | 'REPLAYED';

export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** What a leaderboard row is: a model × layer × method (× target), the human ceiling, or a bottom-up baseline. */
export type EvalKind = 'model' | 'ceiling' | 'baseline';

/** One row of a leaderboard, identified by everything but the image and the metric. */
export interface EvalEntry {
  kind: EvalKind;
  /** Model id; 'human' for the ceiling, 'bottom-up' for the baselines. */
  model: string;
  /** Target layer of a model row; '' otherwise. */
  layer: string;
  /** CAM method id; 'split-half' / 'leave-one-out'; 'itti-koch' / 'spectral-residual' / 'center-bias'. */
  method: string;
  /** 'LOGIT' | 'PROBABILITY' for model rows; '' otherwise. */
  target: string;
}

/** One stored score: (protocol, image, entry, metric) is its idempotent key. */
export interface EvalScoreRecord extends EvalEntry {
  protocol: string;
  dataset: string;
  image: string;
  metric: string;
  /** null: undefined for this image (no fixations, a constant map). */
  value: number | null;
  /** The explained class (top-1) of a model row; null otherwise. */
  classIndex: number | null;
  /** The run that computed it. */
  runId: string;
}

export type NewEvalScore = Omit<EvalScoreRecord, 'runId'>;

export interface NewEvalRun {
  dataset: string;
  /** Key of the scoring protocol: runs with the same key share (and resume from) each other's scores. */
  protocol: string;
  /** The run's parameters and its protocol (any JSON object). */
  params: Record<string, unknown>;
  /** The data set's image names the run covers, in order. */
  images: string[];
  /** The rows the run covers. */
  entries: EvalEntry[];
}

export interface EvalRunRecord extends NewEvalRun {
  id: string;
  startedAt: Date;
  /** null while running (or when the run was interrupted). */
  finishedAt: Date | null;
  wallMs: number | null;
  stats: Record<string, unknown> | null;
}

/** Where human attention data comes from. */
export type AnnotationSource = 'CROWD' | 'EYE_TRACKING';
export const ANNOTATION_SOURCES: readonly AnnotationSource[] = ['CROWD', 'EYE_TRACKING'];

/** One click (t: ms since the image was shown) or fixation (duration in ms), 0-based image pixels. */
export interface AttentionPointRecord {
  x: number;
  y: number;
  t?: number;
  duration?: number;
}

export interface NewAnnotation {
  imageId: string;
  source: AnnotationSource;
  /** CROWD: sha256 hex of the annotator token; EYE_TRACKING: '<dataset>:<observer>'. */
  annotator: string;
  /** 'DESCRIBE' | 'FIND' (crowd) | 'FREE_VIEWING' (eye tracking). */
  task: string;
  /** The class looked for (FIND); null for none. */
  classIndex: number | null;
  /** The model whose labels name the class; null for none. */
  model: string | null;
  prompt: string | null;
  /** The ticket's nonce (single use); null for imports. */
  nonce: string | null;
  points: AttentionPointRecord[];
  durationMs: number | null;
}

export interface AnnotationRecord extends NewAnnotation {
  id: string;
  createdAt: Date;
}

/** What a bulk import did: annotations written, and those skipped because their key was stored already. */
export interface ImportCounts {
  imagesAdded: number;
  added: number;
  skipped: number;
}

/** What is computed about one heatmap on request and stored once per (heatmap, kind, options). */
export type HeatmapResultKind = 'caption' | 'faithfulness';

export interface HeatmapResultKey {
  explanationId: string;
  /** The heatmap's position in its explanation, from 0. */
  position: number;
  kind: HeatmapResultKind;
  /** Hash of the canonical options the result was computed with (see storage/result-key.ts). */
  optionsKey: string;
}

export interface HeatmapResultRecord extends HeatmapResultKey {
  /** The JSON object the API returns. */
  value: unknown;
  computeMs: number;
  createdAt: Date;
}

/** A stored explanation's heatmaps: their number and the largest raw grid (width × height cells) of any. */
export interface HeatmapExtent {
  count: number;
  rawCells: number;
}

export interface Storage {
  /** 'sqlite' | 'postgresql' */
  readonly provider: string;
  /** Insert or update the model row (called for each model the server serves, at start-up). */
  upsertModel(model: StoredModel): Promise<void>;
  /** Store an image once per sha256; returns the existing record when already stored. */
  putImage(image: Omit<ImageRecord, 'createdAt'>, bytes: Uint8Array): Promise<ImageRecord>;
  getImage(id: string): Promise<ImageRecord | null>;
  getImageBytes(id: string): Promise<Uint8Array | null>;
  /**
   * Write an explanation with its heatmaps in one transaction. When an explanation with the same
   * requestKey exists, nothing is written and that one is returned.
   */
  saveExplanation(e: NewExplanation): Promise<ExplanationRecord>;
  getExplanation(id: string): Promise<ExplanationRecord | null>;
  /**
   * How many heatmaps the explanation has and the largest raw grid among them (zeros for an unknown
   * id): what the query-cost estimate prices `explanation(id) { heatmaps { raw … } }` by, exactly.
   */
  heatmapExtent(explanationId: string): Promise<HeatmapExtent>;
  findExplanationByKey(requestKey: string): Promise<ExplanationRecord | null>;
  /**
   * Newest first (createdAt desc, id desc as tie-break), filtered by image and/or model;
   * `after` is an endCursor of an earlier page (StorageError BAD_CURSOR when malformed).
   */
  listExplanations(filter: { imageId?: string; modelId?: string }, first: number, after?: string | null): Promise<Page<ExplanationRecord>>;
  /** The cursor of one explanation, as `listExplanations` takes it in `after`. */
  cursorOf(e: ExplanationRecord): string;
  /** A stored caption or faithfulness report of one heatmap; null when none is stored. */
  getHeatmapResult(key: HeatmapResultKey): Promise<HeatmapResultRecord | null>;
  /**
   * Store a heatmap's computed result. When one with the same key is stored (a concurrent request
   * computed it too), nothing is written and the stored one is returned. StorageError NOT_FOUND when
   * the heatmap is not stored.
   */
  saveHeatmapResult(result: Omit<HeatmapResultRecord, 'createdAt'>): Promise<HeatmapResultRecord>;
  /** Record the start of a leaderboard run. */
  createEvalRun(run: NewEvalRun): Promise<EvalRunRecord>;
  /** Record its end: wall time and counters. StorageError NOT_FOUND for an unknown id. */
  finishEvalRun(id: string, result: { wallMs: number; stats: Record<string, unknown> }): Promise<EvalRunRecord>;
  getEvalRun(id: string): Promise<EvalRunRecord | null>;
  /** The newest finished run of a data set, else its newest unfinished one; null when there is none. */
  latestEvalRun(dataset: string): Promise<EvalRunRecord | null>;
  /**
   * Store scores under `runId`, replacing any stored score with the same key (protocol, image, entry,
   * metric): the whole batch is one transaction, so a unit of work is stored completely or not at all.
   */
  saveEvalScores(runId: string, scores: readonly NewEvalScore[]): Promise<void>;
  /** Stored scores of a protocol, optionally of one metric only, in no particular order. */
  listEvalScores(filter: { protocol: string; metric?: string }): Promise<EvalScoreRecord[]>;
  /**
   * Store one annotation. StorageError REPLAYED when an annotation with its nonce is stored, DUPLICATE
   * when one with its (image, annotator, task, class) is, NOT_FOUND when the image is not stored: all
   * three decided by the database's constraints, so two concurrent submissions cannot both pass.
   */
  addAnnotation(a: NewAnnotation): Promise<AnnotationRecord>;
  /**
   * Bulk import in one transaction: the images not stored yet, then the annotations whose (image,
   * annotator, task, class) is not stored yet (the others are skipped and counted). All or nothing.
   */
  addAnnotations(annotations: readonly NewAnnotation[], images?: readonly { image: Omit<ImageRecord, 'createdAt'>; bytes: Uint8Array }[]): Promise<ImportCounts>;
  /** Oldest first (createdAt, then id), optionally of one source, at most `limit` (default all). */
  listAnnotations(imageId: string, options?: { source?: AnnotationSource; limit?: number }): Promise<AnnotationRecord[]>;
  /** A page of an image's annotations, oldest first; `after` is a previous page's endCursor (BAD_CURSOR when malformed). */
  pageAnnotations(imageId: string, source: AnnotationSource | undefined, first: number, after?: string | null): Promise<Page<AnnotationRecord>>;
  /** The cursor of an annotation in `pageAnnotations`. */
  annotationCursor(a: AnnotationRecord): string;
  /** How many annotations of a source an image has. */
  countAnnotations(imageId: string, source: AnnotationSource): Promise<number>;
  /**
   * Annotations of every image (or one), oldest first (createdAt, then id), `first` at a time after the
   * annotation `after` (an id from the previous page), for exports.
   */
  annotationsPage(filter: { source?: AnnotationSource; imageId?: string }, first: number, after?: string): Promise<AnnotationRecord[]>;
  /** Health check: a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
