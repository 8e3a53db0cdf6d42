// `saliency-explainer export-annotations`: the stored human attention out of the API's database, for
// analysis elsewhere or another server: JSON Lines (one annotation per line) or CSV (one point per
// row), optionally with the images' bytes; or a data set folder in OSIE's layout, which `eval` ranks
// models and CAM methods on (the leaderboard of a site's own crowd). Points are written in one convention for both sources,
// 0-based pixels with pixel centres at integers (core's Fixation, what import-fixations reads): crowd
// clicks, stored as pointer positions (pixel i spans [i, i + 1)), move by −0.5 as when they are pooled.
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_DATABASE_URL } from '../server/settings.js';
import { openStorage } from '../storage/open.js';
import { ANNOTATION_SOURCES, StorageError, type AnnotationRecord, type AnnotationSource, type Storage } from '../storage/types.js';
import { CliError, EXIT, usageError, type ExitCode } from '../errors.js';
import { asOutputError, makeOutputDir, writeOutputFile } from '../io/output-files.js';
import type { Output } from './explain-command.js';
import { parseFlags } from './flags.js';

export const EXPORT_HELP = `export-annotations: saliency-explainer export-annotations [options]
    Writes the stored annotations (crowd clicks and imported eye tracking): points in 0-based pixels of
    the image, pixel centres at integers (import-fixations' convention).
      --source S            crowd or eye-tracking (default: both)
      --image ID            one image (its sha256)
      --format F            jsonl (default: one annotation per line), csv (one point per row:
                            image,source,annotator,task,class_index,x,y,t,duration), or dataset: a folder
                            in OSIE's layout (-o DIR: stimuli/ and fixations.json, one subject per
                            annotation, 1-based) for \`eval --dataset NAME --data-dir DIR\`
      --task T              describe or find (crowd annotations of one task; with find, --class)
      --class N             with --task find: the class looked for
      -o, --out FILE|DIR    write there (default: standard output; a folder for --format dataset)
      --images-dir DIR      also write each annotated image's bytes as DIR/<sha256>.<format>
      --database-url URL    default var/saliency.sqlite (env DATABASE_URL)`;

