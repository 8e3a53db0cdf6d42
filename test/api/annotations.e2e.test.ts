// Crowdsourced annotation end to end over HTTP, on SQLite and on PostgreSQL: startAnnotation →
// submitAnnotation → Image.annotations / Image.humanAttention; every abuse case with its code and
// nothing stored; what a row holds (a hash, never the token or an address); the rate limit; and
// simulated annotators: the 15 OSIE observers of 3 images each clicking a random sample of their own
// fixations (at most the click budget, in viewing order, each click off the fixation by a Gaussian
// hand error of 8 px), whose pooled crowd density must match the eye-tracking density of all the
// observers far better than the centre bias does. Time is moved with the service's clock, not sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import {
  applyColormap, cc, centerBias, densityMap, humanCeiling, minMaxScale, parseOsie, type Fixation, type OsieImage,
} from '../../packages/core/src/index.js';
import { humanReference } from '../../packages/api/src/annotations/human-reference.js';
import { signTicket, type TicketPayload } from '../../packages/api/src/annotations/tickets.js';
import { createPrismaClient } from '../../packages/api/src/storage/open.js';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { rng } from '../helpers/random.js';

const root = resolve(__dirname, '../..');
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8')));
const SECRET = 'annotation-test-secret-0123456789';
const SIMULATED = ['1001.jpg', '1002.jpg', '1003.jpg'];
const BUDGET = 8;

const START = `mutation($input: StartAnnotationInput!) { startAnnotation(input: $input) {
  ticket annotatorToken image { id width height } task classIndex prompt maxClicks timeLimitSeconds bubbleRadius blurSigma expiresAt } }`;
const SUBMIT = `mutation($input: SubmitAnnotationInput!) { submitAnnotation(input: $input) {
  id source task classIndex prompt durationMs createdAt image { id } points { x y t duration } } }`;
const HUMAN = `query($id: ID!, $source: AnnotationSource!) { image(id: $id) { humanAttention(source: $source) {
  source annotators pointCount sigma points { x y annotator }
  agreement { splitHalf { metric name higherIsBetter value reason } leaveOneOut { metric name higherIsBetter value reason } }
  png(size: 400) } } }`;

interface Click { x: number; y: number; t: number }

async function upload(s: TestServer, file: string): Promise<string> {
  const bytes = readFileSync(resolve(osieDir, 'stimuli', file));
  const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: bytes.toString('base64') });
  expect(r.errors).toBeUndefined();
  return r.data!.uploadImage.id;
}

async function count(url: string): Promise<number> {
  const { client } = createPrismaClient(url);
  try {
    return await client.annotation.count();
  } finally {
    await client.$disconnect();
  }
}

/** Standard deviation of a simulated click's distance from the fixation it stands for, in image px. */
const HAND_ERROR = 8;

/**
 * An observer's fixations as BubbleView clicks: continuous positions (+0.5), times from the fixation
 * durations. The first `budget` fixations as they are, or, with `sample`, a seeded random sample of at
 * most `budget` of them in viewing order, each moved by a Gaussian hand error (Box-Muller) and kept on
 * the image.
 */
function clicksOf(fixations: readonly Fixation[], budget: number, sample?: { random: () => number; width: number; height: number }): Click[] {
  let chosen = fixations.slice(0, budget);
  let jitter = () => 0;
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1e-3);
  let [w, h] = [Infinity, Infinity];
  if (sample) {
    const { random } = sample;
    const order = fixations.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    chosen = order.slice(0, budget).sort((a, b) => a - b).map((i) => fixations[i]);
    jitter = () => HAND_ERROR * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    [w, h] = [sample.width, sample.height];
  }
  let t = 150; // the first click comes after a reaction time
  return chosen.map((f) => {
    const c = { x: clamp(f.x + 0.5 + jitter(), w), y: clamp(f.y + 0.5 + jitter(), h), t };
    t += Math.max(100, (f.duration ?? 200) + 30); // the fixation, then a short saccade; a hand needs 100 ms
    return c;
  });
}

/** Fixations (core's convention) in the scoring frame of a w×h image scaled by s. */
const toFrame = (points: readonly Fixation[], s: number) => points.map((p) => ({ x: (p.x + 0.5) * s - 0.5, y: (p.y + 0.5) * s - 0.5 }));

