// `saliency-explainer campaign create|close|show|export`: the organiser's side of an annotation campaign
// (issue 15) straight on the database, through the campaign service the API uses (no server needed).
// create uploads the images of a folder as uploadImage does (decodeUpload: the same checks and limits)
// or takes stored image ids, and prints the participant link; show prints the progress, the exclusions
// with their reasons and the reliability curve; close closes the campaign and reviews its participants;
// export writes its data set (campaigns/export.ts: OSIE's layout, kept participants only, and campaign.json).
// Every subcommand needs the admin key (--admin-key or SALIENCY_ADMIN_KEY), checked before the database
// is opened: without it nothing is read or written. The CLI holds the database itself, so the key is a
// guard against running an organiser operation by mistake, not a boundary against someone holding the
// database URL; when both --admin-key and SALIENCY_ADMIN_KEY are set they must agree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { AnnotationService, type LabelSource } from '../annotations/service.js';
import { AnnotationError } from '../annotations/validate.js';
import { CampaignService } from '../campaigns/service.js';
import type { CampaignRecord } from '../campaigns/store.js';
import { campaignDataset, type CampaignExportCounts } from '../campaigns/export.js';
import { makeOutputDir, writeOutputFile } from '../io/output-files.js';
import { adminKey as checkAdminKey, DEFAULT_DATABASE_URL, settingsFromEnv, type ServerSettings } from '../server/settings.js';
import { decodeUpload, type Upload } from '../server/upload.js';
import { openStorage } from '../storage/open.js';
import { StorageError, type Storage } from '../storage/types.js';
import { CliError, EXIT, inputError, usageError, type ExitCode } from '../errors.js';
import type { Output } from './explain-command.js';
import { intFlag, listFlag, parseFlags } from './flags.js';

export const CAMPAIGN_HELP = `campaign: saliency-explainer campaign create --images DIR|ID,ID… --name N --per-image K --per-session S [options]
          saliency-explainer campaign show ID
          saliency-explainer campaign close ID
          saliency-explainer campaign export ID -o DIR
    An annotation campaign (BubbleView clicks from a crowd), straight on the database (no server needed).
    create  stores the images of DIR (as uploadImage: JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF; the same size
            limits) or takes stored image ids, creates the campaign and prints its participant link /c/<id>
    show    per image accepted / quota (and kept, in flight), participants, exclusions with their reasons,
            the reliability curve (split-half CC of the pooled map, and its CC with eye tracking, by participants)
    close   closes the campaign (no new sessions or clicks) and reviews its participants (exclusions stored)
    export  writes the campaign's data set to DIR in export-annotations --format dataset's layout (stimuli/,
            fixations.json: one subject per kept annotation, 1-based; for eval --data-dir DIR) and
            campaign.json (terms, per-image counts and subjects' sessions, exclusions with reasons, the curve);
            participants excluded at the last review are left out
  create options:
      --images DIR|ID,…     a folder of images (each stored), or sha256 ids of stored images
      --name N              the campaign's name
      --per-image K         annotators wanted per image
      --per-session S       images per participant session (at most the number of images)
      --gold ID|FILE,…      gold images (stored ids, or files to store): eye tracking known (import-fixations),
                            shown to every participant, agreement screens them (FAILED_GOLD)
      --max-clicks N        click budget per image (default min(20, SALIENCY_ANNOTATION_MAX_CLICKS))
      --time-limit SEC      seconds per image (default min(30, SALIENCY_ANNOTATION_TIME_LIMIT))
      --min-clicks N        fewest clicks accepted per image (default 1)
      --refractory-ms MS    shortest time between two clicks (default max(300, SALIENCY_ANNOTATION_MIN_CLICK_INTERVAL_MS))
      --completion-code C   shown at the end (for Prolific / Mechanical Turk) …
      --redirect URL        … or an https:// address to send participants to at the end
      --assignment A        balanced (default: the image with the fewest claimed annotations next) or
                            adaptive (the image whose pooled map is least stable next: lowest split-half CC)
  export options:
      -o, --out DIR         the folder to write (created; files in it are replaced)
  every subcommand:
      --admin-key K         the admin key (default env SALIENCY_ADMIN_KEY; at least 16 characters; required)
      --database-url URL    default var/saliency.sqlite (env DATABASE_URL)
  Exit codes: 2 usage (no admin key, bad terms), 3 input (an image that cannot be read or decoded or is
  too large, an unknown image or campaign id; nothing is written), 1 database error.`;

