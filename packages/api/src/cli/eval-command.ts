// `saliency-explainer eval`: the leaderboard of models × layers × CAM methods against human fixations
// of a data set, and optionally by faithfulness to the model (eval/runner.ts does the work), with a
// progress bar on stderr.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { camMethods, getCamMethod, type TargetKind } from '@saliency-explainer/core';
import { getLeaderboardColumn, HEADLINE_FAITHFULNESS, inColumnOrder, leaderboardColumns } from '../eval/columns.js';
import { DATASET_NAME, DATASETS, type DatasetId } from '../eval/dataset.js';
import { duration } from '../eval/report.js';
import { BASELINES, runEval, type EvalOptions } from '../eval/runner.js';
import type { BaselineId } from '../eval/scoring.js';
import { DEFAULT_DATABASE_URL } from '../server/settings.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { DEFAULT_JOB_POLICY } from '../queue/queue.js';
import { DEFAULT_STALE_SECONDS } from '../queue/shared-state.js';
import { redactUrl } from '../storage/database-url.js';
import type { Output } from './explain-command.js';
import { PROJECT_ROOT } from '../project.js';
import { DEFAULTS } from './settings.js';

export const DEFAULT_EVAL = {
  dataDir: join(PROJECT_ROOT, '..', 'shared', 'data', 'osie'),
  layers: ['default', '+1'],
  sortMetric: 'nss',
  outDir: join('out', 'leaderboard'),
  examples: 3,
  workers: availableParallelism(),
} as const;

const ALIGNMENT_IDS = leaderboardColumns.filter((c) => c.kind === 'alignment').map((c) => c.id);
const FAITHFULNESS_IDS = leaderboardColumns.filter((c) => c.kind === 'faithfulness').map((c) => c.id);

export const EVAL_HELP = `eval: saliency-explainer eval --dataset osie [options]
    Every image × model × layer × CAM method of the data set: the map of the model's top-1 class,
    taken back to the image's size, scored against all observers' fixations; plus the human ceiling
    (split-half, leave-one-out) and bottom-up baselines. Scores are stored (resumable); the report
    (leaderboard.md, .html, .json) is written to --out.
      --dataset NAME        osie, or a name of yours for another folder in OSIE's layout (with --data-dir;
                            e.g. crowd clicks written by export-annotations --format dataset)
      --data-dir DIR        the data set: stimuli/ and fixations.json (default for osie: ../shared/data/osie)
      --models M[,M...]     manifest model ids (default: the manifest's default)
      --methods M[,M...]    ${camMethods.map((m) => m.id).join(', ')}, or all (default all)
      --layers L[,L...]     per model: default, +N (the N-th layer after the default in the manifest's
                            \`layers\`), or tensor names (default default,+1)
      --images N            the first N images …
      --subset A:B          … or images A ≤ i < B (0-based, in the data set's order)
      --metrics M[,M...]    alignment with fixations: ${ALIGNMENT_IDS.join(', ')}, or all
                            (default all); faithfulness to the model (model rows only):
                            ${FAITHFULNESS_IDS.join(', ')}
      --faithfulness        add ${HEADLINE_FAITHFULNESS.join(', ')} (each map tested on the model's input:
                            ~70 extra forward runs and 8 imputations per map)
      --sort M              the column the table is sorted by (default ${DEFAULT_EVAL.sortMetric})
      --target T            logit (default) or probability
      --class top1          the class each map explains (only top1: the model's prediction)
      --baselines B[,B...]  ${BASELINES.join(', ')}, or none (default all)
      --no-ceiling          no human-ceiling rows
      --sigma S --seed N --top-p P --shuffled-images K --ceiling-splits R   the scoring protocol
                            (default 24 px, 0, 10 %, 10 other images, 10 splits)
      --database-url URL    where scores are stored (default var/saliency.sqlite, env DATABASE_URL)
      --resume              skip (image, row) pairs whose scores are stored already
      --distributed         PostgreSQL only: put the cells (image × model × layer, and each image's ceiling
                            and baselines) on the database's job queue and follow them there; any number of
                            \`saliency-explainer worker --database-url …\` processes, on any machine, compute them
      --job-retries N       distributed: retries of a failing cell before it is parked (default ${DEFAULT_JOB_POLICY.retryLimit})
      --job-retry-delay S   distributed: seconds before the first retry, doubled for each next (default ${DEFAULT_JOB_POLICY.retryDelay})
      --job-timeout S       distributed: a cell running longer is failed and retried (default ${DEFAULT_JOB_POLICY.expireInSeconds})
      --stale-after S       distributed: a worker silent this long is dead; its cells are retried (default ${DEFAULT_STALE_SECONDS})
  -o, --out DIR             report folder (default ${DEFAULT_EVAL.outDir})
      --examples N          images with example overlays in leaderboard.html (default ${DEFAULT_EVAL.examples})
      --workers N           eval worker threads, each evaluating whole images (default: one per core;
                            0 = everything on the main thread)
      --batch-size N        Score-CAM / Ablation-CAM inputs per forward run (default ${DEFAULTS.batchSize})
      --intra-op-threads N  ONNX Runtime threads per run (default 1 with workers, all cores without)
      --no-progress         no progress bar (it is only shown on a terminal)`;

