// `Storage` on a Prisma 7 client: atomic writes deduplicated also under races, bit-exact heatmaps, keyset pagination.
import type { Prisma, PrismaClient } from '../generated/sqlite/client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Provider } from './database-url.js';
import { annotationData, annotationKey, checkNewAnnotation, toAnnotation, violatedUnique } from './annotation-rows.js';
import { channelAbsSum } from '@saliency-explainer/core';
import { bytesToFloat32, decodeScaledHalf, encodeScaledHalf, exactBytes, float32ToBytes } from './raw-map.js';
import {
  StorageError,
  type AnnotationRecord, type AnnotationSource, type ImportCounts, type NewAnnotation,
  type EvalEntry, type EvalKind, type EvalRunRecord, type EvalScoreRecord, type ExplanationRecord, type HeatmapRecord,
  type ImageRecord, type NewEvalRun, type NewEvalScore, type NewExplanation, type Page, type PredictionRecord,
  type Storage, type StoredModel, type HeatmapExtent, type HeatmapResultKey, type HeatmapResultKind, type HeatmapResultRecord,
} from './types.js';

/** The client shape this class relies on; the PostgreSQL client is used through the same type. */
export type StorageClient = PrismaClient;

const withHeatmaps = { heatmaps: { orderBy: { position: 'asc' } } } as const satisfies Prisma.ExplanationInclude;
type ExplanationRow = Prisma.ExplanationGetPayload<{ include: typeof withHeatmaps }>;
const imageColumns = { id: true, width: true, height: true, format: true, byteLength: true, createdAt: true } as const satisfies Prisma.ImageSelect;

function prismaCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

function isPrismaError(e: unknown): boolean {
  return e instanceof Error && (/^PrismaClient/.test(e.name) || prismaCode(e) !== undefined);
}

function databaseError(action: string, e: unknown): StorageError {
  const error = new StorageError('DATABASE', `${action}: ${e instanceof Error ? e.message.trim() : String(e)}`);
  error.cause = e;
  return error;
}

function corrupt(what: string): StorageError {
  return new StorageError('DATABASE', `corrupt row: ${what}`);
}

function checkFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

/** Int columns are 32-bit on PostgreSQL; SQLite would take more, so refuse it on both. */
function checkInt32(value: number, what: string, min = -(2 ** 31)): void {
  if (!Number.isInteger(value) || value < min || value >= 2 ** 31) throw new RangeError(`${what} must be an integer in [${min}, 2^31), got ${value}`);
}

function checkNewExplanation(e: NewExplanation): void {
  checkFinite(e.computeMs, 'computeMs');
  checkInt32(e.model.inputWidth, 'model.inputWidth');
  checkInt32(e.model.inputHeight, 'model.inputHeight');
  checkInt32(e.model.numClasses, 'model.numClasses');
  e.predictions.forEach((p, i) => checkFinite(p.score, `predictions[${i}].score`));
  e.heatmaps.forEach((h, i) => {
    checkFinite(h.score, `heatmaps[${i}].score`);
    checkInt32(h.classIndex, `heatmaps[${i}].classIndex`);
    checkInt32(h.width, `heatmaps[${i}].width`, 0);
    checkInt32(h.height, `heatmaps[${i}].height`, 0);
    if (h.raw.length !== h.width * h.height) {
      throw new RangeError(`heatmaps[${i}]: raw has ${h.raw.length} values, expected width × height = ${h.width * h.height}`);
    }
    if (h.attribution) {
      checkInt32(h.attribution.channels, `heatmaps[${i}].attribution.channels`, 1);
      if (h.attribution.values.length !== h.attribution.channels * h.width * h.height) {
        throw new RangeError(`heatmaps[${i}]: the attribution has ${h.attribution.values.length} values, expected channels × width × height = ${h.attribution.channels * h.width * h.height}`);
      }
    }
    if (h.convergenceDelta != null) checkFinite(h.convergenceDelta, `heatmaps[${i}].convergenceDelta`);
    if (h.box != null) checkInt32(h.box, `heatmaps[${i}].box`, 0);
  });
  e.detections?.forEach((d, i) => {
    checkFinite(d.score, `detections[${i}].score`);
    d.box.forEach((v, k) => checkFinite(v, `detections[${i}].box[${k}]`));
  });
}