for (const db of testDatabases()) {
  describe.skipIf(!!db.skipReason)(`annotation API end to end on ${db.provider}`, () => {
    let s: TestServer;
    let url: string;
    let imageId: string;
    let now = Date.UTC(2026, 10, 30, 9, 0, 0);
    const start = (input: Record<string, unknown>) => s.gql(START, { input });
    const submit = (ticket: string, clicks: Click[]) => s.gql(SUBMIT, { input: { ticket, clicks } });

    beforeAll(async () => {
      url = await db.url();
      // the simulated crowd comes from one address: no limit on new annotators here (tested below)
      s = await startTestServer(url, {
        SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0', SALIENCY_ANNOTATION_SECRET: SECRET, SALIENCY_MODELS: 'squeezenet1.0',
      });
      s.server.services.annotations.clock = () => now;
      imageId = await upload(s, '1004.jpg');
    }, 120_000);
    afterAll(() => s?.close());

    it('start → submit → read back; the row holds the token\'s hash and no address', async () => {
      const r = await start({ imageId });
      expect(r.errors).toBeUndefined();
      const session = r.data!.startAnnotation;
      expect(session).toMatchObject({
        image: { id: imageId, width: 800, height: 600 }, task: 'DESCRIBE', classIndex: null,
        prompt: 'Click where you look to tell what this image shows.', maxClicks: 50, timeLimitSeconds: 120,
        expiresAt: new Date(now + 1_800_000).toISOString(),
      });
      // BubbleView's 32 px radius and 40 px blur at 600 px wide, scaled to 800 px
      expect(session.bubbleRadius).toBeCloseTo((32 * 800) / 600, 10);
      expect(session.blurSigma).toBeCloseTo((40 * 800) / 600, 10);
      expect(session.annotatorToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
      now += 4000;
      const clicks = [{ x: 400.5, y: 300.25, t: 500 }, { x: 0, y: 599.75, t: 1500 }, { x: 799.99, y: 0, t: 3900 }];
      const sub = await submit(session.ticket, clicks);
      expect(sub.errors).toBeUndefined();
      expect(sub.data!.submitAnnotation).toMatchObject({
        source: 'CROWD', task: 'DESCRIBE', classIndex: null, prompt: session.prompt, durationMs: 3900, image: { id: imageId },
        points: clicks.map((c) => ({ ...c, duration: null })),
      });
      const listed = await s.gql('query($id: ID!) { image(id: $id) { annotations(source: CROWD) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id points { x y t } } } } eye: annotations(source: EYE_TRACKING) { totalCount edges { node { id } } } } }', { id: imageId });
      const crowdPage = listed.data!.image.annotations;
      expect(crowdPage.edges.map((e: { node: unknown }) => e.node)).toEqual([{ id: sub.data!.submitAnnotation.id, points: clicks }]);
      expect([crowdPage.totalCount, crowdPage.pageInfo.hasNextPage, crowdPage.pageInfo.endCursor]).toEqual([1, false, crowdPage.edges[0].cursor]);
      expect(listed.data!.image.eye).toEqual({ totalCount: 0, edges: [] });
      const after = await s.gql('query($id: ID!, $a: String) { image(id: $id) { annotations(after: $a) { totalCount edges { node { id } } } } }', { id: imageId, a: crowdPage.pageInfo.endCursor });
      expect(after.data!.image.annotations).toEqual({ totalCount: 1, edges: [] });
      expect(await s.errorCode('query($id: ID!) { image(id: $id) { annotations(after: "nope!") { totalCount } } }', { id: imageId })).toBe('BAD_CURSOR');

      const { client } = createPrismaClient(url);
      try {
        const rows = await client.annotation.findMany();
        expect(rows).toHaveLength(1);
        const row = rows[0];
        expect(row.annotator).toBe(createHash('sha256').update(session.annotatorToken).digest('hex'));
        const text = JSON.stringify(rows);
        expect(text).not.toContain(session.annotatorToken);
        for (const address of ['127.0.0.1', '::1', 'localhost']) expect(text).not.toContain(address);
        expect(Object.keys(row).sort()).toEqual(['annotator', 'classIndex', 'createdAt', 'durationMs', 'id', 'imageId', 'model', 'nonce', 'points', 'prompt', 'source', 'task']);
      } finally {
        await client.$disconnect();
      }
      // one annotator: a map, but no agreement
      const h = await s.gql(HUMAN, { id: imageId, source: 'CROWD' });
      expect(h.errors).toBeUndefined();
      expect(h.data!.image.humanAttention).toMatchObject({ source: 'CROWD', annotators: 1, pointCount: 3, sigma: 24, agreement: null });
      const none = await s.gql(HUMAN, { id: imageId, source: 'EYE_TRACKING' });
      expect(none.data!.image.humanAttention).toBeNull();
    });

    it('every abuse is refused with its code, and stores nothing', async () => {
      const before = await count(url);
      const fresh = async (input: Record<string, unknown> = {}) => {
        const r = await start({ imageId, ...input });
        expect(r.errors).toBeUndefined();
        return r.data!.startAnnotation as { ticket: string; annotatorToken: string };
      };
      const code = async (ticket: string, clicks: Click[]) => (await submit(ticket, clicks)).errors?.[0]?.extensions?.code;
      const ok = [{ x: 10, y: 10, t: 200 }];

      const a = await fresh({ maxClicks: 3 });
      now += 1000;
      expect(await code(a.ticket, [])).toBe('NO_CLICKS');
      expect(await code(a.ticket, [1, 2, 3, 4].map((i) => ({ x: i, y: i, t: i })))).toBe('TOO_MANY_CLICKS');
      for (const [x, y] of [[800, 10], [10, 600], [-0.01, 10], [10, -1]]) expect(await code(a.ticket, [{ x, y, t: 100 }])).toBe('CLICK_OUT_OF_BOUNDS');
      expect(await code(a.ticket, [{ x: 1, y: 1, t: 500 }, { x: 2, y: 2, t: 400 }])).toBe('BAD_CLICK_TIMES');
      expect(await code(a.ticket, [{ x: 1, y: 1, t: -5 }])).toBe('BAD_CLICK_TIMES');
      // claiming more time than passed: 1 s since the ticket was issued, a click at 60 s (within the limit)
      expect(await code(a.ticket, [{ x: 1, y: 1, t: 60_000 }])).toBe('BAD_CLICK_TIMES');
      // past the session's time limit, even though enough time passed
      const b = await fresh({ timeLimitSeconds: 5 });
      now += 30_000;
      expect(await code(b.ticket, [{ x: 1, y: 1, t: 20_000 }])).toBe('BAD_CLICK_TIMES');
      // clicks no person makes: 50 at t = 0, or 1 ms apart (HTTP 400, IMPOSSIBLE_TIMING)
      const e = await fresh();
      now += 20_000;
      const at0 = await submit(e.ticket, Array.from({ length: 50 }, (_, i) => ({ x: 10 + i, y: 10, t: 0 })));
      expect([at0.status, at0.errors?.[0]?.extensions?.code]).toEqual([400, 'IMPOSSIBLE_TIMING']);
      expect(await code(e.ticket, Array.from({ length: 50 }, (_, i) => ({ x: 10 + i, y: 10, t: 1000 + i })))).toBe('IMPOSSIBLE_TIMING');
      // forged, altered, signed with another key
      expect(await code('not-a-ticket', ok)).toBe('BAD_TICKET');
      const [body, sig] = a.ticket.split('.');
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketPayload;
      const richer = Buffer.from(JSON.stringify({ ...payload, maxClicks: 1000 })).toString('base64url');
      expect(await code(`${richer}.${sig}`, ok)).toBe('BAD_TICKET');
      expect(await code(signTicket({ ...payload, nonce: randomBytes(16).toString('base64url') }, randomBytes(32)), ok)).toBe('BAD_TICKET');
      // expired: the server's clock past the TTL; a validly signed ticket issued long ago
      const c = await fresh();
      now += 1_800_001;
      expect(await code(c.ticket, ok)).toBe('TICKET_EXPIRED');
      const old = signTicket({ ...payload, nonce: randomBytes(16).toString('base64url'), issuedAt: now - 7_200_000, expiresAt: now - 3_600_000 }, Buffer.from(SECRET));
      expect(await code(old, ok)).toBe('TICKET_EXPIRED');
      expect(await count(url)).toBe(before);

      // replay of a used ticket; the same annotator again with a new ticket
      const d = await fresh();
      now += 1000;
      expect((await submit(d.ticket, ok)).errors).toBeUndefined();
      expect(await code(d.ticket, ok)).toBe('REPLAYED_SUBMISSION');
      const again = await fresh({ annotatorToken: d.annotatorToken });
      now += 1000;
      expect(await code(again.ticket, ok)).toBe('DUPLICATE_SUBMISSION');
      // the same annotator may still FIND a class on this image, once
      const find = await fresh({ annotatorToken: d.annotatorToken, task: 'FIND', classIndex: 282 });
      now += 1000;
      expect((await submit(find.ticket, ok)).errors).toBeUndefined();
      const find2 = await fresh({ annotatorToken: d.annotatorToken, task: 'FIND', classIndex: 282 });
      now += 1000;
      expect(await code(find2.ticket, ok)).toBe('DUPLICATE_SUBMISSION');
      expect(await count(url)).toBe(before + 2);

      // bad session requests
      expect(await s.errorCode(START, { input: { imageId, annotatorToken: 'x'.repeat(22) } })).toBe('BAD_REQUEST');
      expect(await s.errorCode(START, { input: { imageId, task: 'FIND', classIndex: 1000 } })).toBe('BAD_CLASS');
      expect(await s.errorCode(START, { input: { imageId, task: 'FIND', classIndex: 1, model: 'nope' } })).toBe('UNKNOWN_MODEL');
      expect(await s.errorCode(START, { input: { imageId, task: 'FIND' } })).toBe('BAD_REQUEST');
      expect(await s.errorCode(START, { input: { imageId, maxClicks: 0 } })).toBe('BAD_REQUEST');
      expect((await s.gql(START, { input: { imageId, maxClicks: 51, timeLimitSeconds: 600 } })).data!.startAnnotation).toMatchObject({ maxClicks: 50, timeLimitSeconds: 120 });
      expect(await s.errorCode(START, { input: { imageId: '0'.repeat(64) } })).toBe('NOT_FOUND');
      // a value outside the enum is the client's mistake, not a server error
      const enumError = await s.gql(START, { input: { imageId, task: 'FREE_VIEWING' } });
      expect([enumError.status, enumError.errors?.[0]?.extensions?.code]).toEqual([400, 'BAD_USER_INPUT']);
      const p = await s.gql(START, { input: { imageId, task: 'FIND', classIndex: 282 } });
      expect(p.data!.startAnnotation.prompt).toBe('Click where you look to find the tiger cat.');
      expect(await count(url)).toBe(before + 2);
    });

    it('simulated annotators: 15 OSIE observers per image clicking a sample of their fixations through the API', async () => {
      const rows: string[] = [];
      for (const file of SIMULATED) {
        const im = OSIE.find((o) => o.file === file) as OsieImage;
        expect(im.observers.every((o) => o.length > 0)).toBe(true);
        const id = await upload(s, file);
        const submitted: Click[][] = [];
        const random = rng(SIMULATED.indexOf(file) + 1);
        for (const fixations of im.observers) {
          const r = await start({ imageId: id, maxClicks: BUDGET });
          expect(r.errors).toBeUndefined();
          const clicks = clicksOf(fixations, BUDGET, { random, width: im.width, height: im.height });
          now += clicks[clicks.length - 1].t + 800; // the annotator takes as long as the clicks say
          const sub = await submit(r.data!.startAnnotation.ticket, clicks);
          expect(sub.errors).toBeUndefined();
          submitted.push(clicks);
        }
        const h = await s.gql(HUMAN, { id, source: 'CROWD' });
        expect(h.errors).toBeUndefined();
        const ha = h.data!.image.humanAttention;
        expect(ha.annotators).toBe(15);
        expect(ha.pointCount).toBe(submitted.flat().length);
        expect(ha.sigma).toBeCloseTo(24, 10);
        expect(ha.points).toEqual(submitted.flatMap((cs, annotator) => cs.map((c) => ({ x: c.x, y: c.y, annotator }))));

        // the pooled density, from the server, against independent computations in the 400×300 frame
        const image = (await s.server.services.storage.getImage(id))!;
        const pooled = (await humanReference(s.server.services, image, 'CROWD'))!;
        expect([pooled.width, pooled.height, pooled.scale, pooled.frameSigma]).toEqual([400, 300, 0.5, 12]);
        const clicked = densityMap(toFrame(submitted.flat().map((c) => ({ x: c.x - 0.5, y: c.y - 0.5 })), 0.5), 400, 300, { sigma: 12 });
        const worst = pooled.density.values.reduce((m, v, i) => Math.max(m, Math.abs(v - clicked.values[i])), 0);
        expect(worst).toBeLessThan(1e-6 * Math.max(...clicked.values));
        const eye = densityMap(toFrame(im.observers.flat(), 0.5), 400, 300, { sigma: 12 });
        const crowdCc = cc(pooled.density, eye);
        const centreCc = cc(centerBias({ width: 400, height: 300 }), eye);
        rows.push(`${file}: CC(crowd, eye tracking) = ${crowdCc.toFixed(3)}, CC(centre bias, eye tracking) = ${centreCc.toFixed(3)}`);
        expect(crowdCc).toBeGreaterThan(0.85);
        expect(crowdCc - centreCc).toBeGreaterThan(0.3);

        // agreement: the human ceiling of the same people in the same frame, computed here
        const ceiling = humanCeiling(submitted.map((cs) => toFrame(cs.map((c) => ({ x: c.x - 0.5, y: c.y - 0.5 })), 0.5)), 400, 300, {
          sigma: 12, metrics: ['cc', 'nss', 'auc-judd', 'sim'], repetitions: 10, seed: 0, outOfBounds: 'clamp',
        });
        for (const kind of ['splitHalf', 'leaveOneOut'] as const) {
          const got = ha.agreement[kind] as { metric: string; value: number }[];
          expect(got.map((g) => g.metric)).toEqual(['cc', 'nss', 'auc-judd', 'sim']);
          for (const g of got) expect(Math.abs(g.value - ceiling[kind][g.metric].mean)).toBeLessThan(1e-9);
          const v = Object.fromEntries(got.map((g) => [g.metric, g.value]));
          expect(v.cc).toBeGreaterThan(0.3);
          expect(v.cc).toBeLessThan(1);
          expect(v['auc-judd']).toBeGreaterThan(0.7);
          expect(v.nss).toBeGreaterThan(1);
          expect(v.sim).toBeGreaterThan(0.2);
          rows.push(`  ${kind}: ${got.map((g) => `${g.metric} ${g.value.toFixed(3)}`).join(', ')}`);
        }

        // the PNG at the frame's size is the colormapped, min-max scaled density
        const png = Buffer.from(ha.png.split(',')[1], 'base64');
        const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height, info.channels]).toEqual([400, 300, 3]);
        const expected = applyColormap({ width: 400, height: 300, values: minMaxScale(pooled.density.values) }, 'jet');
        let off = 0;
        for (let i = 0; i < expected.length; i++) off = Math.max(off, Math.abs(data[i] - expected[i]));
        expect(off).toBe(0);
      }
      console.log(`simulated annotators (${db.provider}, budget ${BUDGET} clicks):\n${rows.join('\n')}`);
    });

    it('pooled attention is cached per annotation count and recomputed when one arrives', async () => {
      const id = await upload(s, '1005.jpg');
      const pool = s.server.services.annotations.human;
      const fixations = OSIE.find((o) => o.file === '1005.jpg')!.observers;
      for (const f of fixations.slice(0, 2)) {
        const r = await start({ imageId: id });
        const clicks = clicksOf(f, 5);
        now += clicks[clicks.length - 1].t + 100;
        expect((await submit(r.data!.startAnnotation.ticket, clicks)).errors).toBeUndefined();
      }
      const before = pool.computed;
      const q = `query($id: ID!) { image(id: $id) { humanAttention(source: CROWD) { annotators agreement { leaveOneOut { value } } } } }`;
      expect((await s.gql(q, { id })).data!.image.humanAttention.annotators).toBe(2);
      expect((await s.gql(q, { id })).data!.image.humanAttention.annotators).toBe(2);
      expect(pool.computed).toBe(before + 1);
      const r = await start({ imageId: id });
      const clicks = clicksOf(fixations[2], 5);
      now += clicks[clicks.length - 1].t + 100;
      await submit(r.data!.startAnnotation.ticket, clicks);
      expect((await s.gql(q, { id })).data!.image.humanAttention.annotators).toBe(3);
      expect(pool.computed).toBe(before + 2);
      // overlay PNG at another size and colormap
      const ov = await s.gql(`query($id: ID!) { image(id: $id) { humanAttention(source: CROWD) { png(overlay: true, colormap: TURBO, size: 200) } } }`, { id });
      const meta = await sharp(Buffer.from(ov.data!.image.humanAttention.png.split(',')[1], 'base64')).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([200, 150, 'png']);
      expect(await s.errorCode(`query($id: ID!) { image(id: $id) { humanAttention(source: CROWD) { png(size: 0) } } }`, { id })).toBe('BAD_REQUEST');
      expect(await s.errorCode(`query($id: ID!) { image(id: $id) { annotations(first: 101) { totalCount } } }`, { id })).toBe('BAD_REQUEST');
    });

    it('rate limit: SALIENCY_ANNOTATION_RATE=3 submissions per minute', async () => {
      const limited = await startTestServer(url, { SALIENCY_ANNOTATION_RATE: '3', SALIENCY_MODELS: 'squeezenet1.0' });
      try {
        const before = await count(url);
        const token = (await limited.gql(START, { input: { imageId } })).data!.startAnnotation.annotatorToken as string;
        const codes: (string | undefined)[] = [];
        for (const classIndex of [1, 2, 3, 4]) {
          const r = await limited.gql(START, { input: { imageId, task: 'FIND', classIndex, annotatorToken: token } });
          const res = await fetch(`${limited.url}/graphql`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: SUBMIT, variables: { input: { ticket: r.data!.startAnnotation.ticket, clicks: [{ x: 5, y: 5, t: 200 }] } } }),
          });
          const body = (await res.json()) as { errors?: { extensions: { code: string; retryAfter?: number } }[] };
          codes.push(body.errors?.[0]?.extensions?.code);
          if (body.errors) {
            // the typed error, with HTTP 429 and Retry-After as the README's table says
            expect(res.status).toBe(429);
            expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
            expect(Number(res.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(body.errors[0].extensions.retryAfter!)));
          } else {
            expect(res.status).toBe(200);
          }
        }
        expect(codes).toEqual([undefined, undefined, undefined, 'RATE_LIMITED']);
        expect(await count(url)).toBe(before + 3);
      } finally {
        await limited.close();
      }
    }, 120_000);

    it('new annotators are limited per client address; behind a trusted proxy the address comes from X-Forwarded-For', async () => {
      const post = (server: TestServer, forwardedFor?: string) => fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
        body: JSON.stringify({ query: START, variables: { input: { imageId } } }),
      }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { errors?: { extensions: { code: string } }[]; data?: { startAnnotation: { annotatorToken: string } } } }));
      const codeOf = (r: Awaited<ReturnType<typeof post>>) => r.body.errors?.[0]?.extensions.code ?? 'OK';

      // a database of its own: on PostgreSQL the counters are kept in the database, shared by the servers
      // on it and across their restarts, so the earlier tests' new annotators from this address would count
      const fresh = await db.url();
      // no proxy trusted (the default): X-Forwarded-For is the client's own text and changes nothing
      const direct = await startTestServer(fresh, { SALIENCY_ANNOTATION_NEW_ANNOTATORS: '2', SALIENCY_MODELS: 'squeezenet1.0' });
      try {
        expect(await upload(direct, '1004.jpg')).toBe(imageId);
        const codes = [];
        for (const spoof of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) codes.push(codeOf(await post(direct, spoof)));
        expect(codes).toEqual(['OK', 'OK', 'RATE_LIMITED']);
      } finally {
        await direct.close();
      }

      // one trusted proxy in front: each forwarded address has its own allowance
      const proxied = await startTestServer(fresh, { SALIENCY_ANNOTATION_NEW_ANNOTATORS: '2', SALIENCY_TRUST_PROXY: '1', SALIENCY_MODELS: 'squeezenet1.0' });
      try {
        const alice = [await post(proxied, '203.0.113.7'), await post(proxied, '198.51.100.1, 203.0.113.7'), await post(proxied, '203.0.113.7')];
        expect(alice.map(codeOf)).toEqual(['OK', 'OK', 'RATE_LIMITED']);
        expect(alice[2].status).toBe(429);
        expect(Number(alice[2].retryAfter)).toBeGreaterThan(0);
        expect(codeOf(await post(proxied, '203.0.113.8'))).toBe('OK');
        // a token from an earlier session is not a new annotator
        const token = alice[0].body.data!.startAnnotation.annotatorToken;
        const again = await proxied.gql(START, { input: { imageId, annotatorToken: token } });
        expect(again.errors).toBeUndefined();
      } finally {
        await proxied.close();
      }
    }, 120_000);
  });
}
