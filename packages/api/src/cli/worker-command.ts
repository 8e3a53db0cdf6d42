// `saliency-explainer worker`: takes jobs from the PostgreSQL job queue (pg-boss; queue/queue.ts) — the
// leaderboard cells of `eval --distributed` (eval/distributed.ts) and the items of explainBatch
// (batch/) — computes them in worker threads (so that heartbeats go on while ONNX Runtime runs) and
// stores their results. Runs on any machine that reaches the database and has the models (and, for
// eval, the data set).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type PgBoss from 'pg-boss';
import { EvalCellRunner, sha256Hex, type EvalCellJob } from '../eval/distributed.js';
import type { DatasetId } from '../eval/dataset.js';
import { BatchItemRunner } from '../batch/worker.js';
import type { BatchItemJob } from '../batch/item.js';
import { EVAL_QUEUE, EXPLAIN_QUEUE, WORKER_QUEUES, ensureQueue, openQueue, parkedJobs, reapDeadWorkers } from '../queue/queue.js';
import { DEFAULT_STALE_SECONDS, newPgPool, WorkerRegistration } from '../queue/shared-state.js';
import { openStorage } from '../storage/open.js';
import { redactUrl } from '../storage/database-url.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { DEFAULT_EVAL } from './eval-command.js';
import type { Output } from './explain-command.js';
import { loadManifestModel } from '../models/loader.js';
import { DEFAULTS } from './settings.js';

export const WORKER_HELP = `worker: saliency-explainer worker --database-url postgresql://… [options]
    Takes jobs from the job queue in the PostgreSQL database — the leaderboard cells of
    \`eval --distributed\` and the items (image × method) of the API's explainBatch — on this machine,
    until stopped (Ctrl-C or SIGTERM: the jobs in hand are finished first; a second signal quits at once,
    and the queue retries them). Start as many as you like, on any machine that reaches the database
    and has the same models (and, for eval, the data set); each eval job checks the model files' sha256
    and the image names against the ones eval planned with; explain items run with this machine's
    SALIENCY_* settings (keep its limits those of the API). A failing job is retried with backoff and
    parked with its error after its last retry (--list-failed).
      --database-url URL    the PostgreSQL database (default env DATABASE_URL)
      --concurrency N       jobs of each kind at once, each in its own thread with one ONNX Runtime
                            thread (default 1; about one per core the machine gives to this worker)
      --models-dir DIR      manifest and cache folder (default models/, env SALIENCY_MODELS_DIR)
      --data-dir [NAME=]DIR where data set NAME (or every data set) is on this machine (repeatable; default:
                            the folder eval named if it exists here, else for osie ../shared/data/osie)
      --intra-op-threads N  ONNX Runtime threads per job (default 1)
      --heartbeat S         seconds between heartbeats (default 2)
      --stale-after S       a worker silent this long is taken for dead and its jobs are retried
                            (default ${DEFAULT_STALE_SECONDS}; keep it the same on every worker and eval)
      --list-failed         print the parked jobs with their errors and exit
      --retry-failed        put the parked jobs back in the queue and exit
      --quiet               no line per job on stderr`;