const options = {
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  models: { type: 'string', multiple: true },
  methods: { type: 'string', multiple: true },
  layers: { type: 'string', multiple: true },
  images: { type: 'string' },
  subset: { type: 'string' },
  metrics: { type: 'string', multiple: true },
  faithfulness: { type: 'boolean' },
  sort: { type: 'string' },
  target: { type: 'string' },
  class: { type: 'string' },
  baselines: { type: 'string', multiple: true },
  'no-ceiling': { type: 'boolean' },
  sigma: { type: 'string' },
  seed: { type: 'string' },
  'top-p': { type: 'string' },
  'shuffled-images': { type: 'string' },
  'ceiling-splits': { type: 'string' },
  'database-url': { type: 'string' },
  resume: { type: 'boolean' },
  distributed: { type: 'boolean' },
  'job-retries': { type: 'string' },
  'job-retry-delay': { type: 'string' },
  'job-timeout': { type: 'string' },
  'stale-after': { type: 'string' },
  out: { type: 'string', short: 'o' },
  examples: { type: 'string' },
  workers: { type: 'string' },
  'batch-size': { type: 'string' },
  'intra-op-threads': { type: 'string' },
  'max-image-bytes': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

function int(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw usageError(`--${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, not '${text}'`);
  }
  return v;
}

function number(name: string, text: string, ok: (v: number) => boolean, what: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw usageError(`--${name} must be ${what}, not '${text}'`);
  return v;
}

