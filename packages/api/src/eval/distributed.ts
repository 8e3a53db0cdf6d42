// `eval --distributed`: the leaderboard's cells as jobs on the PostgreSQL queue (queue/queue.ts), taken
// by `saliency-explainer worker` processes on any machine, followed from the queue by the eval process.
//
// A cell is what the single-process run computes in one go: one image × model × layer with every method
// of it still missing (one explain() call, the same call as in-process, so the same maps), plus one cell
// per image for the human ceiling and the baselines. The planning (what --resume skips) is the runner's,
// unchanged; each cell is an ImageJob narrowed to its part, evaluated by the same ImageEvaluator in a
// worker thread of the worker process, and its scores are written by the worker in one transaction
// that replaces the same keys (EvalScore's primary key is (protocol, image, kind, model, layer, method,
// target, metric)): a retried or duplicated job rewrites its rows, it never adds a second one.
// Interrupted (Ctrl-C), eval cancels the images none of whose cells a worker has taken and waits for the
// others, so that every image is stored whole or not at all, as in-process (queue.ts cancelUnstartedGroups).
import { createHash, randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { EvalProtocol, FaithfulnessProtocol } from './protocol.js';
import type { ColumnKind } from './columns.js';
import { getLeaderboardColumn } from './columns.js';
import { loadDataset, type DatasetId, type EvalDataset } from './dataset.js';
import { EvalPool } from './eval-pool.js';
import type { EvaluatorConfig, ImageJob, ImageTimings } from './evaluator.js';
import type { RunStats } from './report.js';
import { CEILINGS } from './scoring.js';
import { cancelUnstartedGroups, EVAL_QUEUE, ensureQueue, errorText, jobStates, openQueue, reapDeadWorkers, type JobPolicy } from '../queue/queue.js';
import { DEFAULT_STALE_SECONDS, ensureSharedSchema, newPgPool, queueHealth } from '../queue/shared-state.js';
import type { NewEvalScore, Storage } from '../storage/types.js';

/** What every cell of a run shares: the run, its data set and its protocols. */
export interface RunTerms {
  runId: string;
  dataset: DatasetId;
  /** The data set's folder on the machine that planned the run (a worker may map it to its own). */
  dataDir: string;
  protocol: EvalProtocol;
  faithfulness: FaithfulnessProtocol;
  /** The protocol key each column kind's scores are stored under. */
  keys: Record<ColumnKind, string>;
  batchSize: number;
  maxImageBytes: number;
  maxImagePixels: number;
}

/** The data of one job of the `eval-cell` queue. */
export interface EvalCellJob extends RunTerms {
  v: 1;
  /** The image's name, checked against the worker's copy of the data set. */
  image: string;
  /** What the cell is, for progress and errors: "1001.jpg squeezenet1.0 fire9/concat_2 (gradcam, eigencam)". */
  cell: string;
  /** sha256 of each model file the cell runs: a worker with another file refuses the job. */
  models: Record<string, string>;
  job: ImageJob;
  /** (image, row) units the cell computes. */
  units: number;
}

export type EvalCellOutput =
  | { ok: true; rows: number; units: number; engineRuns: number; timings: ImageTimings & { store: number }; worker: string }
  /** The image could not be read: as in-process, its rows stay missing (not retried). */
  | { ok: false; code: string; message: string; worker: string };

/** An image's job split into its cells: one per model × layer (all its methods), one for the ceiling and baselines. */
export function splitCells(file: string, job: ImageJob): { job: ImageJob; units: number; cell: string }[] {
  const out: { job: ImageJob; units: number; cell: string }[] = [];
  for (const m of job.models) {
    for (const l of m.layers) {
      out.push({
        job: { ...job, models: [{ id: m.id, layers: [l] }], ceiling: false, baselines: [] },
        units: l.methods.length,
        cell: `${file} ${m.id} ${l.layer} (${l.methods.map((w) => w.method).join(', ')})`,
      });
    }
  }
  if (job.ceiling || job.baselines.length > 0) {
    out.push({
      job: { ...job, models: [] },
      units: (job.ceiling ? CEILINGS.length : 0) + job.baselines.length,
      cell: `${file} ${[...(job.ceiling ? ['ceiling'] : []), ...job.baselines].join(', ')}`,
    });
  }
  return out;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface DistributedRun extends RunTerms {
  databaseUrl: string;
  models: { id: string; bytes: Uint8Array }[];
  todo: { file: string; units: number; job: ImageJob }[];
  policy: JobPolicy;
  staleSeconds?: number;
  pollMs?: number;
  stats: RunStats;
  /** An image's cells are all finished (stored, unreadable, parked or cancelled). */
  finished(file: string): void;
  signal?: AbortSignal;
  note?(text: string): void;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Enqueues the cells of `todo` and follows them until every one is finished (or the signal aborts). */
export async function evaluateDistributed(run: DistributedRun): Promise<void> {
  const stale = run.staleSeconds ?? DEFAULT_STALE_SECONDS;
  const boss = await openQueue(run.databaseUrl);
  const pool = newPgPool(run.databaseUrl, 2);
  try {
    await ensureQueue(boss, EVAL_QUEUE);
    await ensureSharedSchema(pool);
    const hashes = Object.fromEntries(run.models.map((m) => [m.id, sha256Hex(m.bytes)]));
    const open = new Map<string, { file: string; units: number; cell: string }>();
    const left = new Map<string, number>();
    const inserts: PgBoss.JobInsert<EvalCellJob>[] = [];
    for (const t of run.todo) {
      for (const c of splitCells(t.file, t.job)) {
        const id = randomUUID();
        const models = Object.fromEntries(c.job.models.map((m) => [m.id, hashes[m.id]]));
        inserts.push({
          id, name: EVAL_QUEUE,
          data: {
            v: 1, runId: run.runId, dataset: run.dataset, dataDir: run.dataDir, image: t.file, cell: c.cell, protocol: run.protocol,
            faithfulness: run.faithfulness, keys: run.keys, batchSize: run.batchSize, maxImageBytes: run.maxImageBytes,
            maxImagePixels: run.maxImagePixels, models, job: c.job, units: c.units,
          },
          retryLimit: run.policy.retryLimit, retryDelay: run.policy.retryDelay, retryBackoff: true, expireInSeconds: run.policy.expireInSeconds,
        });
        open.set(id, { file: t.file, units: c.units, cell: c.cell });
        left.set(t.file, (left.get(t.file) ?? 0) + 1);
      }
    }
    for (let i = 0; i < inserts.length; i += 500) await boss.insert(inserts.slice(i, i + 500));
    const health = await queueHealth(pool, stale);
    run.note?.(`eval: ${inserts.length} jobs queued on ${EVAL_QUEUE} (${health.workersSeen} worker${health.workersSeen === 1 ? '' : 's'} seen)${health.workersSeen === 0 ? '; start one with `saliency-explainer worker --database-url …` — the jobs wait in the queue' : ''}`);

    const done = (id: string) => {
      const c = open.get(id)!;
      open.delete(id);
      const n = left.get(c.file)! - 1;
      left.set(c.file, n);
      if (n === 0) run.finished(c.file);
    };
    let interrupted = false;
    while (open.size > 0) {
      if (run.signal?.aborted && !interrupted) {
        // as in-process: the images in flight are finished and stored whole, the others not started.
        // An image none of whose cells a worker has taken is cancelled; one with any cell taken keeps
        // the rest of its cells queued and is followed to its end.
        interrupted = true;
        run.stats.interrupted = true;
        const byImage = new Map<string, string[]>();
        for (const [id, c] of open) byImage.set(c.file, [...(byImage.get(c.file) ?? []), id]);
        const cancelled = await cancelUnstartedGroups(pool, EVAL_QUEUE, [...byImage.values()]);
        for (const id of cancelled) open.delete(id);
        const inFlight = new Set([...open.values()].map((c) => c.file)).size;
        run.note?.(`eval: ${byImage.size - inFlight} image${byImage.size - inFlight === 1 ? '' : 's'} not started cancelled; waiting for the ${inFlight} in flight to be stored whole`);
        continue;
      }
      await reapDeadWorkers(boss, pool, stale);
      for (const s of await jobStates(pool, EVAL_QUEUE, [...open.keys()])) {
        if (!TERMINAL.has(s.state) || !open.has(s.id)) continue;
        const c = open.get(s.id)!;
        if (s.state === 'completed') {
          const out = s.output as EvalCellOutput;
          if (out.ok) {
            run.stats.unitsComputed += c.units;
            run.stats.engineRuns += out.engineRuns;
            for (const [k, v] of Object.entries(out.timings)) run.stats.time[k as keyof RunStats['time']] += v;
          } else if (!run.stats.failedImages.some((f) => f.image === c.file)) {
            run.stats.failedImages.push({ image: c.file, error: out.message });
          }
        } else if (s.state === 'failed') {
          run.stats.failedImages.push({ image: c.file, error: `${c.cell}: ${errorText(s.output)} (job ${s.id} parked after ${s.retryCount} retr${s.retryCount === 1 ? 'y' : 'ies'})` });
        }
        done(s.id);
      }
      if (open.size > 0) await sleep(run.pollMs ?? 500);
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    await pool.end();
  }
}

/** A worker process's side: evaluates cells in eval worker threads and stores their scores. */
export class EvalCellRunner {
  private readonly pools = new Map<string, { pool: EvalPool; busy: number }>();
  private readonly hashes = new Map<string, string>();
  private readonly datasets = new Map<string, EvalDataset>();

  constructor(private readonly options: {
    storage: Storage;
    modelsDir: string;
    /** The folder of a data set on this machine. */
    dataDir(dataset: DatasetId, planned: string): string;
    /** Eval worker threads (jobs evaluated at once). */
    threads: number;
    intraOpThreads: number;
    /** sha256 of a model file here (loadManifestModel's bytes), cached by the caller's choice. */
    modelHash(modelsDir: string, id: string): string;
    worker: string;
  }) {}

  private dataset(id: DatasetId, dir: string): EvalDataset {
    const key = `${id}\u0000${dir}`;
    let d = this.datasets.get(key);
    if (!d) {
      d = loadDataset(id, dir);
      this.datasets.set(key, d);
    }
    return d;
  }

  async run(data: EvalCellJob): Promise<EvalCellOutput> {
    if (data.v !== 1) throw new Error(`job version ${String(data.v)} is not one this worker knows (1); update the worker`);
    const dataDir = this.options.dataDir(data.dataset, data.dataDir);
    const item = this.dataset(data.dataset, dataDir).images[data.job.imageIndex];
    if (item?.file !== data.image) {
      throw new Error(`image ${data.job.imageIndex} of ${dataDir} is ${item?.file ?? 'missing'}, the job expects ${data.image}: this worker's copy of ${data.dataset} differs from the one eval planned with`);
    }
    for (const [id, hash] of Object.entries(data.models)) {
      const here = this.options.modelHash(this.options.modelsDir, id);
      if (here !== hash) throw new Error(`model ${id} under ${this.options.modelsDir} is not the file eval planned with (sha256 ${here.slice(0, 12)}… here, ${hash.slice(0, 12)}… there)`);
    }
    const config: EvaluatorConfig = {
      dataset: data.dataset, dataDir, protocol: data.protocol, faithfulness: data.faithfulness, modelsDir: this.options.modelsDir,
      batchSize: data.batchSize, intraOpThreads: this.options.intraOpThreads, maxImageBytes: data.maxImageBytes, maxImagePixels: data.maxImagePixels,
    };
    const key = JSON.stringify(config);
    let slot = this.pools.get(key);
    if (!slot) {
      slot = { pool: new EvalPool(this.options.threads, config), busy: 0 };
      this.pools.set(key, slot);
    }
    // pools of other settings that nothing runs on any more are closed
    for (const [k, s] of this.pools) {
      if (k !== key && s.busy === 0) {
        this.pools.delete(k);
        void s.pool.close();
      }
    }
    slot.busy++;
    let out;
    try {
      out = await slot.pool.evaluate(data.job);
    } catch (e) {
      // a thread that died is not replaced by EvalPool: start a fresh pool for the next job
      if (/^eval worker /.test((e as Error).message) && this.pools.get(key) === slot) {
        this.pools.delete(key);
        void slot.pool.close();
      }
      throw e;
    } finally {
      slot.busy--;
    }
    if (!out.ok) return { ok: false, code: out.code, message: out.message, worker: this.options.worker };
    const rows: NewEvalScore[] = out.rows.map((r) => ({ ...r, protocol: data.keys[getLeaderboardColumn(r.metric).kind], dataset: data.dataset, image: data.image }));
    const t = performance.now();
    await this.options.storage.saveEvalScores(data.runId, rows);
    const timings = { ...out.timings, store: performance.now() - t };
    return { ok: true, rows: rows.length, units: data.units, engineRuns: out.engineRuns, timings, worker: this.options.worker };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((s) => s.pool.close()));
    this.pools.clear();
  }
}