const options = {
  images: { type: 'string' },
  name: { type: 'string' },
  'per-image': { type: 'string' },
  'per-session': { type: 'string' },
  gold: { type: 'string', multiple: true },
  'max-clicks': { type: 'string' },
  'time-limit': { type: 'string' },
  'min-clicks': { type: 'string' },
  'refractory-ms': { type: 'string' },
  'completion-code': { type: 'string' },
  redirect: { type: 'string' },
  assignment: { type: 'string' },
  'admin-key': { type: 'string' },
  'database-url': { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);
const SHA256 = /^[0-9a-f]{64}$/;

/** The admin key given (flag or environment), or a usage error; when both are set they must agree. */
function theAdminKey(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.SALIENCY_ADMIN_KEY || undefined;
  const key = flag ?? fromEnv;
  if (key === undefined || key === '') {
    throw usageError('campaign administration needs the admin key: --admin-key K or SALIENCY_ADMIN_KEY (nothing was written)');
  }
  try {
    checkAdminKey(key);
  } catch (e) {
    throw usageError(`${(e as Error).message.replace('SALIENCY_ADMIN_KEY', flag !== undefined ? '--admin-key' : 'SALIENCY_ADMIN_KEY')} (nothing was written)`);
  }
  if (flag !== undefined && fromEnv !== undefined && flag !== fromEnv) {
    throw new CliError(EXIT.USAGE, 'UNAUTHENTICATED', '--admin-key is not the SALIENCY_ADMIN_KEY of this environment (nothing was written)');
  }
  return key;
}

function serverSettings(env: NodeJS.ProcessEnv): ServerSettings {
  try {
    return settingsFromEnv({ ...env, SALIENCY_ADMIN_KEY: undefined });
  } catch (e) {
    throw usageError((e as Error).message);
  }
}

/** The API's errors (GraphQLError with a code, AnnotationError, StorageError) as typed CLI errors. */
function cliErrorOf(e: unknown, what: string): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof StorageError) return new CliError(EXIT.INTERNAL, 'DATABASE', e.message);
  const code = e instanceof AnnotationError ? e.code : ((e as { extensions?: { code?: unknown } } | null)?.extensions?.code as string | undefined);
  if (typeof code !== 'string') return e;
  const message = `${what}${(e as Error).message}`;
  if (code === 'BAD_REQUEST' || code === 'UNAUTHENTICATED' || code === 'ADMIN_DISABLED') return new CliError(EXIT.USAGE, code, message);
  return inputError(code, message);
}

/** A file as uploadImage would store it (decodeUpload: size and pixel limits, the decoder's checks). */
async function readImage(file: string, limits: ServerSettings['limits']): Promise<Upload> {
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > limits.maxImageBytes) throw inputError('IMAGE_TOO_LARGE', `${file}: ${size} bytes, more than the limit of ${limits.maxImageBytes} (SALIENCY_MAX_IMAGE_BYTES)`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw inputError('UNREADABLE', `cannot read the image ${file}: ${(e as Error).message}`);
  }
  try {
    return await decodeUpload(bytes.toString('base64'), limits);
  } catch (e) {
    throw cliErrorOf(e, `${file}: `);
  }
}

function imageFiles(dir: string): string[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && IMAGE_EXTENSIONS.has(extname(d.name).toLowerCase()))
    .map((d) => join(dir, d.name))
    .sort();
  if (files.length === 0) throw inputError('NO_IMAGES', `${dir} has no image files (${[...IMAGE_EXTENSIONS].join(' ')})`);
  return files;
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The campaign service on an open storage, with the server's annotation settings (no model pool: DESCRIBE images only). */
function serviceOn(storage: Storage, settings: ServerSettings, key: string): CampaignService {
  const noModels: LabelSource = {
    defaultId: '',
    get: () => Promise.reject(new AnnotationError('BAD_REQUEST', 'the CLI creates DESCRIBE campaigns; FIND tasks need the server (createCampaign)')),
  };
  const annotations = new AnnotationService(storage, noModels, settings.annotation);
  const campaigns = new CampaignService(storage, annotations, key, { sigmaFraction: settings.annotation.humanMapSigma, maxSide: settings.annotation.alignmentMaxSide });
  campaigns.authorize(`Bearer ${key}`);
  return campaigns;
}

