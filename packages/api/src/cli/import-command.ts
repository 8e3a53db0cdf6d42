// `saliency-explainer import-fixations`: eye-tracking fixations into the API's database as EYE_TRACKING
// annotations (one per observer and image, annotator '<dataset>:<observer>'), with their images, so
// that Image.humanAttention(EYE_TRACKING) and Heatmap.alignment use them. From an OSIE folder
// (stimuli/*.jpg + fixations.json, parsed by core's parseOsie: 1-based → 0-based) or from one image and
// a JSON/CSV points file (points-file.ts). Everything is read and checked first, then written in one
// transaction; re-running skips what is stored (by image, annotator, task), so it is idempotent.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { OsieFormatError, parseOsie, type Fixation, type OsieImage } from '@saliency-explainer/core';
import { decodeImage } from '../images/decode.js';
import { DEFAULT_DATABASE_URL } from '../server/settings.js';
import { openStorage } from '../storage/open.js';
import { StorageError, type ImageRecord, type NewAnnotation } from '../storage/types.js';
import { CliError, EXIT, inputError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { intFlag, listFlag, parseFlags } from './flags.js';
import { parsePoints } from './points-file.js';
import { DEFAULTS } from './settings.js';

export const IMPORT_HELP = `import-fixations: saliency-explainer import-fixations --osie DIR [--images A,B | --limit N] [options]
                  saliency-explainer import-fixations --image FILE --points FILE [options]
    Stores eye-tracking fixations as EYE_TRACKING annotations (one per observer and image) with their
    images, for Image.humanAttention and Heatmap.alignment. Idempotent: what is stored is skipped.
      --osie DIR            an OSIE folder: stimuli/*.jpg and fixations.json (1-based coordinates)
      --images A[,B...]     only these stimuli (file names, e.g. 1001.jpg) …
      --limit N             … or the first N of fixations.json (default: all)
      --image FILE          one image, with
      --points FILE         its fixations: JSON [{x, y}] / [{x, y, observer}] / {"fixations": [...]} or CSV
                            with a header x,y[,observer][,duration]; 0-based pixels, centres at integers
      --dataset-name NAME   annotator prefix, NAME:<observer> (default osie with --osie, import otherwise)
      --database-url URL    default var/saliency.sqlite (env DATABASE_URL)`;

const options = {
  osie: { type: 'string' },
  images: { type: 'string', multiple: true },
  limit: { type: 'string' },
  image: { type: 'string' },
  points: { type: 'string' },
  'dataset-name': { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ImportArgs {
  source: { kind: 'osie'; dir: string; images?: string[]; limit?: number } | { kind: 'points'; image: string; points: string };
  datasetName: string;
  databaseUrl: string;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function parseImportArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ImportArgs | 'help' {
  const { values: v, positionals } = parseFlags(argv, options);
  if (v.help) return 'help';
  if (positionals.length) throw usageError(`import-fixations takes no arguments, only flags (got '${positionals[0]}')`);
  if ((v.osie === undefined) === (v.image === undefined)) throw usageError('give either --osie DIR or --image FILE --points FILE');
  let source: ImportArgs['source'];
  if (v.osie !== undefined) {
    if (v.points !== undefined) throw usageError('--points goes with --image, not --osie');
    if (v.images !== undefined && v.limit !== undefined) throw usageError('--images and --limit cannot be used together');
    const images = v.images === undefined ? undefined : listFlag(v.images);
    if (images && images.length === 0) throw usageError('--images names no image');
    source = { kind: 'osie', dir: resolve(v.osie), images, limit: v.limit === undefined ? undefined : intFlag('limit', v.limit, 1) };
  } else {
    if (v.points === undefined) throw usageError('--image needs --points FILE');
    if (v.images !== undefined || v.limit !== undefined) throw usageError('--images and --limit go with --osie');
    source = { kind: 'points', image: resolve(v.image!), points: resolve(v.points) };
  }
  const datasetName = v['dataset-name'] ?? (source.kind === 'osie' ? 'osie' : 'import');
  if (!NAME.test(datasetName)) throw usageError(`--dataset-name must be 1-64 letters, digits, '.', '_' or '-', not '${datasetName}'`);
  return { source, datasetName, databaseUrl: v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL) };
}

function readInput(file: string, what: string, maxBytes = Number.POSITIVE_INFINITY): Buffer {
  try {
    const size = statSync(file).size;
    if (size > maxBytes) throw inputError('IMAGE_TOO_LARGE', `${file}: ${size} bytes, more than the limit of ${maxBytes} (SALIENCY_MAX_IMAGE_BYTES)`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw inputError('UNREADABLE', `cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

/** An image file as the API stores it: its sha256 id, decoded size and format. */
async function loadImage(file: string): Promise<{ image: Omit<ImageRecord, 'createdAt'>; bytes: Uint8Array }> {
  const bytes = new Uint8Array(readInput(file, 'image', DEFAULTS.maxImageBytes));
  let decoded;
  try {
    decoded = await decodeImage(bytes, DEFAULTS.maxImagePixels);
  } catch (e) {
    throw inputError((e as { code?: string }).code ?? 'BAD_IMAGE', `${file}: ${(e as Error).message}`);
  }
  const id = createHash('sha256').update(bytes).digest('hex');
  return { image: { id, width: decoded.image.width, height: decoded.image.height, format: decoded.format, byteLength: bytes.length }, bytes };
}

interface Plan {
  images: { image: Omit<ImageRecord, 'createdAt'>; bytes: Uint8Array }[];
  annotations: NewAnnotation[];
  /** Observers of the selected images without a fixation (nothing to store). */
  empty: number;
}

function annotation(imageId: string, annotator: string, points: readonly Fixation[]): NewAnnotation {
  return {
    imageId, source: 'EYE_TRACKING', annotator, task: 'FREE_VIEWING', classIndex: null, model: null, prompt: null, nonce: null,
    points: points.map((f) => (f.duration === undefined ? { x: f.x, y: f.y } : { x: f.x, y: f.y, duration: f.duration })), durationMs: null,
  };
}

async function planOsie(a: Extract<ImportArgs['source'], { kind: 'osie' }>, name: string): Promise<Plan> {
  const file = join(a.dir, 'fixations.json');
  let all: OsieImage[];
  try {
    all = parseOsie(JSON.parse(readInput(file, 'OSIE fixations').toString('utf8')));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw inputError('BAD_FIXATIONS', `${file}: ${e instanceof OsieFormatError || e instanceof SyntaxError ? e.message : String(e)}`);
  }
  let selected = all;
  if (a.images) {
    const byName = new Map(all.map((im) => [im.file, im]));
    selected = [...new Set(a.images.map((n) => basename(n)))].map((n) => byName.get(n) ?? (() => { throw inputError('UNKNOWN_IMAGE', `${n} is not in ${file}`); })());
  } else if (a.limit !== undefined) {
    selected = all.slice(0, a.limit);
  }
  const plan: Plan = { images: [], annotations: [], empty: 0 };
  for (const im of selected) {
    const stimulus = join(a.dir, 'stimuli', im.file);
    const loaded = await loadImage(stimulus);
    if (loaded.image.width !== im.width || loaded.image.height !== im.height) {
      throw inputError('SIZE_MISMATCH', `${stimulus} is ${loaded.image.width}×${loaded.image.height}, but ${file} records ${im.width}×${im.height}`);
    }
    plan.images.push(loaded);
    im.observers.forEach((fixations, observer) => {
      if (fixations.length === 0) plan.empty++;
      else plan.annotations.push(annotation(loaded.image.id, `${name}:${observer}`, fixations));
    });
  }
  return plan;
}

async function planPoints(a: Extract<ImportArgs['source'], { kind: 'points' }>, name: string): Promise<Plan> {
  const loaded = await loadImage(a.image);
  const text = readInput(a.points, 'points file').toString('utf8');
  const observers = parsePoints(text, a.points, loaded.image.width, loaded.image.height);
  return { images: [loaded], annotations: observers.map((o) => annotation(loaded.image.id, `${name}:${o.observer}`, o.points)), empty: 0 };
}

export interface ImportResult {
  images: number;
  imagesAdded: number;
  annotations: number;
  added: number;
  skipped: number;
}

/** Read and check everything, then write it in one transaction. */
export async function importFixations(args: ImportArgs): Promise<ImportResult & { empty: number }> {
  const plan = args.source.kind === 'osie' ? await planOsie(args.source, args.datasetName) : await planPoints(args.source, args.datasetName);
  const storage = await openStorage(args.databaseUrl);
  try {
    const counts = await storage.addAnnotations(plan.annotations, plan.images);
    return { images: plan.images.length, annotations: plan.annotations.length, ...counts, empty: plan.empty };
  } finally {
    await storage.close();
  }
}

export async function runImport(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseImportArgs(argv);
  if (args === 'help') {
    io.out(IMPORT_HELP);
    return EXIT.OK;
  }
  let r;
  try {
    r = await importFixations(args);
  } catch (e) {
    if (e instanceof StorageError) throw new CliError(EXIT.INTERNAL, 'DATABASE', e.message);
    throw e;
  }
  const empty = r.empty ? `; ${r.empty} observers without fixations skipped` : '';
  io.out(`import-fixations: images ${r.images} (${r.imagesAdded} new); annotations ${r.annotations} (${r.added} new, ${r.skipped} already stored)${empty}`);
  return EXIT.OK;
}