const options = {
  'database-url': { type: 'string' },
  concurrency: { type: 'string' },
  'models-dir': { type: 'string' },
  'data-dir': { type: 'string', multiple: true },
  'intra-op-threads': { type: 'string' },
  heartbeat: { type: 'string' },
  'stale-after': { type: 'string' },
  'list-failed': { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function int(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) throw usageError(`--${name} must be an integer in ${min}..${max}, not '${text}'`);
  return v;
}

export interface WorkerArgs {
  databaseUrl: string;
  concurrency: number;
  modelsDir: string;
  dataDirs: Map<string, string>;
  anyDataDir?: string;
  intraOpThreads: number;
  heartbeatSeconds: number;
  staleSeconds: number;
  listFailed: boolean;
  retryFailed: boolean;
  quiet: boolean;
}

export function parseWorkerArgs(argv: string[]): WorkerArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const databaseUrl = v['database-url'] ?? process.env.DATABASE_URL ?? '';
  if (databaseUrl === '') throw usageError('--database-url is required (postgresql://…; or env DATABASE_URL): workers take their jobs from that database');
  if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw usageError(`--database-url must be a PostgreSQL database (postgresql://…), not ${redactUrl(databaseUrl)}: the job queue lives there; with SQLite the work runs in-process`);
  }
  const dataDirs = new Map<string, string>();
  let anyDataDir: string | undefined;
  for (const d of v['data-dir'] ?? []) {
    const m = /^([a-z0-9_-]{1,32})=(.+)$/.exec(d);
    if (m) dataDirs.set(m[1], resolve(m[2]));
    else anyDataDir = resolve(d);
  }
  const heartbeatSeconds = v.heartbeat === undefined ? 2 : int('heartbeat', v.heartbeat, 1, 3600);
  const staleSeconds = v['stale-after'] === undefined ? DEFAULT_STALE_SECONDS : int('stale-after', v['stale-after'], 2, 86_400);
  if (staleSeconds <= 2 * heartbeatSeconds) throw usageError(`--stale-after (${staleSeconds} s) must be more than twice --heartbeat (${heartbeatSeconds} s)`);
  return {
    databaseUrl,
    concurrency: v.concurrency === undefined ? 1 : int('concurrency', v.concurrency, 1, 64),
    modelsDir: v['models-dir'] ?? DEFAULTS.modelsDir,
    dataDirs, anyDataDir,
    intraOpThreads: v['intra-op-threads'] === undefined ? 1 : int('intra-op-threads', v['intra-op-threads'], 1, 256),
    heartbeatSeconds, staleSeconds,
    listFailed: v['list-failed'] ?? false,
    retryFailed: v['retry-failed'] ?? false,
    quiet: v.quiet ?? false,
  };
}

export async function runWorker(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseWorkerArgs(argv);
  if (args === 'help') {
    io.out(WORKER_HELP);
    return EXIT.OK;
  }
  const pool = newPgPool(args.databaseUrl, 2);
  let boss: PgBoss | undefined;
  try {
    boss = await openQueue(args.databaseUrl);
    for (const q of WORKER_QUEUES) await ensureQueue(boss, q);
    if (args.listFailed || args.retryFailed) {
      for (const q of WORKER_QUEUES) {
        const parked = await parkedJobs(pool, q, 10_000);
        for (const p of parked) {
          const d = p.data as Partial<EvalCellJob> & Partial<BatchItemJob>;
          const what = q === EVAL_QUEUE ? `${d.cell ?? '?'}\trun ${d.runId ?? '?'}` : `${d.imageId ?? '?'} ${d.method ?? '?'}\tbatch ${d.batchId ?? '?'}`;
          io.out(`${p.id}\t${p.completedOn.toISOString()}\t${what}\t${p.retryCount} retries\t${p.error}`);
        }
        if (args.retryFailed && parked.length > 0) {
          await boss.retry(q, parked.map((p) => p.id));
          io.err(`worker: ${parked.length} parked ${q} job${parked.length === 1 ? '' : 's'} back in the queue`);
        }
      }
      return EXIT.OK;
    }
    return await work(boss, pool, args, io);
  } finally {
    await boss?.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    await pool.end();
  }
}

