// Annotation campaigns end to end over HTTP, on SQLite and on PostgreSQL: the admin key guards every
// organiser operation (no key configured → ADMIN_DISABLED; none or a wrong one → UNAUTHENTICATED);
// 50 participant sessions running at once against 12 OSIE images (+1 gold) never take an image past its
// quota, lose no annotation and count exactly; a scarce campaign (fewer slots than participants want)
// fills every image exactly to its quota; a careless participant (random clicks) and a fraudulent one
// (every click in one spot) are excluded with their reasons; the reliability curve (split-half CC of the
// pooled map, and its CC with the eye tracking) rises with the number of participants.
// Simulated participants (test/helpers/campaign-participants.ts) click a random sample of an OSIE
// observer's real fixations with an 8 px hand error, as test/api/annotations.e2e.test.ts does. The
// service clock moves 10 s per reading, no sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOsie, type OsieImage } from '../../packages/core/src/index.js';
import { CampaignService } from '../../packages/api/src/campaigns/service.js';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { rng } from '../helpers/random.js';
import { clicksOf, type Behaviour } from '../helpers/campaign-participants.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = new Map(parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8'))).map((o) => [o.file, o]));
const FILES = Array.from({ length: 12 }, (_, i) => `${1001 + i}.jpg`);
const GOLD = '1013.jpg';
const KEY = 'campaign-admin-key-0123456789';
const BUDGET = 8;

const STEP = `sessionToken campaignId done total finished noneLeft completionCode minClicks refractoryMs
  annotation { ticket image { id width height } maxClicks timeLimitSeconds prompt blurSigma } submitted { id }`;