/** How a heatmap is stored: CAMs as float32 raw maps, pixel attributions as their signed [C, H, W] in scaled float16. */
function heatmapColumns(h: HeatmapRecord) {
  if (!h.attribution) return { raw: float32ToBytes(h.raw), encoding: 'f32', channels: 1, scale: null, convergenceDelta: h.convergenceDelta ?? null };
  const { bytes, scale } = encodeScaledHalf(h.attribution.values);
  return { raw: bytes, encoding: 'f16s', channels: h.attribution.channels, scale, convergenceDelta: h.convergenceDelta ?? null };
}

/** A heatmap as read back from its columns: a pixel attribution's values decoded and its raw map their channel sum. */
function heatmapRecord(h: Pick<HeatmapRecord, 'method' | 'classIndex' | 'label' | 'score' | 'width' | 'height'> & { box?: number | null },
  stored: { raw: Uint8Array; encoding: string; channels: number; scale: number | null; convergenceDelta: number | null }, where: string): HeatmapRecord {
  const base = { method: h.method, classIndex: h.classIndex, label: h.label, score: h.score, width: h.width, height: h.height, ...(h.box == null ? {} : { box: h.box }) };
  const delta = stored.convergenceDelta === null ? {} : { convergenceDelta: stored.convergenceDelta };
  if (stored.encoding === 'f32') {
    const raw = bytesToFloat32(stored.raw, h.width * h.height);
    if (!raw) throw corrupt(`${where} holds ${stored.raw.byteLength} bytes for ${h.width}×${h.height} floats`);
    return { ...base, raw, ...delta };
  }
  if (stored.encoding !== 'f16s' || stored.scale === null) throw corrupt(`${where} has encoding ${JSON.stringify(stored.encoding)} (scale ${stored.scale})`);
  const values = decodeScaledHalf(stored.raw, stored.channels * h.width * h.height, stored.scale);
  if (!values) throw corrupt(`${where} holds ${stored.raw.byteLength} bytes for ${stored.channels}×${h.height}×${h.width} float16 values`);
  const raw = channelAbsSum({ channels: stored.channels, width: h.width, height: h.height, values }).values;
  return { ...base, raw, attribution: { channels: stored.channels, values }, ...delta };
}

/** The record's attributionOptions field: absent when the explanation has none (CAM-only records look as before). */
function toAttributionOptions(json: unknown): Pick<ExplanationRecord, 'attributionOptions'> {
  if (json === null || json === undefined) return {};
  if (!isRecord(json) || !Object.values(json).every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw corrupt('Explanation.attributionOptions is not an object of strings and numbers');
  }
  return { attributionOptions: json as Record<string, string | number> };
}

function toMethods(json: unknown): string[] {
  if (!Array.isArray(json) || !json.every((m) => typeof m === 'string')) throw corrupt('Explanation.methods is not a list of strings');
  return json;
}

function toPredictions(json: unknown): PredictionRecord[] {
  if (!Array.isArray(json)) throw corrupt('Explanation.predictions is not a list');
  return json.map((p: unknown) => {
    const { classIndex, label, score } = (p ?? {}) as Record<string, unknown>;
    if (typeof classIndex !== 'number' || typeof label !== 'string' || typeof score !== 'number') {
      throw corrupt('Explanation.predictions holds an entry that is not { classIndex, label, score }');
    }
    return { classIndex, label, score };
  });
}

/** The record's detections field: absent for classifiers (their records look as before). */
function toDetections(json: unknown): Pick<ExplanationRecord, 'detections'> {
  if (json === null || json === undefined) return {};
  if (!Array.isArray(json)) throw corrupt('Explanation.detections is not a list');
  return {
    detections: json.map((d: unknown) => {
      const { classIndex, label, score, box } = (d ?? {}) as Record<string, unknown>;
      if (typeof classIndex !== 'number' || typeof label !== 'string' || typeof score !== 'number'
        || !Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number')) {
        throw corrupt('Explanation.detections holds an entry that is not { classIndex, label, score, box: [4 numbers] }');
      }
      return { classIndex, label, score, box: box as [number, number, number, number] };
    }),
  };
}