async function withCampaigns<T>(databaseUrl: string, settings: ServerSettings, key: string, fn: (c: CampaignService, storage: Storage) => Promise<T>): Promise<T> {
  let storage: Storage;
  try {
    storage = await openStorage(databaseUrl);
  } catch (e) {
    throw cliErrorOf(e, '');
  }
  try {
    return await fn(serviceOn(storage, settings, key), storage);
  } catch (e) {
    throw cliErrorOf(e, '');
  } finally {
    await storage.close();
  }
}

function terms(c: CampaignRecord): string {
  const end = c.completionCode !== null ? `completion code ${c.completionCode}` : c.redirectUrl !== null ? `redirect ${c.redirectUrl}` : 'no completion code';
  return `${c.perImage} per image, ${c.perSession} per session, ${c.minClicks}..${c.maxClicks} clicks, ${c.timeLimitSeconds} s, ${c.refractoryMs} ms between clicks, ${end}${c.assignment === 'ADAPTIVE' ? ', adaptive assignment' : ''}`;
}

async function create(v: ReturnType<typeof parseFlags<typeof options>>['values'], env: NodeJS.ProcessEnv, io: Output): Promise<ExitCode> {
  const key = theAdminKey(v['admin-key'], env);
  if (v.images === undefined) throw usageError('campaign create needs --images DIR|ID,ID…');
  if (v.name === undefined || !v.name.trim()) throw usageError('campaign create needs --name N');
  if (v['per-image'] === undefined) throw usageError('campaign create needs --per-image K');
  if (v['per-session'] === undefined) throw usageError('campaign create needs --per-session S');
  if (v['completion-code'] !== undefined && v.redirect !== undefined) throw usageError('give --completion-code or --redirect, not both');
  const assignment = (v.assignment ?? 'balanced').toUpperCase();
  if (assignment !== 'BALANCED' && assignment !== 'ADAPTIVE') throw usageError(`--assignment must be balanced or adaptive, not '${v.assignment}'`);
  const perImage = intFlag('per-image', v['per-image'], 1);
  const perSession = intFlag('per-session', v['per-session'], 1);
  const opt = (name: 'max-clicks' | 'min-clicks' | 'refractory-ms') => (v[name] === undefined ? null : intFlag(name, v[name]!, 0));
  let timeLimitSeconds: number | null = null;
  if (v['time-limit'] !== undefined) {
    timeLimitSeconds = Number(v['time-limit']);
    if (!(Number.isFinite(timeLimitSeconds) && timeLimitSeconds > 0)) throw usageError(`--time-limit must be a positive number of seconds, not '${v['time-limit']}'`);
  }
  const settings = serverSettings(env);
  const databaseUrl = v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);

  // everything read and decoded before the database is touched: a bad image writes nothing
  const uploads: Upload[] = [];
  let imageIds: string[];
  const dir = resolve(v.images);
  if (isDir(dir)) {
    for (const f of imageFiles(dir)) uploads.push(await readImage(f, settings.limits));
    imageIds = [...new Set(uploads.map((u) => u.record.id))];
  } else {
    imageIds = listFlag([v.images]);
    const bad = imageIds.find((id) => !SHA256.test(id));
    if (bad !== undefined) throw usageError(`--images: '${bad}' is neither a folder nor a stored image id (64 hex digits)`);
  }
  const goldIds: string[] = [];
  for (const g of listFlag(v.gold)) {
    if (SHA256.test(g)) goldIds.push(g);
    else if (isFile(resolve(g))) {
      const u = await readImage(resolve(g), settings.limits);
      uploads.push(u);
      goldIds.push(u.record.id);
    } else throw usageError(`--gold: '${g}' is neither a stored image id (64 hex digits) nor a file`);
  }
  if (perSession > imageIds.length) throw usageError(`--per-session ${perSession} is more than the campaign's ${imageIds.length} images`);

  const campaign = await withCampaigns(databaseUrl, settings, key, async (campaigns, storage) => {
    for (const id of [...imageIds, ...goldIds]) {
      if (!uploads.some((u) => u.record.id === id) && !(await storage.getImage(id))) throw inputError('NOT_FOUND', `no stored image ${id} (upload it, or give a folder)`);
    }
    const stored = new Set<string>();
    for (const u of uploads) {
      if (stored.has(u.record.id)) continue;
      stored.add(u.record.id);
      await storage.putImage(u.record, u.bytes);
    }
    return campaigns.create({
      name: v.name!, images: imageIds.map((imageId) => ({ imageId })), goldImageIds: goldIds, perImage, perSession,
      maxClicks: opt('max-clicks'), timeLimitSeconds, minClicks: opt('min-clicks'), refractoryMs: opt('refractory-ms'),
      completionCode: v['completion-code'] ?? null, redirectUrl: v.redirect ?? null, assignment,
    });
  });
  io.out(`campaign ${campaign.id} "${campaign.name}" created: ${imageIds.length} images${goldIds.length ? ` + ${goldIds.length} gold` : ''}${uploads.length ? ` (${uploads.length} files stored)` : ''}`);
  io.out(`  ${terms(campaign)}`);
  io.out(`participant link: /c/${campaign.id}`);
  return EXIT.OK;
}

