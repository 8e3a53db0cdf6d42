// `saliency-explainer campaign create|show|close|export` (the command's main, in process) on a temporary SQLite
// database: create from a folder of 3 photos (stored as uploadImage stores them; a text file beside them
// ignored), the terms as given, the participant link; three simulated participants driven through the
// campaign service on the same database; show (accepted / quota per image, participants, the reliability
// table), close (closed and reviewed: no new session), export (OSIE's layout, checked against the stored
// clicks, and campaign.json). Without the admin key, with a key that is not
// the environment's, with a bad image or too many images per session: a clear error, a non-zero exit and
// no database file written.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../packages/api/src/cli/main.js';
import { AnnotationService } from '../../packages/api/src/annotations/service.js';
import { CampaignService } from '../../packages/api/src/campaigns/service.js';
import { settingsFromEnv } from '../../packages/api/src/server/settings.js';
import { openStorage } from '../../packages/api/src/storage/open.js';
import { rng } from '../helpers/random.js';
import { parseOsie } from '../../packages/core/src/index.js';

const root = resolve(__dirname, '../..');
const photos = resolve(root, '../shared/data/images');
const PHOTOS = ['cat.jpg', 'coffee.png', 'dog.jpg'];
const KEY = 'campaign-cli-admin-key-0123456789';
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Run { code: number; out: string; err: string }
async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['campaign', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let work: string;
let folder: string;
const savedKey = process.env.SALIENCY_ADMIN_KEY;
beforeAll(() => {
  delete process.env.SALIENCY_ADMIN_KEY;
  work = mkdtempSync(join(tmpdir(), 'saliency-campaign-cli-'));
  folder = join(work, 'photos');
  mkdirSync(folder);
  for (const f of PHOTOS) copyFileSync(join(photos, f), join(folder, f));
  writeFileSync(join(folder, 'notes.txt'), 'not an image');
});
afterEach(() => {
  delete process.env.SALIENCY_ADMIN_KEY;
});
afterAll(() => {
  if (savedKey === undefined) delete process.env.SALIENCY_ADMIN_KEY;
  else process.env.SALIENCY_ADMIN_KEY = savedKey;
  rmSync(work, { recursive: true, force: true });
});

/** Participants on the campaign's database through the service the API uses; the clock moves 10 s per reading. */
async function participants(url: string, campaignId: string, n: number): Promise<number> {
  const storage = await openStorage(url);
  try {
    const settings = settingsFromEnv({ SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0' });
    const annotations = new AnnotationService(storage, { defaultId: '', get: () => Promise.reject(new Error('no models')) }, settings.annotation);
    let now = Date.now();
    annotations.clock = () => (now += 10_000);
    const campaigns = new CampaignService(storage, annotations, KEY, { sigmaFraction: 0.03, maxSide: 400 });
    const random = rng(7);
    let submitted = 0;
    for (let p = 0; p < n; p++) {
      const { sessionToken, step: first } = await campaigns.startSession(campaignId, null);
      let step = first;
      while (step.annotation) {
        const { width, height } = step.annotation.image;
        let t = 400;
        const clicks = Array.from({ length: 5 }, () => {
          const c = { x: (0.2 + 0.6 * random()) * width, y: (0.2 + 0.6 * random()) * height, t };
          t += 250 + 400 * random();
          return c;
        });
        step = (await campaigns.submit(sessionToken, step.annotation.ticket, clicks, `client-${p}`)).step;
        submitted++;
      }
      expect(step.finished).toBe(true);
    }
    return submitted;
  } finally {
    await storage.close();
  }
}

describe('campaign CLI on SQLite', () => {
  it('creates a campaign from a folder, shows its progress, closes and reviews it', async () => {
    const url = `file:${join(work, 'campaign.sqlite')}`;
    const created = await cli('create', '--images', folder, '--name', 'Three photos', '--per-image', '2', '--per-session', '2',
      '--min-clicks', '3', '--refractory-ms', '200', '--max-clicks', '10', '--time-limit', '40', '--completion-code', 'C0DE42',
      '--admin-key', KEY, '--database-url', url);
    expect(created.code, created.err).toBe(0);
    const id = /participant link: \/c\/([A-Za-z0-9_-]{12})$/m.exec(created.out)?.[1];
    expect(id, created.out).toBeTruthy();
    expect(created.out).toContain('"Three photos" created: 3 images (3 files stored)');
    expect(created.out).toContain('2 per image, 2 per session, 3..10 clicks, 40 s, 200 ms between clicks, completion code C0DE42');

    const storage = await openStorage(url);
    try {
      for (const f of PHOTOS) {
        const image = await storage.getImage(sha(join(photos, f)));
        expect(image, f).not.toBeNull();
        expect(Buffer.from((await storage.getImageBytes(image!.id))!).equals(readFileSync(join(photos, f)))).toBe(true);
      }
    } finally {
      await storage.close();
    }

    const empty = await cli('show', id!, '--admin-key', KEY, '--database-url', url);
    expect(empty.code, empty.err).toBe(0);
    expect(empty.out).toContain(`campaign ${id} "Three photos" open; link /c/${id}`);
    expect(empty.out).toContain('images: 3 (0 at quota), annotations 0/6');
    expect(empty.out).toContain('participants: 0 sessions, 0 finished, 0 excluded');
    expect(empty.out).toContain('reliability: no image has 2 kept participants yet');

    // 3 participants × 2 images = 6 = 3 images × 2 per image: every image reaches its quota
    expect(await participants(url, id!, 3)).toBe(6);
    process.env.SALIENCY_ADMIN_KEY = KEY; // the environment's key works too
    const full = await cli('show', id!, '--database-url', url);
    expect(full.code, full.err).toBe(0);
    expect(full.out).toContain('images: 3 (3 at quota), annotations 6/6');
    for (const f of PHOTOS) expect(full.out).toMatch(new RegExp(`${sha(join(photos, f)).slice(0, 16)}\\s+2/2\\s+2\\s+0`));
    expect(full.out).toContain('participants: 3 sessions, 3 finished, 0 excluded');
    expect(full.out).toMatch(/participants\s+split-half\s+eye-tracking\s+images\n\s+2\s+-?\d\.\d{3}\s+–\s+3/);

    const closed = await cli('close', id!, '--database-url', url);
    expect(closed.code, closed.err).toBe(0);
    expect(closed.out).toMatch(new RegExp(`campaign ${id} "Three photos" closed; reviewed: \\d+ participants? excluded`));
    const after = await cli('show', id!, '--database-url', url);
    expect(after.out).toMatch(new RegExp(`campaign ${id} "Three photos" closed \\d{4}-`));
    await expect(participants(url, id!, 1)).rejects.toThrow(/closed/);

    const unknown = await cli('show', 'nosuchcampai', '--database-url', url);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toMatch(/no campaign nosuchcampai/);

    // export: OSIE's layout with the kept participants' clicks (1-based pixel centres), and campaign.json
    const dir = join(work, 'export');
    const exported = await cli('export', id!, '-o', dir, '--database-url', url);
    expect(exported.code, exported.err).toBe(0);
    const store = await openStorage(url);
    try {
      const campaigns = new CampaignService(store, new AnnotationService(store, { defaultId: '', get: () => Promise.reject(new Error('no models')) }, settingsFromEnv({}).annotation), KEY, { sigmaFraction: 0.03, maxSide: 400 });
      const out = new Set((await campaigns.store.exclusions(id!)).map((e) => e.sessionId));
      const kept = (await campaigns.store.acceptedAnnotations(id!)).filter((p) => !out.has(p.sessionId));
      expect(exported.out).toBe(`campaign ${id}: ${kept.length} annotations (${kept.reduce((n, p) => n + p.annotation.points.length, 0)} points) of 3 images → ${dir} (${6 - kept.length} of excluded participants left out)`);
      const osie = parseOsie(JSON.parse(readFileSync(join(dir, 'fixations.json'), 'utf8')));
      const summary = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8'));
      expect(summary.campaign).toMatchObject({ id, name: 'Three photos', open: false, perImage: 2, perSession: 2 });
      expect(summary.exclusions.map((e: { session: string }) => e.session).sort()).toEqual([...(await campaigns.store.exclusions(id!)).map((e) => e.sessionId)].sort());
      expect(osie.reduce((n, o) => n + o.observers.length, 0)).toBe(kept.length);
      for (const o of osie) {
        const imageId = o.file.replace(/\.[a-z]+$/, '');
        expect(readFileSync(join(dir, 'stimuli', o.file)).equals(Buffer.from((await store.getImageBytes(imageId))!))).toBe(true);
        const row = summary.images.find((r: { id: string }) => r.id === imageId);
        expect(row.subjects).toHaveLength(o.observers.length);
        // subject k is the session named k-th in campaign.json; its points are the stored clicks − 0.5 (parseOsie makes them 0-based)
        o.observers.forEach((points, k) => {
          const a = kept.find((p) => p.sessionId === row.subjects[k] && p.annotation.imageId === imageId)!.annotation;
          expect(points).toHaveLength(a.points.length);
          points.forEach((q, i) => {
            expect(q.x).toBeCloseTo(a.points[i].x - 0.5, 9);
            expect(q.y).toBeCloseTo(a.points[i].y - 0.5, 9);
          });
        });
      }
    } finally {
      await store.close();
    }
    const noOut = await cli('export', id!, '--database-url', url);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/give -o DIR/);
    const missing = await cli('export', 'nosuchcampai', '-o', join(work, 'nothing'), '--database-url', url);
    expect(missing.code).toBe(3);
    expect(existsSync(join(work, 'nothing'))).toBe(false);
  });

  it('refuses without the admin key (or with one that is not the environment\'s), writing nothing', async () => {
    const url = `file:${join(work, 'nokey.sqlite')}`;
    const args = ['--images', folder, '--name', 'N', '--per-image', '2', '--per-session', '2', '--database-url', url];
    const none = await cli('create', ...args);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/needs the admin key: --admin-key K or SALIENCY_ADMIN_KEY/);
    expect(none.out).toBe('');
    for (const sub of ['show', 'close', 'export']) {
      const r = await cli(sub, 'abcdefghijkl', '--database-url', url);
      expect(r.code, sub).toBe(2);
      expect(r.err).toMatch(/admin key/);
    }
    const short = await cli('create', ...args, '--admin-key', 'short');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/--admin-key: expected at least 16 characters/);
    process.env.SALIENCY_ADMIN_KEY = KEY;
    const wrong = await cli('create', ...args, '--admin-key', 'another-key-0123456789');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/not the SALIENCY_ADMIN_KEY/);
    expect(existsSync(join(work, 'nokey.sqlite'))).toBe(false);
  });

  it('a bad image or more images per session than images: a typed exit, nothing written', async () => {
    const url = `file:${join(work, 'bad.sqlite')}`;
    const bad = join(work, 'bad');
    mkdirSync(bad);
    copyFileSync(join(photos, 'cat.jpg'), join(bad, 'cat.jpg'));
    writeFileSync(join(bad, 'broken.jpg'), Buffer.from('not a jpeg at all'));
    const r = await cli('create', '--images', bad, '--name', 'N', '--per-image', '2', '--per-session', '1', '--admin-key', KEY, '--database-url', url);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/broken\.jpg: /);
    const many = await cli('create', '--images', folder, '--name', 'N', '--per-image', '2', '--per-session', '4', '--admin-key', KEY, '--database-url', url);
    expect(many.code).toBe(2);
    expect(many.err).toMatch(/--per-session 4 is more than the campaign's 3 images/);
    const policy = await cli('create', '--images', folder, '--name', 'N', '--per-image', '2', '--per-session', '1', '--assignment', 'random', '--admin-key', KEY, '--database-url', url);
    expect(policy.code).toBe(2);
    expect(policy.err).toMatch(/--assignment must be balanced or adaptive, not 'random'/);
    const ids = await cli('create', '--images', 'cat', '--name', 'N', '--per-image', '2', '--per-session', '1', '--admin-key', KEY, '--database-url', url);
    expect(ids.code).toBe(2);
    expect(ids.err).toMatch(/neither a folder nor a stored image id/);
    expect(existsSync(join(work, 'bad.sqlite'))).toBe(false);
  });

  it('has its own --help and is listed in the main help', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^campaign: saliency-explainer campaign create --images DIR\|ID,ID…/);
    const sub = await cli('create', '--help');
    expect(sub.out).toBe(help.out);
    const out: string[] = [];
    await main(['--help'], { out: (l) => out.push(l), err: () => undefined, errIsTTY: false });
    expect(out.join('\n')).toContain('saliency-explainer campaign create|show|close');
  });
});
