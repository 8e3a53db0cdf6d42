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
  /** relu(cam) at the layer's resolution, row-major, height × width. */
  width: number;
  height: number;
  raw: Float32Array;
}

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
  heatmaps: HeatmapRecord[];
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

export class StorageError extends Error {
  constructor(readonly code: 'BAD_CURSOR' | 'NOT_FOUND' | 'DATABASE', message: string) {
    super(message);
    this.name = 'StorageError';
  }
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
  findExplanationByKey(requestKey: string): Promise<ExplanationRecord | null>;
  /**
   * Newest first (createdAt desc, id desc as tie-break), filtered by image and/or model;
   * `after` is an endCursor of an earlier page (StorageError BAD_CURSOR when malformed).
   */
  listExplanations(filter: { imageId?: string; modelId?: string }, first: number, after?: string | null): Promise<Page<ExplanationRecord>>;
  /** The cursor of one explanation, as `listExplanations` takes it in `after`. */
  cursorOf(e: ExplanationRecord): string;
  /** Health check: a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