const fixed = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

async function show(id: string, v: ReturnType<typeof parseFlags<typeof options>>['values'], env: NodeJS.ProcessEnv, io: Output): Promise<ExitCode> {
  const key = theAdminKey(v['admin-key'], env);
  const settings = serverSettings(env);
  const databaseUrl = v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const lines = await withCampaigns(databaseUrl, settings, key, async (campaigns) => {
    const c = await campaigns.get(id);
    const [progress, sessions, exclusions, curve] = await Promise.all([
      campaigns.progress(id), campaigns.store.sessions(id), campaigns.store.exclusions(id), campaigns.reliability(id),
    ]);
    const out: string[] = [];
    out.push(`campaign ${c.id} "${c.name}" ${c.open ? 'open' : `closed ${c.closedAt?.toISOString() ?? ''}`.trim()}; link /c/${c.id}`);
    out.push(`  ${terms(c)}`);
    const regular = progress.filter((p) => !p.image.gold);
    const accepted = regular.reduce((a, p) => a + p.image.accepted, 0);
    out.push(`images: ${regular.length} (${regular.filter((p) => p.image.accepted >= c.perImage).length} at quota), annotations ${accepted}/${regular.length * c.perImage}`);
    out.push('  image             accepted/quota  kept  in flight');
    for (const p of progress) {
      const quota = p.image.gold ? 'gold' : `${p.image.accepted}/${c.perImage}`;
      out.push(`  ${p.image.imageId.slice(0, 16)}  ${(p.image.gold ? `${p.image.accepted} (gold)` : quota).padStart(14)}  ${String(p.kept).padStart(4)}  ${String(p.inFlight).padStart(9)}`);
    }
    const excluded = new Set(exclusions.map((e) => e.sessionId));
    out.push(`participants: ${sessions.length} sessions, ${sessions.filter((s) => s.finishedAt).length} finished, ${excluded.size} excluded`);
    if (exclusions.length) {
      out.push('exclusions:');
      for (const e of exclusions) out.push(`  ${e.sessionId}  ${e.rule}  ${e.detail}`);
    } else {
      out.push(`exclusions: none${c.open ? ' yet (participants are reviewed at close)' : ''}`);
    }
    if (curve.length) {
      out.push('reliability (participants kept; split-half CC of the pooled map; its CC with eye tracking; images):');
      out.push('  participants  split-half  eye-tracking  images');
      for (const p of curve) out.push(`  ${String(p.participants).padStart(12)}  ${fixed(p.splitHalf).padStart(10)}  ${fixed(p.eyeTracking).padStart(12)}  ${String(p.images).padStart(6)}`);
    } else {
      out.push('reliability: no image has 2 kept participants yet');
    }
    return out;
  });
  for (const l of lines) io.out(l);
  return EXIT.OK;
}

