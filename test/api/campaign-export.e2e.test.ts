// The organiser's HTTP side of a campaign beyond GraphQL: GET /c/<id>/export.tar (the data set in
// OSIE's layout plus campaign.json, as a tar) only with the admin key — none sent or a wrong one 401
// UNAUTHENTICATED, none configured 403 ADMIN_DISABLED, an unknown campaign a typed 404 — and the
// dashboard page, which holds no campaign data itself. The tar is read back by a reader written here
// (ustar headers parsed independently of the writer) and by the system's tar when there is one; the
// reliability plot's points are checked against the curve's numbers and the axes' formula, and the
// server computes the curve in its quality worker thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { parseOsie } from '../../packages/core/src/index.js';
import { CampaignService } from '../../packages/api/src/campaigns/service.js';
import { PLOT, reliabilitySvg } from '../../packages/api/src/campaigns/plot.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { rng } from '../helpers/random.js';
import { clicksOf, type Behaviour } from '../helpers/campaign-participants.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = new Map(parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8'))).map((o) => [o.file, o]));
const FILES = ['1001.jpg', '1002.jpg', '1003.jpg'];
const KEY = 'campaign-export-admin-key-0123456789';

/** The files of an uncompressed tar: name (prefix/name) and bytes, from the ustar header fields. */
function readTar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at + 512 <= tar.length) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const field = (from: number, len: number) => h.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim(), 8);
    const sum = parseInt(field(148, 8).trim(), 8);
    let check = 0;
    for (let i = 0; i < 512; i++) check += i >= 148 && i < 156 ? 32 : h[i];
    expect(check, 'header checksum').toBe(sum);
    expect(field(257, 6)).toBe('ustar');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    out.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('campaign export and dashboard over HTTP', () => {
  let s: TestServer;
  let id: string;
  const ids = new Map<string, string>();
  let now = Date.UTC(2026, 11, 3, 9, 0, 0);

  const admin = async (query: string, variables: Record<string, unknown>) => {
    const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
    return (await r.json()) as { data?: any; errors?: any[] };
  };
  const exportTar = (key: string | null, campaign = id) => fetch(`${s.url}/c/${campaign}/export.tar`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    const db = testDatabases().find((d) => d.provider === 'sqlite')!;
    s = await startTestServer(await db.url(), { SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0', SALIENCY_RATE_LIMIT: '0', SALIENCY_ADMIN_KEY: KEY, SALIENCY_MODELS: 'squeezenet1.0' });
    s.server.services.annotations.clock = () => (now += 10_000);
    for (const file of FILES) {
      const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: readFileSync(resolve(osieDir, 'stimuli', file)).toString('base64') });
      ids.set(file, r.data!.uploadImage.id);
    }
    const made = await admin('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', {
      input: { name: 'Export me', images: FILES.map((f) => ({ imageId: ids.get(f) })), perImage: 7, perSession: 3, maxClicks: 8, minClicks: 2, refractoryMs: 100 },
    });
    id = made.data.createCampaign.id;
    // 6 honest participants and one who clicks one spot, through the service (the page is campaign-page.e2e's)
    const behaviours: Behaviour[] = ['honest', 'honest', 'honest', 'one-spot', 'honest', 'honest', 'honest'];
    const file = new Map([...ids].map(([f, i]) => [i, f]));
    for (const [k, b] of behaviours.entries()) {
      const random = rng(40 + k);
      let { sessionToken, step } = await s.server.services.campaigns.startSession(id, null);
      while (step.annotation) {
        const { width, height, id: imageId } = step.annotation.image;
        const clicks = clicksOf(b, OSIE.get(file.get(imageId)!)!.observers[k], width, height, random, 8);
        step = (await s.server.services.campaigns.submit(sessionToken, step.annotation.ticket, clicks, `client-${k}`)).step;
      }
      sessionToken = '';
    }
    expect((await admin('mutation($id: ID!) { reviewCampaign(id: $id) { rule } }', { id })).errors).toBeUndefined();
  }, 180_000);
  afterAll(() => s?.close());

  it('export.tar needs the admin key: none, a wrong one, none configured; an unknown campaign is a typed 404', async () => {
    for (const key of [null, 'wrong-key-0123456789abcdef', `${KEY}x`, '']) {
      const r = await exportTar(key);
      expect(r.status, String(key)).toBe(401);
      expect(((await r.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    // without a key the id is not even looked up: an unknown id answers the same
    expect((await exportTar(null, 'AAAAAAAAAAAA')).status).toBe(401);
    const r = await exportTar(KEY, 'AAAAAAAAAAAA');
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    const keyed = s.server.services.campaigns;
    s.server.services.campaigns = new CampaignService(s.server.services.storage, s.server.services.annotations, null, keyed.frame);
    try {
      const off = await exportTar(KEY);
      expect(off.status).toBe(403);
      expect(((await off.json()) as any).errors[0].extensions.code).toBe('ADMIN_DISABLED');
    } finally {
      s.server.services.campaigns = keyed;
    }
  });

  it('export.tar with the key: the kept participants in OSIE\'s layout, the stored image bytes, campaign.json', async () => {
    const r = await exportTar(KEY);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-tar');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="campaign-${id}.tar"`);
    const tar = Buffer.from(await r.arrayBuffer());
    const files = readTar(tar);
    const stored = await s.server.services.campaigns.store.acceptedAnnotations(id);
    const exclusions = await s.server.services.campaigns.store.exclusions(id);
    const out = new Set(exclusions.map((e) => e.sessionId));
    expect(out.size).toBeGreaterThanOrEqual(1);
    const kept = stored.filter((p) => !out.has(p.sessionId));
    expect([...files.keys()].sort()).toEqual([`${id}/campaign.json`, `${id}/fixations.json`, ...FILES.map((f) => `${id}/stimuli/${ids.get(f)}.jpeg`)].sort());
    for (const f of FILES) expect(files.get(`${id}/stimuli/${ids.get(f)}.jpeg`)!.equals(readFileSync(resolve(osieDir, 'stimuli', f)))).toBe(true);
    const osie = parseOsie(JSON.parse(files.get(`${id}/fixations.json`)!.toString('utf8')));
    expect(osie.reduce((n, o) => n + o.observers.length, 0)).toBe(kept.length);
    const summary = JSON.parse(files.get(`${id}/campaign.json`)!.toString('utf8'));
    expect(summary.counts).toEqual({ images: 3, subjects: kept.length, points: kept.reduce((n, p) => n + p.annotation.points.length, 0), excluded: stored.length - kept.length });
    expect(summary.exclusions.map((e: any) => e.rule)).toContain('ONE_SPOT');
    expect(summary.participants).toEqual({ sessions: 7, finished: 7, excluded: out.size });
    for (const o of osie) {
      const row = summary.images.find((i: any) => `${i.id}.jpeg` === o.file);
      o.observers.forEach((points, k) => {
        const a = kept.find((p) => p.sessionId === row.subjects[k] && p.annotation.imageId === row.id)!.annotation;
        points.forEach((q, i) => {
          expect(q.x).toBeCloseTo(a.points[i].x - 0.5, 9);
          expect(q.y).toBeCloseTo(a.points[i].y - 0.5, 9);
        });
      });
    }
    // the system's tar reads it too
    let list: string | null = null;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'campaign-tar-'));
      writeFileSync(join(dir, 'c.tar'), tar);
      list = execFileSync('tar', ['-tf', join(dir, 'c.tar')], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      console.log(`no system tar to cross-check with (${(e as Error).message})`);
    }
    if (list !== null) expect(list.trim().split('\n').sort()).toEqual([...files.keys()].sort());
  });

  it('the dashboard page holds no data of the campaign (it reads it with the key)', async () => {
    const r = await fetch(`${s.url}/c/${id}/dashboard`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('admin key');
    expect(html).not.toContain('Export me');
    for (const i of ids.values()) expect(html).not.toContain(i);
    expect((await fetch(`${s.url}/c/AAAAAAAAAAAA/dashboard`)).status).toBe(404);
    expect((await fetch(`${s.url}/c/${id}/nothing-here`)).status).toBe(404);
  });

  it('the reliability plot puts each point at its numbers: data attributes and the axes\' formula', async () => {
    const c = (await admin('query($id: ID!) { campaign(id: $id) { reliability { participants splitHalf eyeTracking images } reliabilitySvg } }', { id })).data.campaign;
    expect(c.reliability.length).toBeGreaterThanOrEqual(3);
    expect(c.reliabilitySvg).toBe(reliabilitySvg(c.reliability));
    // the server computed the curve in its quality worker, not on the thread that serves requests
    expect(s.server.services.campaigns.quality.inline).toBe(false);
    expect(s.server.services.campaigns.quality.lastThreadId).not.toBe(threadId);
    const circles = [...c.reliabilitySvg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*data-series="(\w+)" data-n="(\d+)" data-value="([-\d.e]+)"/g)];
    // no eye tracking imported here: one series
    expect(circles).toHaveLength(c.reliability.length);
    const maxN = Math.max(...c.reliability.map((p: any) => p.participants));
    const w = PLOT.width - PLOT.left - PLOT.right;
    const h = PLOT.height - PLOT.top - PLOT.bottom;
    circles.forEach((m, i) => {
      const p = c.reliability[i];
      expect(m[3]).toBe('splitHalf');
      expect(Number(m[4])).toBe(p.participants);
      expect(Number(m[5])).toBe(p.splitHalf);
      expect(Number(m[1])).toBeCloseTo(PLOT.left + (w * (p.participants - 2)) / (maxN - 2), 6);
      expect(Number(m[2])).toBeCloseTo(PLOT.top + h * (1 - Math.min(1, Math.max(0, p.splitHalf))), 6);
    });
    // without participants: an empty plot that says so
    expect(reliabilitySvg([])).toContain('No image has two kept participants yet');
  });
});