const START = `mutation($c: ID!, $p: String) { startCampaignSession(campaignId: $c, participantId: $p) { ${STEP} } }`;
const SUBMIT = `mutation($input: SubmitCampaignAnnotationInput!) { submitCampaignAnnotation(input: $input) { ${STEP} } }`;
const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id link name open perImage } }';
const VIEW = `query($id: ID!) { campaign(id: $id) { id open
  images { image { id } gold accepted kept inFlight quota }
  participants { sessions finished excluded }
  exclusions { session rule detail value threshold }
  reliability { participants splitHalf eyeTracking images } } }`;

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`annotation campaigns end to end on ${db.provider}`, () => {
    let s: TestServer;
    let url: string;
    const ids = new Map<string, string>(); // file → image id
    const files = new Map<string, string>(); // image id → file
    let now = Date.UTC(2026, 11, 3, 9, 0, 0);

    const admin = async <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key: string | null = KEY): Promise<GraphQLResponse<T>> => {
      const res = await fetch(`${s.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    };

    /** One participant through a whole session; returns the annotation ids stored and the last step. */
    async function participate(campaignId: string, seed: number, behaviour: Behaviour, observer: number): Promise<{ stored: string[]; last: any; sessionToken: string }> {
      const random = rng(seed);
      const r = await s.gql(START, { c: campaignId });
      expect(r.errors).toBeUndefined();
      let step = r.data!.startCampaignSession;
      const stored: string[] = [];
      while (step.annotation) {
        const { width: w, height: h, id } = step.annotation.image;
        const osie = OSIE.get(files.get(id)!) as OsieImage;
        const clicks = clicksOf(behaviour, osie.observers[observer % osie.observers.length], w, h, random, BUDGET);
        const sub = await s.gql(SUBMIT, { input: { sessionToken: step.sessionToken, ticket: step.annotation.ticket, clicks } });
        expect(sub.errors, JSON.stringify(sub.errors)).toBeUndefined();
        step = sub.data!.submitCampaignAnnotation;
        stored.push(step.submitted.id);
      }
      return { stored, last: step, sessionToken: step.sessionToken };
    }

    beforeAll(async () => {
      url = await db.url();
      s = await startTestServer(url, {
        SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0', SALIENCY_RATE_LIMIT: '0', SALIENCY_ANNOTATION_TICKET_TTL: '36000',
        SALIENCY_ADMIN_KEY: KEY, SALIENCY_MODELS: 'squeezenet1.0',
      });
      s.server.services.annotations.clock = () => (now += 10_000);
      for (const file of [...FILES, GOLD]) {
        const bytes = readFileSync(resolve(osieDir, 'stimuli', file));
        const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: bytes.toString('base64') });
        expect(r.errors).toBeUndefined();
        ids.set(file, r.data!.uploadImage.id);
        files.set(r.data!.uploadImage.id, file);
      }
      // the eye tracking of every image (the gold image's screens participants; the others' is the curve's reference)
      await s.server.services.storage.addAnnotations([...FILES, GOLD].flatMap((file) => OSIE.get(file)!.observers.map((points, o) => ({
        imageId: ids.get(file)!, source: 'EYE_TRACKING' as const, annotator: `osie:${o}`, task: 'FREE_VIEWING', classIndex: null, model: null, prompt: null, nonce: null,
        points: points.map((p) => ({ x: p.x, y: p.y, ...(p.duration === undefined ? {} : { duration: p.duration }) })), durationMs: null,
      }))));
    }, 180_000);
    afterAll(() => s?.close());

    it('every organiser operation needs the admin key: none configured, none sent, a wrong one', async () => {
      const input = { name: 'guarded', images: [{ imageId: ids.get(FILES[0]) }], perImage: 2, perSession: 1 };
      const made = await admin(CREATE, { input });
      expect(made.errors).toBeUndefined();
      const id = made.data!.createCampaign.id;
      expect(made.data!.createCampaign).toMatchObject({ link: `/c/${id}`, open: true, perImage: 2 });
      const operations: [string, Record<string, unknown>][] = [
        [CREATE, { input }], ['query($id: ID!) { campaign(id: $id) { id } }', { id }], ['{ campaigns { id } }', {}],
        ['mutation($id: ID!) { closeCampaign(id: $id) { id } }', { id }], ['mutation($id: ID!) { reviewCampaign(id: $id) { rule } }', { id }],
      ];
      for (const [query, variables] of operations) {
        for (const key of [null, 'wrong-key-0123456789abcdef', `${KEY}x`, '']) {
          const r = await admin(query, variables, key);
          expect(r.errors?.[0]?.extensions?.code, `${query} with ${key}`).toBe('UNAUTHENTICATED');
          expect(r.status).toBe(401);
        }
      }
      // a server without SALIENCY_ADMIN_KEY refuses even the right key
      const keyed = s.server.services.campaigns;
      s.server.services.campaigns = new CampaignService(s.server.services.storage, s.server.services.annotations, null, keyed.frame);
      try {
        for (const [query, variables] of operations) {
          const r = await admin(query, variables);
          expect(r.errors?.[0]?.extensions?.code, query).toBe('ADMIN_DISABLED');
          expect(r.status).toBe(403);
        }
      } finally {
        s.server.services.campaigns = keyed;
      }
      // nothing was created or closed by the refused calls
      const { client } = createPrismaClient(url);
      try {
        expect(await client.campaign.count()).toBe(1);
        expect((await client.campaign.findUnique({ where: { id } }))!.open).toBe(true);
      } finally {
        await client.$disconnect();
      }
      // participants need no key; a closed campaign takes no new session
      expect((await s.gql(START, { c: id })).errors).toBeUndefined();
      expect((await admin('mutation($id: ID!) { closeCampaign(id: $id) { open } }', { id })).data!.closeCampaign.open).toBe(false);
      expect(await s.errorCode(START, { c: id })).toBe('CAMPAIGN_CLOSED');
    });

    it('a scarce campaign: 10 sessions at once for 2 images × 3 slots fill each image exactly to its quota', async () => {
      const made = await admin(CREATE, { input: { name: 'scarce', images: FILES.slice(0, 2).map((f) => ({ imageId: ids.get(f) })), perImage: 3, perSession: 2, minClicks: 2, refractoryMs: 100 } });
      const id = made.data!.createCampaign.id;
      const runs = await Promise.all(Array.from({ length: 10 }, (_, k) => participate(id, 500 + k, 'honest', k)));
      expect(runs.flatMap((r) => r.stored)).toHaveLength(6);
      expect(runs.filter((r) => r.last.noneLeft).length).toBeGreaterThanOrEqual(7);
      const v = await admin(VIEW, { id });
      for (const im of v.data!.campaign.images) expect(im).toMatchObject({ accepted: 3, inFlight: 0, quota: 3 });
    });

    it('50 concurrent sessions: no image over its quota, no annotation lost, counts exact; bad participants excluded with reasons; the curve rises', async () => {
      const made = await admin(CREATE, {
        input: {
          name: 'OSIE 12', images: FILES.map((f) => ({ imageId: ids.get(f) })), goldImageIds: [ids.get(GOLD)], perImage: 20, perSession: 4,
          maxClicks: BUDGET, minClicks: 2, refractoryMs: 100, timeLimitSeconds: 30, completionCode: 'C0MPL3TE',
        },
      });
      expect(made.errors).toBeUndefined();
      const id = made.data!.createCampaign.id;
      // the campaign's view while 50 sessions run: read in the middle, checked after
      const during: any[] = [];
      const sessions = Array.from({ length: 50 }, (_, k) => participate(id, 1000 + k, 'honest', k));
      during.push((await admin('query($id: ID!) { campaign(id: $id) { images { gold accepted inFlight quota } participants { sessions } } }', { id })).data!.campaign);
      const honest = await Promise.all(sessions);
      const careless = await participate(id, 77, 'careless', 0);
      const fraud = await participate(id, 78, 'one-spot', 0);
      const all = [...honest, careless, fraud];
      for (const r of all) expect(r.last).toMatchObject({ finished: true, done: 5, total: 5, completionCode: 'C0MPL3TE', annotation: null });
      const storedIds = all.flatMap((r) => r.stored);
      expect(new Set(storedIds).size).toBe(52 * 5);

      const { client } = createPrismaClient(url);
      try {
        // every annotation the participants were told is stored is stored, linked to its assignment
        const rows = await client.annotation.findMany({ where: { id: { in: storedIds } }, select: { id: true } });
        expect(rows).toHaveLength(storedIds.length);
        const linked = await client.campaignAssignment.count({ where: { campaignId: id, status: 'ACCEPTED', annotationId: { in: storedIds } } });
        expect(linked).toBe(storedIds.length);
        expect(await client.campaignAssignment.count({ where: { campaignId: id, status: { not: 'ACCEPTED' } } })).toBe(0);
      } finally {
        await client.$disconnect();
      }
      // Image.humanAttention pools every participant before the review…
      const HUMAN = 'query($i: ID!) { image(id: $i) { humanAttention(source: CROWD) { annotators pointCount } } }';
      const regularIds = FILES.map((f) => ids.get(f)!);
      const before = await Promise.all(regularIds.map(async (i) => (await s.gql(HUMAN, { i })).data!.image.humanAttention));
      const review = await admin('mutation($id: ID!) { reviewCampaign(id: $id) { session rule detail value threshold } }', { id });
      expect(review.errors).toBeUndefined();
      const v = (await admin(VIEW, { id })).data!.campaign;
      const regular = v.images.filter((im: any) => !im.gold);
      for (const im of [...regular, ...during[0].images.filter((im: any) => !im.gold)]) {
        expect(im.accepted + im.inFlight).toBeLessThanOrEqual(im.quota);
      }
      // counts exact: 52 × 4 regular images, balanced to within one of each other; the gold image by all 52
      expect(regular.reduce((n: number, im: any) => n + im.accepted, 0)).toBe(52 * 4);
      const counts = regular.map((im: any) => im.accepted);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
      expect(v.images.find((im: any) => im.gold)).toMatchObject({ accepted: 52, inFlight: 0 });
      expect(v.participants).toMatchObject({ sessions: 52, finished: 52 });

      // the careless and the fraudulent participant are excluded, with their reasons
      const sessionOf = async (token: string) => (await s.server.services.campaigns.store.sessionByAnnotator((await import('../../packages/api/src/annotations/tickets.js')).annotatorHash(token)))!.id;
      const carelessId = await sessionOf(careless.sessionToken);
      const fraudId = await sessionOf(fraud.sessionToken);
      const rules = (session: string) => v.exclusions.filter((e: any) => e.session === session).map((e: any) => e.rule).sort();
      console.log(`campaign ${db.provider}: exclusions`, JSON.stringify(v.exclusions.map((e: any) => ({ who: e.session === carelessId ? 'careless' : e.session === fraudId ? 'one-spot' : 'honest', rule: e.rule, detail: e.detail }))));
      expect(rules(carelessId)).toContain('LOW_AGREEMENT');
      expect(rules(fraudId)).toContain('ONE_SPOT');
      for (const e of v.exclusions) expect(e.detail.length).toBeGreaterThan(10);
      const honestExcluded = new Set(v.exclusions.map((e: any) => e.session).filter((x: string) => x !== carelessId && x !== fraudId));
      expect(honestExcluded.size).toBeLessThanOrEqual(2);
      expect(v.participants.excluded).toBe(honestExcluded.size + 2);
      // excluded participants are left out of the pooled maps
      for (const im of regular) expect(im.kept).toBeLessThanOrEqual(im.accepted);
      expect(regular.reduce((n: number, im: any) => n + im.accepted - im.kept, 0)).toBeGreaterThanOrEqual(8);
      // …and leaves the excluded ones out after it: the people and the points of the kept annotations
      const accepted = await s.server.services.campaigns.store.acceptedAnnotations(id);
      const out = new Set(v.exclusions.map((e: any) => e.session));
      // (the image's crowd annotations of the other campaigns above stay in)
      const points = (list: { points: unknown[] }[]) => list.reduce((n, a) => n + a.points.length, 0);
      for (const [k, imageId] of regularIds.entries()) {
        const im = v.images.find((x: any) => x.image.id === imageId);
        const all = await s.server.services.storage.listAnnotations(imageId, { source: 'CROWD' });
        const left = new Set(accepted.filter((p) => p.annotation.imageId === imageId && out.has(p.sessionId)).map((p) => p.annotation.id));
        expect(left.size).toBe(im.accepted - im.kept);
        expect(before[k]).toMatchObject({ annotators: all.length, pointCount: points(all) });
        const after = (await s.gql(HUMAN, { i: imageId })).data!.image.humanAttention;
        const kept = all.filter((a) => !left.has(a.id));
        expect(after, imageId).toMatchObject({ annotators: kept.length, pointCount: points(kept) });
      }

      // the reliability curve rises with the number of participants
      const curve = v.reliability as { participants: number; splitHalf: number; eyeTracking: number; images: number }[];
      console.log(`campaign ${db.provider}: reliability`, curve.map((p) => `${p.participants}:${p.splitHalf.toFixed(3)}/${p.eyeTracking.toFixed(3)}(${p.images})`).join(' '));
      const at = (n: number) => curve.find((p) => p.participants === n)!;
      const last = curve.filter((p) => p.images === 12).at(-1)!;
      expect(last.participants).toBeGreaterThanOrEqual(12);
      expect(last.splitHalf).toBeGreaterThan(at(2).splitHalf + 0.2);
      expect(last.eyeTracking).toBeGreaterThan(at(2).eyeTracking + 0.1);
      expect(at(4).splitHalf).toBeGreaterThan(at(2).splitHalf);
      expect(at(8).splitHalf).toBeGreaterThan(at(4).splitHalf);
    });
  });
}