async function close(id: string, v: ReturnType<typeof parseFlags<typeof options>>['values'], env: NodeJS.ProcessEnv, io: Output): Promise<ExitCode> {
  const key = theAdminKey(v['admin-key'], env);
  const settings = serverSettings(env);
  const databaseUrl = v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const { c, exclusions } = await withCampaigns(databaseUrl, settings, key, async (campaigns) => {
    const c = await campaigns.close(id);
    const exclusions = await campaigns.review(id);
    return { c, exclusions };
  });
  const people = new Set(exclusions.map((e) => e.sessionId)).size;
  io.out(`campaign ${c.id} "${c.name}" closed; reviewed: ${people} participant${people === 1 ? '' : 's'} excluded (${exclusions.length} reason${exclusions.length === 1 ? '' : 's'}; 'campaign show ${c.id}' lists them)`);
  return EXIT.OK;
}

async function exportCampaign(id: string, v: ReturnType<typeof parseFlags<typeof options>>['values'], env: NodeJS.ProcessEnv, io: Output): Promise<ExitCode> {
  const key = theAdminKey(v['admin-key'], env);
  if (v.out === undefined) throw usageError('campaign export writes a folder: give -o DIR');
  const dir = resolve(v.out);
  const settings = serverSettings(env);
  const databaseUrl = v['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const counts: CampaignExportCounts = { images: 0, subjects: 0, points: 0, excluded: 0 };
  await withCampaigns(databaseUrl, settings, key, async (campaigns, storage) => {
    await campaigns.get(id); // an unknown id writes nothing, not even the folder
    makeOutputDir(dir);
    for await (const f of campaignDataset(campaigns, storage, id, counts)) {
      const path = join(dir, ...f.path.split('/'));
      makeOutputDir(dirname(path));
      writeOutputFile(path, f.bytes);
    }
  });
  io.out(`campaign ${id}: ${counts.subjects} annotations (${counts.points} points) of ${counts.images} images → ${dir} (${counts.excluded} of excluded participants left out)`);
  return EXIT.OK;
}

export async function runCampaign(argv: string[], io: Output, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(CAMPAIGN_HELP);
    return EXIT.OK;
  }
  const { values: v, positionals } = parseFlags(rest, options);
  if (v.help) {
    io.out(CAMPAIGN_HELP);
    return EXIT.OK;
  }
  switch (sub) {
    case 'create':
      if (positionals.length) throw usageError(`campaign create takes no arguments, only flags (got '${positionals[0]}')`);
      if (v.out !== undefined) throw usageError('-o goes with campaign export');
      return create(v, env, io);
    case 'show':
    case 'close': {
      if (positionals.length !== 1) throw usageError(`campaign ${sub} takes one campaign id`);
      const createOnly = (['images', 'name', 'per-image', 'per-session', 'gold', 'max-clicks', 'time-limit', 'min-clicks', 'refractory-ms', 'completion-code', 'redirect', 'assignment'] as const).find((k) => v[k] !== undefined);
      if (createOnly) throw usageError(`--${createOnly} goes with campaign create`);
      if (v.out !== undefined) throw usageError('-o goes with campaign export');
      return sub === 'show' ? show(positionals[0], v, env, io) : close(positionals[0], v, env, io);
    }
    case 'export': {
      if (positionals.length !== 1) throw usageError('campaign export takes one campaign id (and -o DIR)');
      const createOnly = (['images', 'name', 'per-image', 'per-session', 'gold', 'max-clicks', 'time-limit', 'min-clicks', 'refractory-ms', 'completion-code', 'redirect', 'assignment'] as const).find((k) => v[k] !== undefined);
      if (createOnly) throw usageError(`--${createOnly} goes with campaign create`);
      return exportCampaign(positionals[0], v, env, io);
    }
    default:
      throw usageError(`unknown campaign subcommand '${sub}' (create, show, close, export; try campaign --help)`);
  }
}