async function work(boss: PgBoss, pool: ReturnType<typeof newPgPool>, args: WorkerArgs, io: Output): Promise<ExitCode> {
  const storage = await openStorage(args.databaseUrl);
  const registration = new WorkerRegistration(pool, [...WORKER_QUEUES]);
  const hashes = new Map<string, string>();
  const runner = new EvalCellRunner({
    storage,
    modelsDir: args.modelsDir,
    threads: args.concurrency,
    intraOpThreads: args.intraOpThreads,
    worker: registration.id,
    dataDir: (dataset: DatasetId, planned: string) =>
      args.dataDirs.get(dataset) ?? args.anyDataDir ?? (existsSync(planned) || dataset !== 'osie' ? planned : DEFAULT_EVAL.dataDir),
    modelHash: (dir, id) => {
      const key = `${dir}\u0000${id}`;
      let h = hashes.get(key);
      if (!h) {
        h = sha256Hex(loadManifestModel(dir, id).bytes);
        hashes.set(key, h);
      }
      return h;
    },
  });
  const items = new BatchItemRunner({ storage, modelsDir: args.modelsDir, threads: args.concurrency, intraOpThreads: args.intraOpThreads, worker: registration.id });
  let stopping: ((reason: string) => void) | undefined;
  const stopped = new Promise<string>((r) => (stopping = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignals > 0) process.exit(130);
    stopSignals++;
    io.err(`worker ${registration.id}: ${signal}, finishing the jobs in hand (again to quit now)`);
    stopping!(signal);
  };
  let stopSignals = 0;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let beat: NodeJS.Timeout | undefined;
  const inflight = new Set<Promise<unknown>>();
  try {
    await registration.register();
    beat = setInterval(() => {
      void registration.beat().catch((e: unknown) => io.err(`worker: heartbeat failed: ${(e as Error).message}`));
      void reapDeadWorkers(boss, pool, args.staleSeconds).then((n) => {
        if (n > 0) io.err(`worker: ${n} job${n === 1 ? '' : 's'} of a worker that stopped answering handed back to the queue`);
      }).catch(() => undefined);
    }, args.heartbeatSeconds * 1000);
    io.err(`worker ${registration.id}: taking ${WORKER_QUEUES.join(' and ')} jobs from ${redactUrl(args.databaseUrl)} (${args.concurrency} of each at once)`);
    const handler = async ([job]: PgBoss.Job<EvalCellJob>[]) => {
      const started = performance.now();
      await registration.started(job.id);
      const task = runner.run(job.data);
      inflight.add(task);
      let ok = false;
      try {
        const out = await task;
        ok = true;
        if (!args.quiet) io.err(`worker: ${job.data.cell}: ${out.ok ? `${out.rows} scores stored` : `not computed: ${out.message}`} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        return out;
      } catch (e) {
        if (!args.quiet) io.err(`worker: ${job.data.cell}: failed: ${(e as Error).message}`);
        throw e;
      } finally {
        inflight.delete(task);
        await registration.ended(job.id, ok).catch(() => undefined);
      }
    };
    // an explainBatch item: a retry finds the explanation stored by an earlier attempt; the last
    // attempt's error is kept on the item (pg-boss parks the job)
    const itemHandler = async ([job]: PgBoss.JobWithMetadata<BatchItemJob>[]) => {
      const started = performance.now();
      const what = `${job.data.imageId.slice(0, 12)}… ${job.data.method} (batch ${job.data.batchId})`;
      await registration.started(job.id);
      const task = items.run(job.data);
      inflight.add(task);
      let ok = false;
      try {
        const out = await task;
        ok = true;
        if (!args.quiet) io.err(`worker: ${what}: ${out.ok ? (out.cached ? 'stored already' : 'stored') : `failed: ${out.message}`} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        return out;
      } catch (e) {
        const message = (e as Error).message;
        if (!args.quiet) io.err(`worker: ${what}: failed (attempt ${job.retryCount + 1} of ${job.retryLimit + 1}): ${message}`);
        if (job.retryCount >= job.retryLimit) await items.failed(job.data, message).catch(() => undefined);
        throw e;
      } finally {
        inflight.delete(task);
        await registration.ended(job.id, ok).catch(() => undefined);
      }
    };
    for (let i = 0; i < args.concurrency; i++) {
      await boss.work<EvalCellJob>(EVAL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, handler);
      await boss.work<BatchItemJob>(EXPLAIN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, itemHandler);
    }
    const reason = await stopped;
    for (const q of WORKER_QUEUES) await boss.offWork(q);
    await Promise.allSettled([...inflight]);
    // graceful: pg-boss records the results of the jobs just finished before it closes
    await boss.stop({ graceful: true, wait: true, close: true, timeout: 60_000 }).catch(() => undefined);
    await registration.stopped(reason).catch(() => undefined);
    return EXIT.OK;
  } finally {
    clearInterval(beat);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runner.close();
    await items.close();
    await storage.close();
  }
}