export function parseEvalArgs(argv: string[]): EvalOptions & { progress: boolean } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.dataset === undefined) throw usageError(`--dataset is required (${DATASETS.join(', ')}, or a name of yours with --data-dir)`);
  if (!DATASET_NAME.test(v.dataset)) throw usageError(`--dataset must be 1-32 lower-case letters, digits, '-' or '_', not '${v.dataset}'`);
  if (!(DATASETS as readonly string[]).includes(v.dataset) && v['data-dir'] === undefined) {
    throw usageError(`--dataset ${v.dataset} needs --data-dir (a folder in OSIE's layout: stimuli/ and fixations.json)`);
  }
  if (v.images !== undefined && v.subset !== undefined) throw usageError('--images and --subset cannot be used together');

  let methods = list(v.methods);
  if (methods.length === 0 || methods.includes('all')) methods = camMethods.map((m) => m.id);
  for (const m of methods) {
    try {
      getCamMethod(m);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  }
  // no --metrics, or `all`: every alignment metric; faithfulness columns by name or --faithfulness
  const asked = list(v.metrics);
  const named = asked.filter((m) => m !== 'all');
  for (const m of named) {
    try {
      getLeaderboardColumn(m);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  }
  const alignmentAll = asked.length === 0 || asked.includes('all') ? ALIGNMENT_IDS : [];
  const metrics = inColumnOrder([...alignmentAll, ...named, ...(v.faithfulness ? HEADLINE_FAITHFULNESS : [])]);
  const sortMetric = v.sort ?? (metrics.includes(DEFAULT_EVAL.sortMetric) ? DEFAULT_EVAL.sortMetric : metrics[0]);
  if (!metrics.includes(sortMetric)) throw usageError(`--sort ${sortMetric} is not among the metrics computed (${metrics.join(', ')})`);

  const target = v.target ?? 'logit';
  if (target !== 'logit' && target !== 'probability') throw usageError(`--target must be 'logit' or 'probability', not '${target}'`);
  if (v.class !== undefined && v.class !== 'top1') throw usageError(`--class must be top1 (the model's predicted class), not '${v.class}'`);

  let subset: [number, number | null] | undefined;
  if (v.subset !== undefined) {
    const m = /^\s*(\d+)?\s*:\s*(\d+)?\s*$/.exec(v.subset);
    if (!m) throw usageError(`--subset must be A:B (0-based, B exclusive; either may be left out), not '${v.subset}'`);
    subset = [m[1] === undefined ? 0 : Number(m[1]), m[2] === undefined ? null : Number(m[2])];
    if (subset[1] !== null && subset[1] <= subset[0]) throw usageError(`--subset ${v.subset} selects no image`);
  }

  let baselines: BaselineId[] = [...BASELINES];
  if (v.baselines !== undefined) {
    const b = list(v.baselines);
    baselines = b.includes('none') ? [] : b.includes('all') ? [...BASELINES] : (b as BaselineId[]);
    for (const x of baselines) if (!BASELINES.includes(x)) throw usageError(`unknown baseline '${x}' (known: ${BASELINES.join(', ')}, all, none)`);
  }
  const layers = list(v.layers);
  const models = list(v.models);
  const databaseUrl = v['database-url'] ?? (process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  if (!v.distributed) {
    for (const f of ['job-retries', 'job-retry-delay', 'job-timeout', 'stale-after'] as const) if (v[f] !== undefined) throw usageError(`--${f} needs --distributed`);
  } else if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw usageError(`--distributed needs a PostgreSQL --database-url (postgresql://…): the job queue lives in that database; on ${redactUrl(databaseUrl)} eval runs in-process, leave --distributed out`);
  }
  return {
    distributed: v.distributed ? {
      policy: {
        retryLimit: v['job-retries'] === undefined ? DEFAULT_JOB_POLICY.retryLimit : int('job-retries', v['job-retries'], 0, 100),
        retryDelay: v['job-retry-delay'] === undefined ? DEFAULT_JOB_POLICY.retryDelay : int('job-retry-delay', v['job-retry-delay'], 0, 86_400),
        expireInSeconds: v['job-timeout'] === undefined ? DEFAULT_JOB_POLICY.expireInSeconds : int('job-timeout', v['job-timeout'], 1, 86_400),
      },
      staleSeconds: v['stale-after'] === undefined ? undefined : int('stale-after', v['stale-after'], 2, 86_400),
    } : undefined,
    dataset: v.dataset as DatasetId,
    dataDir: resolve(v['data-dir'] ?? DEFAULT_EVAL.dataDir),
    modelsDir: v['models-dir'] ?? DEFAULTS.modelsDir,
    models: [...new Set(models)],
    methods,
    layers: layers.length ? layers : [...DEFAULT_EVAL.layers],
    images: { count: v.images === undefined ? undefined : int('images', v.images, 1), subset },
    metrics,
    target: target as TargetKind,
    databaseUrl,
    outDir: v.out ?? DEFAULT_EVAL.outDir,
    resume: v.resume ?? false,
    sortMetric,
    ceiling: !v['no-ceiling'],
    baselines,
    protocol: {
      sigma: v.sigma === undefined ? undefined : number('sigma', v.sigma, (x) => x > 0 && x <= 1000, 'a number of pixels in (0, 1000]'),
      seed: v.seed === undefined ? undefined : int('seed', v.seed, 0, 2 ** 31 - 1),
      topP: v['top-p'] === undefined ? undefined : number('top-p', v['top-p'], (x) => x > 0 && x <= 100, 'a percentage in (0, 100]'),
      shuffledImages: v['shuffled-images'] === undefined ? undefined : int('shuffled-images', v['shuffled-images'], 1),
      ceilingRepetitions: v['ceiling-splits'] === undefined ? undefined : int('ceiling-splits', v['ceiling-splits'], 1, 1000),
    },
    workers: v.workers === undefined ? DEFAULT_EVAL.workers : int('workers', v.workers, 0, 64),
    batchSize: v['batch-size'] === undefined ? DEFAULTS.batchSize : int('batch-size', v['batch-size'], 1, 4096),
    intraOpThreads: v['intra-op-threads'] === undefined ? 0 : int('intra-op-threads', v['intra-op-threads'], 0, 256),
    examples: v.examples === undefined ? DEFAULT_EVAL.examples : int('examples', v.examples, 0, 50),
    maxImageBytes: v['max-image-bytes'] === undefined ? DEFAULTS.maxImageBytes : int('max-image-bytes', v['max-image-bytes'], 1),
    maxImagePixels: v['max-image-pixels'] === undefined ? DEFAULTS.maxImagePixels : int('max-image-pixels', v['max-image-pixels'], 1),
    progress: !v['no-progress'],
  };
}

export async function runEvalCommand(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseEvalArgs(argv);
  if (args === 'help') {
    io.out(EVAL_HELP);
    return EXIT.OK;
  }
  const { progress, ...options } = args;
  const bar = progress && io.errIsTTY
    ? new cliProgress.SingleBar({ format: 'eval |{bar}| {value}/{total} images {image} | {duration_formatted} elapsed, ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic)
    : undefined;
  // Ctrl-C: stop scheduling images, store what is in flight, write the report; a second one quits at once
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
    bar?.stop();
    io.err('eval: interrupted; storing the images in flight and writing the report (Ctrl-C again to quit now; --resume continues)');
  };
  process.on('SIGINT', onSignal);
  let started = false;
  try {
    const outcome = await runEval(options, {
      signal: abort.signal,
      note: (text) => io.err(text),
      progress: (done, total, image) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0, { image: '' });
          started = true;
        }
        bar.update(done, { image });
      },
    });
    bar?.stop();
    const s = outcome.data.stats;
    io.out(`eval ${options.dataset}: ${s.images} images, ${outcome.data.run.entries.length} rows; ${s.unitsComputed} image × row units computed, ${s.unitsSkipped} stored already; ${s.engineRuns} engine runs; ${duration(outcome.data.wallMs)}${s.interrupted ? `; interrupted, ${s.unitsLeft} units left (--resume continues)` : ''}`);
    for (const f of s.failedImages) io.err(`error: ${f.error}`);
    io.out(`report: ${outcome.files.markdown}`);
    io.out(`        ${outcome.files.html}`);
    io.out(`        ${outcome.files.json}`);
    io.out(`run ${outcome.run.id} (protocol ${outcome.run.protocol})`);
    // 128 + SIGINT, the shell's convention for a run stopped by Ctrl-C (not one of EXIT's codes)
    if (s.interrupted) return 130 as ExitCode;
    return s.failedImages.length ? EXIT.INPUT : EXIT.OK;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
  }
}