const options = {
  source: { type: 'string' },
  image: { type: 'string' },
  format: { type: 'string' },
  task: { type: 'string' },
  class: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'images-dir': { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ExportArgs {
  source?: AnnotationSource;
  imageId?: string;
  /** Crowd annotations of one task (FIND: of one class). */
  task?: { task: 'DESCRIBE' } | { task: 'FIND'; classIndex: number };
  format: 'jsonl' | 'csv' | 'dataset';
  out?: string;
  imagesDir?: string;
  databaseUrl: string;
}

/** Annotations read per database round trip. */
const PAGE = 500;

export function parseExportArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ExportArgs | 'help' {
  const { values: v, positionals } = parseFlags(argv, options);
  if (v.help) return 'help';
  if (positionals.length) throw usageError(`export-annotations takes no arguments, only flags (got '${positionals[0]}')`);
  let source: AnnotationSource | undefined;
  if (v.source !== undefined) {
    source = v.source.toUpperCase().replace('-', '_') as AnnotationSource;
    if (!ANNOTATION_SOURCES.includes(source)) throw usageError(`--source must be crowd or eye-tracking, not '${v.source}'`);
  }
  if (v.image !== undefined && !/^[0-9a-f]{64}$/.test(v.image)) throw usageError(`--image must be an image id (64 lower-case hex digits), not '${v.image}'`);
  const format = v.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv' && format !== 'dataset') throw usageError(`--format must be jsonl, csv or dataset, not '${format}'`);
  if (format === 'dataset' && v.out === undefined) throw usageError('--format dataset writes a folder: give -o DIR');
  let task: ExportArgs['task'];
  if (v.task !== undefined) {
    const t = v.task.toUpperCase();
    if (t === 'DESCRIBE') {
      if (v.class !== undefined) throw usageError('--class goes with --task find');
      task = { task: 'DESCRIBE' };
    } else if (t === 'FIND') {
      const c = Number(v.class);
      if (v.class === undefined || !Number.isSafeInteger(c) || c < 0) throw usageError('--task find needs --class N (a class index ≥ 0)');
      task = { task: 'FIND', classIndex: c };
    } else {
      throw usageError(`--task must be describe or find, not '${v.task}'`);
    }
    if (source === 'EYE_TRACKING') throw usageError('--task selects crowd annotations; eye tracking has none');
    source = 'CROWD';
  } else if (v.class !== undefined) {
    throw usageError('--class goes with --task find');
  }
  return {
    source, imageId: v.image, format, task,
    out: v.out === undefined ? undefined : resolve(v.out),
    imagesDir: v['images-dir'] === undefined ? undefined : resolve(v['images-dir']),
    databaseUrl: v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL),
  };
}

/** A stored point in core's convention (crowd clicks −0.5). */
function centred(a: AnnotationRecord) {
  const shift = a.source === 'CROWD' ? 0.5 : 0;
  return a.points.map((p) => ({ x: p.x - shift, y: p.y - shift, ...(p.t !== undefined ? { t: p.t } : {}), ...(p.duration !== undefined ? { duration: p.duration } : {}) }));
}

function jsonLine(a: AnnotationRecord, size: { width: number; height: number }): string {
  return JSON.stringify({
    id: a.id, image: a.imageId, width: size.width, height: size.height, source: a.source, annotator: a.annotator, task: a.task,
    classIndex: a.classIndex, model: a.model, prompt: a.prompt, durationMs: a.durationMs, createdAt: a.createdAt.toISOString(), points: centred(a),
  });
}

export const CSV_HEADER = 'image,source,annotator,task,class_index,x,y,t,duration';

function csvRows(a: AnnotationRecord): string[] {
  // every field is an id, a keyword, an integer or a number: nothing to quote
  return centred(a).map((p) => [a.imageId, a.source, a.annotator, a.task, a.classIndex ?? '', p.x, p.y, p.t ?? '', p.duration ?? ''].join(','));
}

export interface ExportCounts {
  annotations: number;
  points: number;
  images: number;
}

const taskMatches = (a: AnnotationRecord, t: ExportArgs['task']) =>
  !t || (a.task === t.task && (t.task === 'DESCRIBE' || a.classIndex === t.classIndex));

/** Every selected annotation, oldest first, read `PAGE` at a time (the one paging loop of both formats). */
async function* selected(storage: Storage, args: Pick<ExportArgs, 'source' | 'imageId' | 'task'>): AsyncGenerator<AnnotationRecord> {
  let after: string | undefined;
  for (;;) {
    const page = await storage.annotationsPage({ source: args.source, imageId: args.imageId }, PAGE, after);
    for (const a of page) if (taskMatches(a, args.task)) yield a;
    if (page.length < PAGE) return;
    after = page[page.length - 1].id;
  }
}

/** One data set image in OSIE's JSON: its file, size and one subject per annotation (1-based x, y). */
interface DatasetImage {
  image: string;
  width: number;
  height: number;
  subjects: { x: number[]; y: number[]; duration_ms?: number[] }[];
}

/** A subject of OSIE's JSON: the points 1-based; durations when every point has one. */
function subject(a: AnnotationRecord): DatasetImage['subjects'][number] {
  const points = centred(a);
  const s: DatasetImage['subjects'][number] = { x: points.map((p) => p.x + 1), y: points.map((p) => p.y + 1) };
  if (points.every((p) => p.duration !== undefined)) s.duration_ms = points.map((p) => p.duration as number);
  return s;
}

/**
 * The selected annotations as a data set in OSIE's layout under `dir`: stimuli/<sha256>.<format> and
 * fixations.json, images in order of their first annotation, one subject per annotation.
 */
export async function exportDataset(storage: Storage, args: Omit<ExportArgs, 'out' | 'databaseUrl' | 'format'>, dir: string): Promise<ExportCounts> {
  const images = new Map<string, DatasetImage>();
  const counts: ExportCounts = { annotations: 0, points: 0, images: 0 };
  makeOutputDir(join(dir, 'stimuli'));
  for await (const a of selected(storage, args)) {
    if (a.points.length === 0) continue;
    let entry = images.get(a.imageId);
    if (!entry) {
      const image = await storage.getImage(a.imageId);
      const bytes = await storage.getImageBytes(a.imageId);
      if (!image || !bytes) throw new StorageError('NOT_FOUND', `annotation ${a.id} refers to image ${a.imageId}, which is not stored`);
      const file = `${a.imageId}.${image.format}`;
      writeOutputFile(join(dir, 'stimuli', file), bytes);
      entry = { image: file, width: image.width, height: image.height, subjects: [] };
      images.set(a.imageId, entry);
      counts.images++;
    }
    entry.subjects.push(subject(a));
    counts.annotations++;
    counts.points += a.points.length;
  }
  writeOutputFile(join(dir, 'fixations.json'), `${JSON.stringify({ images: [...images.values()] })}\n`);
  return counts;
}

/** Write every selected annotation through `line`, page by page; images' bytes to `imagesDir`. */
export async function exportAnnotations(storage: Storage, args: Omit<ExportArgs, 'out' | 'databaseUrl'>, line: (text: string) => void): Promise<ExportCounts> {
  const sizes = new Map<string, { width: number; height: number; format: string }>();
  const counts: ExportCounts = { annotations: 0, points: 0, images: 0 };
  if (args.imagesDir) makeOutputDir(args.imagesDir);
  if (args.format === 'csv') line(CSV_HEADER);
  for await (const a of selected(storage, args)) {
    let size = sizes.get(a.imageId);
    if (!size) {
      const image = await storage.getImage(a.imageId);
      if (!image) throw new StorageError('NOT_FOUND', `annotation ${a.id} refers to image ${a.imageId}, which is not stored`);
      size = { width: image.width, height: image.height, format: image.format };
      sizes.set(a.imageId, size);
      if (args.imagesDir) {
        const bytes = await storage.getImageBytes(a.imageId);
        if (bytes) writeOutputFile(join(args.imagesDir, `${a.imageId}.${size.format}`), bytes);
      }
      counts.images++;
    }
    if (args.format === 'jsonl') line(jsonLine(a, size));
    else for (const row of csvRows(a)) line(row);
    counts.annotations++;
    counts.points += a.points.length;
  }
  return counts;
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export async function runExport(argv: string[], io: Output): Promise<ExitCode> {
  const args = parseExportArgs(argv);
  if (args === 'help') {
    io.out(EXPORT_HELP);
    return EXIT.OK;
  }
  let storage: Storage;
  try {
    storage = await openStorage(args.databaseUrl);
  } catch (e) {
    throw new CliError(EXIT.INTERNAL, 'DATABASE', (e as Error).message);
  }
  if (args.format === 'dataset') {
    try {
      const counts = await exportDataset(storage, args, args.out!);
      io.err(`export-annotations: ${counts.annotations} annotations, ${counts.points} points, ${counts.images} images → ${args.out} (stimuli/, fixations.json)`);
      return EXIT.OK;
    } catch (e) {
      if (e instanceof StorageError) throw new CliError(EXIT.INTERNAL, 'DATABASE', e.message);
      throw e;
    } finally {
      await storage.close();
    }
  }
  let stream: WriteStream | null = null;
  if (args.out) {
    try {
      stream = createWriteStream(args.out, { fd: openSync(args.out, 'w') });
    } catch (e) {
      await storage.close();
      asOutputError(e, args.out, 'the file');
    }
  }
  try {
    const out = stream;
    const counts = await exportAnnotations(storage, args, out ? (text) => out.write(`${text}\n`) : io.out);
    if (stream) await closeStream(stream);
    io.err(`export-annotations: ${counts.annotations} annotations, ${counts.points} points, ${counts.images} images${args.out ? ` → ${args.out}` : ''}`);
    return EXIT.OK;
  } catch (e) {
    stream?.destroy();
    if (e instanceof StorageError) throw new CliError(EXIT.INTERNAL, 'DATABASE', e.message);
    throw e;
  } finally {
    await storage.close();
  }
}