function toRecord(row: ExplanationRow): ExplanationRecord {
  return {
    id: row.id,
    requestKey: row.requestKey,
    imageId: row.imageId,
    modelId: row.modelId,
    layer: row.layer,
    target: row.target,
    methods: toMethods(row.methods),
    predictions: toPredictions(row.predictions),
    ...toAttributionOptions(row.attributionOptions),
    ...toDetections(row.detections),
    computeMs: row.computeMs,
    createdAt: row.createdAt,
    heatmaps: row.heatmaps.map((h): HeatmapRecord => heatmapRecord(h, h, `Heatmap ${row.id}/${h.position}`)),
  };
}

const EVAL_KINDS: readonly EvalKind[] = ['model', 'ceiling', 'baseline'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toEvalKind(v: unknown, what: string): EvalKind {
  if (!EVAL_KINDS.includes(v as EvalKind)) throw corrupt(`${what} has kind ${JSON.stringify(v)}`);
  return v as EvalKind;
}

function toEntries(json: unknown, id: string): EvalEntry[] {
  if (!Array.isArray(json)) throw corrupt(`EvalRun ${id}.entries is not a list`);
  return json.map((e: unknown) => {
    if (!isRecord(e) || !['model', 'layer', 'method', 'target'].every((k) => typeof e[k] === 'string')) {
      throw corrupt(`EvalRun ${id}.entries holds an entry that is not { kind, model, layer, method, target }`);
    }
    return { kind: toEvalKind(e.kind, `EvalRun ${id}.entries`), model: e.model as string, layer: e.layer as string, method: e.method as string, target: e.target as string };
  });
}

type EvalRunRow = { id: string; dataset: string; protocol: string; params: unknown; images: unknown; entries: unknown; startedAt: Date; finishedAt: Date | null; wallMs: number | null; stats: unknown };

function toEvalRun(row: EvalRunRow): EvalRunRecord {
  if (!isRecord(row.params)) throw corrupt(`EvalRun ${row.id}.params is not an object`);
  if (!Array.isArray(row.images) || !row.images.every((i) => typeof i === 'string')) throw corrupt(`EvalRun ${row.id}.images is not a list of names`);
  if (row.stats !== null && !isRecord(row.stats)) throw corrupt(`EvalRun ${row.id}.stats is not an object`);
  return {
    id: row.id, dataset: row.dataset, protocol: row.protocol, params: row.params, images: row.images as string[],
    entries: toEntries(row.entries, row.id), startedAt: row.startedAt, finishedAt: row.finishedAt, wallMs: row.wallMs,
    stats: row.stats as Record<string, unknown> | null,
  };
}

function checkEvalScore(s: NewEvalScore, i: number): void {
  if (!EVAL_KINDS.includes(s.kind)) throw new TypeError(`scores[${i}].kind must be one of ${EVAL_KINDS.join(', ')}, not ${JSON.stringify(s.kind)}`);
  for (const k of ['protocol', 'dataset', 'image', 'model', 'layer', 'method', 'target', 'metric'] as const) {
    if (typeof s[k] !== 'string') throw new TypeError(`scores[${i}].${k} must be a string`);
  }
  if (s.value !== null) checkFinite(s.value, `scores[${i}].value`);
  if (s.classIndex !== null) checkInt32(s.classIndex, `scores[${i}].classIndex`, 0);
}

function modelData(model: StoredModel) {
  return { task: model.task, inputWidth: model.inputWidth, inputHeight: model.inputHeight, numClasses: model.numClasses };
}

function toHeatmapResult(row: { explanationId: string; position: number; kind: string; optionsKey: string; value: unknown; computeMs: number; createdAt: Date }): HeatmapResultRecord {
  return { ...row, kind: row.kind as HeatmapResultKind };
}

export class PrismaStorage implements Storage {
  /** Models whose row this process has written (the row must exist before its explanations). */
  private readonly knownModels = new Set<string>();

  constructor(
    readonly client: StorageClient,
    readonly provider: Provider,
  ) {}

  /** Runs `fn`, turning Prisma's errors into StorageError DATABASE (ours and validation errors pass through). */
  private async guard<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw isPrismaError(e) ? databaseError(action, e) : e;
    }
  }

  async upsertModel(model: StoredModel): Promise<void> {
    checkInt32(model.inputWidth, 'inputWidth');
    checkInt32(model.inputHeight, 'inputHeight');
    checkInt32(model.numClasses, 'numClasses');
    return this.guard(`storing model ${model.id}`, async () => {
      await this.client.model.upsert({ where: { id: model.id }, create: { id: model.id, ...modelData(model) }, update: modelData(model) });
    });
  }

  async putImage(image: Omit<ImageRecord, 'createdAt'>, bytes: Uint8Array): Promise<ImageRecord> {
    checkInt32(image.width, 'width', 0);
    checkInt32(image.height, 'height', 0);
    checkInt32(image.byteLength, 'byteLength', 0);
    return this.guard(`storing image ${image.id}`, async () => {
      const existing = await this.getImage(image.id);
      if (existing) return existing;
      const { id, width, height, format, byteLength } = image;
      try {
        return await this.client.image.create({ data: { id, width, height, format, byteLength, bytes: exactBytes(bytes) }, select: imageColumns });
      } catch (e) {
        // another writer stored the same bytes between our read and our insert
        const raced = prismaCode(e) === 'P2002' ? await this.getImage(image.id) : null;
        if (raced) return raced;
        throw e;
      }
    });
  }

  getImage(id: string): Promise<ImageRecord | null> {
    return this.guard(`reading image ${id}`, () => this.client.image.findUnique({ where: { id }, select: imageColumns }));
  }

  getImageBytes(id: string): Promise<Uint8Array | null> {
    return this.guard(`reading image ${id}`, async () => {
      const row = await this.client.image.findUnique({ where: { id }, select: { bytes: true } });
      return row ? exactBytes(row.bytes) : null;
    });
  }

  getHeatmapResult(key: HeatmapResultKey): Promise<HeatmapResultRecord | null> {
    return this.guard(`reading the ${key.kind} of heatmap ${key.explanationId}/${key.position}`, async () => {
      const row = await this.client.heatmapResult.findUnique({ where: { explanationId_position_kind_optionsKey: key } });
      return row && toHeatmapResult(row);
    });
  }

  async saveHeatmapResult(r: Omit<HeatmapResultRecord, 'createdAt'>): Promise<HeatmapResultRecord> {
    checkInt32(r.position, 'position', 0);
    checkFinite(r.computeMs, 'computeMs');
    const { explanationId, position, kind, optionsKey } = r;
    return this.guard(`storing the ${kind} of heatmap ${explanationId}/${position}`, async () => {
      try {
        const row = await this.client.heatmapResult.create({
          data: { explanationId, position, kind, optionsKey, value: r.value as Prisma.InputJsonValue, computeMs: r.computeMs },
        });
        return toHeatmapResult(row);
      } catch (e) {
        const code = prismaCode(e);
        if (code === 'P2002') {
          // computed concurrently by another request: the first one stored is the answer
          const raced = await this.getHeatmapResult({ explanationId, position, kind, optionsKey });
          if (raced) return raced;
        }
        if (code === 'P2003') throw new StorageError('NOT_FOUND', `heatmap ${explanationId}/${position} is not stored`);
        throw e;
      }
    });
  }

  async saveExplanation(e: NewExplanation): Promise<ExplanationRecord> {
    checkNewExplanation(e);
    const columns = e.heatmaps.map(heatmapColumns);
    const insert = (client: Pick<StorageClient, 'explanation'>) => client.explanation.create({
      data: {
        requestKey: e.requestKey,
        imageId: e.imageId,
        modelId: e.model.id,
        layer: e.layer,
        target: e.target,
        methods: [...e.methods],
        predictions: e.predictions.map((p) => ({ classIndex: p.classIndex, label: p.label, score: p.score })),
        ...(e.attributionOptions ? { attributionOptions: { ...e.attributionOptions } } : {}),
        ...(e.detections ? { detections: e.detections.map((d) => ({ classIndex: d.classIndex, label: d.label, score: d.score, box: [...d.box] })) } : {}),
        computeMs: e.computeMs,
        heatmaps: {
          createMany: {
            data: columns.map((c, position) => {
              const h = e.heatmaps[position];
              return { position, method: h.method, classIndex: h.classIndex, label: h.label, score: h.score, width: h.width, height: h.height, ...(h.box == null ? {} : { box: h.box }), ...c };
            }),
          },
        },
      },
    });
    return this.guard(`storing explanation ${e.requestKey}`, async () => {
      try {
        // the first explanation of a model in this process also writes the model row, in the same
        // transaction; later ones are one nested write, which Prisma runs as one transaction and whose
        // first statement is the INSERT (on SQLite it takes the write lock at once: a read first could
        // not be upgraded under contention)
        const known = this.knownModels.has(e.model.id);
        const row = known
          ? await insert(this.client)
          : await this.client.$transaction(async (tx) => {
              await tx.model.upsert({ where: { id: e.model.id }, create: { id: e.model.id, ...modelData(e.model) }, update: modelData(e.model) });
              return insert(tx);
            });
        this.knownModels.add(e.model.id);
        // what a later read gives: pixel attributions as decoded from their float16 bytes
        const { attributionOptions, detections, ...rest } = row;
        return {
          ...rest, methods: [...e.methods], predictions: toPredictions(row.predictions), ...toAttributionOptions(attributionOptions), ...toDetections(detections),
          heatmaps: e.heatmaps.map((h, i) => (h.attribution ? heatmapRecord(h, columns[i], `heatmaps[${i}]`) : { ...h, raw: h.raw.slice() })),
        };
      } catch (err) {
        const code = prismaCode(err);
        if (code === 'P2002') {
          // the same request was saved concurrently: the first writer's explanation is the answer
          const raced = await this.findExplanationByKey(e.requestKey);
          if (raced) return raced;
        }
        if (code === 'P2003' && !(await this.getImage(e.imageId))) {
          throw new StorageError('NOT_FOUND', `image ${e.imageId} is not stored`);
        }
        throw err;
      }
    });
  }

  heatmapExtent(explanationId: string): Promise<HeatmapExtent> {
    return this.guard(`measuring the heatmaps of explanation ${explanationId}`, async () => {
      const rows = await this.client.heatmap.groupBy({ by: ['width', 'height'], where: { explanationId }, _count: { _all: true } });
      return {
        count: rows.reduce((n, r) => n + r._count._all, 0),
        rawCells: rows.reduce((m, r) => Math.max(m, r.width * r.height), 0),
      };
    });
  }

  getExplanation(id: string): Promise<ExplanationRecord | null> {
    return this.guard(`reading explanation ${id}`, async () => {
      const row = await this.client.explanation.findUnique({ where: { id }, include: withHeatmaps });
      return row ? toRecord(row) : null;
    });
  }

  findExplanationByKey(requestKey: string): Promise<ExplanationRecord | null> {
    return this.guard(`reading explanation ${requestKey}`, async () => {
      const row = await this.client.explanation.findUnique({ where: { requestKey }, include: withHeatmaps });
      return row ? toRecord(row) : null;
    });
  }

  async listExplanations(filter: { imageId?: string; modelId?: string }, first: number, after?: string | null): Promise<Page<ExplanationRecord>> {
    if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
    const cursor = after != null ? decodeCursor(after) : null;
    return this.guard('listing explanations', async () => {
      const where: Prisma.ExplanationWhereInput = {};
      if (filter.imageId !== undefined) where.imageId = filter.imageId;
      if (filter.modelId !== undefined) where.modelId = filter.modelId;
      const page: Prisma.ExplanationWhereInput = cursor
        ? { AND: [where, { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }] }
        : where;
      const [rows, totalCount] = await this.client.$transaction([
        this.client.explanation.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first + 1, include: withHeatmaps }),
        this.client.explanation.count({ where }),
      ]);
      const items = rows.slice(0, first).map(toRecord);
      const last = items.at(-1);
      return { items, endCursor: last ? encodeCursor(last) : null, hasNextPage: rows.length > first, totalCount };
    });
  }

  cursorOf(e: ExplanationRecord): string {
    return encodeCursor(e);
  }

  async createEvalRun(run: NewEvalRun): Promise<EvalRunRecord> {
    return this.guard(`storing an eval run of ${run.dataset}`, async () => {
      const row = await this.client.evalRun.create({
        data: {
          dataset: run.dataset, protocol: run.protocol, params: run.params as Prisma.InputJsonObject, images: [...run.images],
          entries: run.entries.map((e) => ({ kind: e.kind, model: e.model, layer: e.layer, method: e.method, target: e.target })),
        },
      });
      return toEvalRun(row);
    });
  }

  async finishEvalRun(id: string, result: { wallMs: number; stats: Record<string, unknown> }): Promise<EvalRunRecord> {
    checkFinite(result.wallMs, 'wallMs');
    return this.guard(`finishing eval run ${id}`, async () => {
      try {
        const row = await this.client.evalRun.update({
          where: { id }, data: { finishedAt: new Date(), wallMs: result.wallMs, stats: result.stats as Prisma.InputJsonObject },
        });
        return toEvalRun(row);
      } catch (e) {
        if (prismaCode(e) === 'P2025') throw new StorageError('NOT_FOUND', `no eval run ${id}`);
        throw e;
      }
    });
  }

  getEvalRun(id: string): Promise<EvalRunRecord | null> {
    return this.guard(`reading eval run ${id}`, async () => {
      const row = await this.client.evalRun.findUnique({ where: { id } });
      return row ? toEvalRun(row) : null;
    });
  }

  latestEvalRun(dataset: string): Promise<EvalRunRecord | null> {
    return this.guard(`reading the eval runs of ${dataset}`, async () => {
      const newest = [{ startedAt: 'desc' }, { id: 'desc' }] as const satisfies Prisma.EvalRunOrderByWithRelationInput[];
      const row = (await this.client.evalRun.findFirst({ where: { dataset, finishedAt: { not: null } }, orderBy: [...newest] }))
        ?? (await this.client.evalRun.findFirst({ where: { dataset }, orderBy: [...newest] }));
      return row ? toEvalRun(row) : null;
    });
  }

  async saveEvalScores(runId: string, scores: readonly NewEvalScore[]): Promise<void> {
    scores.forEach(checkEvalScore);
    if (scores.length === 0) return;
    // the stored scores of the same keys are replaced: one deleteMany per (protocol, image, entry) with
    // the metrics of this batch, then one insert, all in one transaction
    const units = new Map<string, { where: Prisma.EvalScoreWhereInput; metrics: Set<string> }>();
    for (const s of scores) {
      const key = JSON.stringify([s.protocol, s.image, s.kind, s.model, s.layer, s.method, s.target]);
      let unit = units.get(key);
      if (!unit) {
        unit = { where: { protocol: s.protocol, image: s.image, kind: s.kind, model: s.model, layer: s.layer, method: s.method, target: s.target }, metrics: new Set() };
        units.set(key, unit);
      }
      if (unit.metrics.has(s.metric)) throw new RangeError(`scores hold ${s.metric} of ${key} twice`);
      unit.metrics.add(s.metric);
    }
    return this.guard(`storing ${scores.length} eval scores`, async () => {
      const data = scores.map((s) => ({
        protocol: s.protocol, dataset: s.dataset, image: s.image, kind: s.kind, model: s.model, layer: s.layer,
        method: s.method, target: s.target, metric: s.metric, value: s.value, classIndex: s.classIndex, runId,
      }));
      for (let attempt = 1; ; attempt++) {
        try {
          await this.client.$transaction([
            ...[...units.values()].map((u) => this.client.evalScore.deleteMany({ where: { ...u.where, metric: { in: [...u.metrics] } } })),
            this.client.evalScore.createMany({ data }),
          ]);
          return;
        } catch (e) {
          const code = prismaCode(e);
          if (code === 'P2003' && !(await this.getEvalRun(runId))) throw new StorageError('NOT_FOUND', `no eval run ${runId}`);
          // another run stored the same keys between our delete and our insert (PostgreSQL, concurrent
          // runs): replacing again makes ours the stored version
          if (code === 'P2002' && attempt < 3) continue;
          throw e;
        }
      }
    });
  }

  listEvalScores(filter: { protocol: string; metric?: string }): Promise<EvalScoreRecord[]> {
    return this.guard(`reading the eval scores of protocol ${filter.protocol}`, async () => {
      const where: Prisma.EvalScoreWhereInput = { protocol: filter.protocol };
      if (filter.metric !== undefined) where.metric = filter.metric;
      const rows = await this.client.evalScore.findMany({ where, omit: { createdAt: true } });
      return rows.map((r) => ({ ...r, kind: toEvalKind(r.kind, `EvalScore ${r.protocol}/${r.image}`) }));
    });
  }

  async addAnnotation(a: NewAnnotation): Promise<AnnotationRecord> {
    checkNewAnnotation(a);
    return this.guard(`storing an annotation of image ${a.imageId}`, async () => {
      try {
        // one INSERT: the unique indexes (nonce; image, annotator, task, class) decide, also under races
        return toAnnotation(await this.client.annotation.create({ data: annotationData(a) }));
      } catch (e) {
        const code = prismaCode(e);
        if (code === 'P2002') {
          // the replay of a ticket collides on both indexes; which one the database reports first is
          // its choice, so a nonce that is stored (rows are never deleted) makes it a replay
          const fields = violatedUnique(e);
          const replayed = fields.some((f) => /nonce/i.test(f))
            || (a.nonce !== null && (await this.client.annotation.count({ where: { nonce: a.nonce } })) > 0);
          if (replayed) throw new StorageError('REPLAYED', 'an annotation was already submitted with this ticket');
          throw new StorageError('DUPLICATE', `annotator ${a.annotator} already annotated image ${a.imageId} for this task${a.classIndex === null ? '' : ` and class ${a.classIndex}`}`);
        }
        if (code === 'P2003' && !(await this.getImage(a.imageId))) throw new StorageError('NOT_FOUND', `image ${a.imageId} is not stored`);
        throw e;
      }
    });
  }

  async addAnnotations(annotations: readonly NewAnnotation[], images: readonly { image: Omit<ImageRecord, 'createdAt'>; bytes: Uint8Array }[] = []): Promise<ImportCounts> {
    annotations.forEach((a, i) => checkNewAnnotation(a, `annotations[${i}]`));
    images.forEach(({ image }, i) => {
      checkInt32(image.width, `images[${i}].width`, 0);
      checkInt32(image.height, `images[${i}].height`, 0);
      checkInt32(image.byteLength, `images[${i}].byteLength`, 0);
    });
    // the same key twice in one import is the caller's mistake, not something to skip silently
    const keys = new Set<string>();
    for (const a of annotations) {
      const key = annotationKey(a);
      if (keys.has(key)) throw new RangeError(`the import holds the annotation ${key} twice`);
      keys.add(key);
    }
    const imageIds = [...new Set(annotations.map((a) => a.imageId))];
    return this.guard(`importing ${annotations.length} annotations`, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.client.$transaction(async (tx) => {
            const storedImages = new Set((await tx.image.findMany({ where: { id: { in: images.map((i) => i.image.id) } }, select: { id: true } })).map((r) => r.id));
            const newImages = [...new Map(images.filter((i) => !storedImages.has(i.image.id)).map((i) => [i.image.id, i])).values()];
            if (newImages.length > 0) {
              await tx.image.createMany({
                data: newImages.map(({ image, bytes }) => ({ id: image.id, width: image.width, height: image.height, format: image.format, byteLength: image.byteLength, bytes: exactBytes(bytes) })),
              });
            }
            const stored = new Set((await tx.annotation.findMany({
              where: { imageId: { in: imageIds }, annotator: { in: [...new Set(annotations.map((a) => a.annotator))] } },
              select: { imageId: true, annotator: true, task: true, classIndex: true },
            })).map((r) => annotationKey(r)));
            const fresh = annotations.filter((a) => !stored.has(annotationKey(a)));
            if (fresh.length > 0) await tx.annotation.createMany({ data: fresh.map(annotationData) });
            return { imagesAdded: newImages.length, added: fresh.length, skipped: annotations.length - fresh.length };
          }, { timeout: 600_000 });
        } catch (e) {
          const code = prismaCode(e);
          // another import stored some of the same keys (or images) between our read and our insert:
          // the transaction rolled back, so reading again and skipping them converges
          if (code === 'P2002' && attempt < 3) continue;
          if (code === 'P2003') {
            const missing = (await Promise.all(imageIds.map(async (id) => ((await this.getImage(id)) ? null : id)))).filter((id) => id !== null);
            if (missing.length > 0) throw new StorageError('NOT_FOUND', `image ${missing[0]} is not stored`);
          }
          throw e;
        }
      }
    });
  }

  listAnnotations(imageId: string, options: { source?: AnnotationSource; limit?: number } = {}): Promise<AnnotationRecord[]> {
    const { source, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    return this.guard(`reading the annotations of image ${imageId}`, async () => {
      const rows = await this.client.annotation.findMany({
        where: source === undefined ? { imageId } : { imageId, source },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      return rows.map(toAnnotation);
    });
  }

  async pageAnnotations(imageId: string, source: AnnotationSource | undefined, first: number, after?: string | null): Promise<Page<AnnotationRecord>> {
    if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
    const cursor = after != null ? decodeCursor(after) : null;
    return this.guard(`reading the annotations of image ${imageId}`, async () => {
      const where: Prisma.AnnotationWhereInput = source === undefined ? { imageId } : { imageId, source };
      // oldest first: the page after the cursor is what was created later (ties by id)
      const page: Prisma.AnnotationWhereInput = cursor
        ? { AND: [where, { OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }] }] }
        : where;
      const [rows, totalCount] = await this.client.$transaction([
        this.client.annotation.findMany({ where: page, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1 }),
        this.client.annotation.count({ where }),
      ]);
      const items = rows.slice(0, first).map(toAnnotation);
      const last = items.at(-1);
      return { items, endCursor: last ? encodeCursor(last) : null, hasNextPage: rows.length > first, totalCount };
    });
  }

  annotationCursor(a: AnnotationRecord): string {
    return encodeCursor(a);
  }

  countAnnotations(imageId: string, source: AnnotationSource): Promise<number> {
    return this.guard(`counting the annotations of image ${imageId}`, () => this.client.annotation.count({ where: { imageId, source } }));
  }

  annotationsPage(filter: { source?: AnnotationSource; imageId?: string }, first: number, after?: string): Promise<AnnotationRecord[]> {
    if (!Number.isInteger(first) || first < 1) throw new RangeError(`first must be a positive integer, got ${first}`);
    return this.guard('reading annotations', async () => {
      const rows = await this.client.annotation.findMany({
        where: { ...(filter.source ? { source: filter.source } : {}), ...(filter.imageId ? { imageId: filter.imageId } : {}) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: first,
        ...(after ? { cursor: { id: after }, skip: 1 } : {}),
      });
      return rows.map(toAnnotation);
    });
  }

  ping(): Promise<void> {
    return this.guard('ping', async () => {
      await this.client.$queryRawUnsafe('SELECT 1');
    });
  }

  close(): Promise<void> {
    return this.guard('closing the database', () => this.client.$disconnect());
  }
}
