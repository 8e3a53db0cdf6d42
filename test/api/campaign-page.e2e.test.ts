// A campaign run through its real participant page (/c/<id>) in Debian's Chromium: 12 OSIE images, 12
// honest simulated participants (an OSIE observer's real fixations clicked with hand error, test/helpers/
// campaign-participants.ts), one careless (random clicks) and one fraudulent (one spot), each through the
// instructions, the practice picture, six images in <saliency-explainer annotate> with real mouse clicks,
// and the completion code. Then: every image at its quota, the careless and the fraudulent participant
// excluded with their reasons, and the pooled crowd maps' CC with the eye tracking rising with the number
// of participants (checked at its last point against the same CC computed here from the stored clicks).
// The dashboard shows what the API says (a wrong key refused first); a session's end goes to the
// redirect address; a participant finding every slot in flight is told to come back; a link to no
// campaign is a 404 page and a closed campaign's page starts nothing.
// Time is moved, not waited for: the page's performance.now (the widget's click times and countdown)
// and the server's annotation clock are frozen and advance together by each simulated interval, so no
// step depends on how long the machine takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { cc, densityMap, humanMap, parseOsie, type Fixation, type OsieImage } from '../../packages/core/src/index.js';
import { annotatorHash } from '../../packages/api/src/annotations/tickets.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';
import { rng } from '../helpers/random.js';
import { clicksOf, type Behaviour, type SimClick } from '../helpers/campaign-participants.js';

const root = resolve(__dirname, '../..');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const skip = !existsSync(chromium) && !process.env.CI ? `no Chromium at ${chromium} (CHROME_PATH)` : null;
const osieDir = resolve(root, '../shared/data/osie');
const OSIE = new Map(parseOsie(JSON.parse(readFileSync(resolve(osieDir, 'fixations.json'), 'utf8'))).map((o) => [o.file, o]));
const FILES = Array.from({ length: 12 }, (_, i) => `${1001 + i}.jpg`);
const KEY = 'campaign-page-admin-key-0123456789';
const BUDGET = 8;
const PER_SESSION = 6;
const HONEST = 12;
/** 14 participants × 6 images = 84 = 12 images × 7: every image exactly at its quota when all finish. */
const PER_IMAGE = ((HONEST + 2) * PER_SESSION) / FILES.length;
/** Where the screenshots go when asked for (CAMPAIGN_SCREENSHOTS=docs/images). */
const SHOTS = process.env.CAMPAIGN_SCREENSHOTS ? resolve(root, process.env.CAMPAIGN_SCREENSHOTS) : null;

const VIEW = `query($id: ID!) { campaign(id: $id) { id open
  images { image { id } accepted kept inFlight quota }
  participants { sessions finished excluded }
  exclusions { session rule detail value threshold }
  reliability { participants splitHalf eyeTracking images } } }`;

/** The task widget's shadow part, as a page-side expression. */
const TASK = '#task';

describe.skipIf(!!skip)(`a campaign through its participant page in Chromium${skip ? ` (${skip})` : ''}`, () => {
  let s: TestServer;
  let browser: Browser;
  const files = new Map<string, string>(); // image id → OSIE file
  const ids = new Map<string, string>(); // OSIE file → image id
  /** ms the server's annotation clock has moved since the server started (with the pages' clocks). */
  let ahead = 0;

  const admin = async <T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, ...((await res.json()) as object) };
  };

  beforeAll(async () => {
    const db = testDatabases().find((d) => d.provider === 'sqlite')!;
    s = await startTestServer(await db.url(), {
      SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0', SALIENCY_RATE_LIMIT: '0', SALIENCY_ADMIN_KEY: KEY, SALIENCY_MODELS: 'squeezenet1.0',
    });
    // the server's clock moves only with the test's (tickets, their expiry, the time since issue): the
    // real time a slow machine takes between two steps counts for nothing. It starts at a fixed instant,
    // not the wall clock's: everything it is compared with (a ticket's issue and expiry, an assignment's
    // expiry) is read from it too
    const start = Date.UTC(2026, 0, 1);
    s.server.services.annotations.clock = () => start + ahead;
    for (const file of FILES) {
      const r = await s.gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: readFileSync(resolve(osieDir, 'stimuli', file)).toString('base64') });
      expect(r.errors).toBeUndefined();
      ids.set(file, r.data!.uploadImage.id);
      files.set(r.data!.uploadImage.id, file);
    }
    await s.server.services.storage.addAnnotations(FILES.flatMap((file) => OSIE.get(file)!.observers.map((points, o) => ({
      imageId: ids.get(file)!, source: 'EYE_TRACKING' as const, annotator: `osie:${o}`, task: 'FREE_VIEWING', classIndex: null, model: null, prompt: null, nonce: null,
      points: points.map((p) => ({ x: p.x, y: p.y, ...(p.duration === undefined ? {} : { duration: p.duration }) })), durationMs: null,
    }))));
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A new tab on the campaign's link with a clock the test moves (performance.now frozen, moved by __advance). */
  async function open(id: string): Promise<Page> {
    const page = await browser.newPage();
    // no wall-clock limit on any wait: a step that never comes is stopped by the test runner's timeout
    page.setDefaultTimeout(0);
    await page.setViewport({ width: 1000, height: 1100 });
    await page.evaluateOnNewDocument(() => {
      let now = Math.round(performance.now());
      performance.now = () => now;
      (window as unknown as { __advance: (ms: number) => void }).__advance = (ms: number) => {
        now += ms;
      };
      (window as unknown as { __submitted: unknown[] }).__submitted = [];
      document.addEventListener('annotation-submitted', (e) => (window as unknown as { __submitted: unknown[] }).__submitted.push((e as CustomEvent).detail));
    });
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${s.url}/c/${id}`, { waitUntil: 'load' });
    return page;
  }

  /** Move the page's clock and the server's together. */
  async function advance(page: Page, ms: number): Promise<void> {
    ahead += ms;
    await page.evaluate((d) => (window as unknown as { __advance: (ms: number) => void }).__advance(d), ms);
  }

  /** Wait until the widget `sel` shows the shadow part `part`. */
  const waitPart = (page: Page, sel: string, part: string) => page.waitForFunction((q, p) => !!document.querySelector(q)?.shadowRoot?.querySelector(`[part~="${p}"]`), { polling: 50 }, sel, part);

  async function clickPart(page: Page, sel: string, part: string): Promise<void> {
    await waitPart(page, sel, part);
    const c = await page.$eval(sel, (w, p) => {
      const el = w.shadowRoot!.querySelector(`[part~="${p}"]`)!;
      el.scrollIntoView({ block: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, part);
    await page.mouse.click(c.x, c.y);
  }

  /** Press the widget's Start, then click each image point after its interval (real mouse clicks on the canvas). */
  async function annotate(page: Page, sel: string, clicks: readonly SimClick[], width: number, height: number): Promise<void> {
    await clickPart(page, sel, 'start');
    await page.waitForFunction((q) => /\d:\d\d/.test(document.querySelector(q)?.shadowRoot?.querySelector('[part~="timer"]')?.textContent ?? ''), { polling: 50 }, sel);
    let t = 0;
    for (const [k, c] of clicks.entries()) {
      await advance(page, c.t - t);
      t = c.t;
      const box = await page.$eval(sel, (w) => {
        const r = w.shadowRoot!.querySelector('canvas')!.getBoundingClientRect();
        return { x: r.left, y: r.top, width: r.width, height: r.height };
      });
      await page.mouse.click(box.x + (c.x / width) * box.width, box.y + (c.y / height) * box.height);
      await page.waitForFunction((q, n) => new RegExp(`Clicks left ${n} of`).test(document.querySelector(q)!.shadowRoot!.querySelector('[part~="clicks-left"]')!.textContent ?? ''),
        { polling: 20 }, sel, String(BUDGET - k - 1));
    }
  }

  /** One participant through the whole page; returns its session token and the completion code shown. */
  async function participate(id: string, behaviour: Behaviour, observer: number, seed: number, shot?: (page: Page, name: string) => Promise<void>): Promise<{ token: string; code: string; images: string[] }> {
    const random = rng(seed);
    const page = await open(id);
    await page.waitForFunction(() => document.body.dataset.state === 'intro');
    // the practice picture with the campaign's terms: Submit waits for the minimum of 2 clicks, and a
    // click within the refractory period (100 ms) after the previous one reveals nothing
    await annotate(page, '#practice', [{ x: 200, y: 150, t: 400 }], 600, 400);
    const submitDisabled = () => page.$eval('#practice', (w) => (w.shadowRoot!.querySelector('[part~="submit"]') as HTMLButtonElement).disabled);
    expect(await submitDisabled()).toBe(true);
    await advance(page, 60);
    const box = await page.$eval('#practice', (w) => w.shadowRoot!.querySelector('canvas')!.getBoundingClientRect().toJSON() as DOMRect);
    await page.mouse.click(box.left + box.width * 0.7, box.top + box.height * 0.5);
    expect(await page.$eval('#practice', (w) => w.shadowRoot!.querySelector('[part~="clicks-left"]')!.textContent)).toMatch(new RegExp(`Clicks left ${BUDGET - 1} of`));
    await advance(page, 400);
    await page.mouse.click(box.left + box.width * 0.7, box.top + box.height * 0.5);
    await page.waitForFunction((q, n) => new RegExp(`Clicks left ${n} of`).test(document.querySelector(q)!.shadowRoot!.querySelector('[part~="clicks-left"]')!.textContent ?? ''),
      { polling: 20 }, '#practice', String(BUDGET - 2));
    expect(await submitDisabled()).toBe(false);
    await clickPart(page, '#practice', 'submit');
    await page.waitForFunction(() => !(document.getElementById('begin') as HTMLButtonElement).disabled);
    if (shot) await shot(page, 'campaign-participant-intro.png');
    expect(await page.evaluate(() => (window as unknown as { __submitted: { practice?: boolean; annotationId: string | null }[] }).__submitted)).toEqual([expect.objectContaining({ practice: true, annotationId: null })]);
    await page.click('#begin');
    const images: string[] = [];
    for (let k = 0; k < PER_SESSION; k++) {
      await page.waitForFunction((q, n) => {
        const w = document.querySelector(q) as unknown as { ticket: { image: { id: string } } | null; shadowRoot: ShadowRoot } | null;
        return document.body.dataset.state === 'annotating' && (window as unknown as { __submitted: unknown[] }).__submitted.length === n
          && !!w?.ticket && !!w.shadowRoot.querySelector('[part~="start"]');
      }, { polling: 50 }, TASK, 1 + k);
      const ticket = await page.$eval(TASK, (w) => (w as unknown as { ticket: { image: { id: string; width: number; height: number } } }).ticket.image);
      expect(await page.$eval('#count', (e) => e.textContent)).toBe(`${k} of ${PER_SESSION} images`);
      images.push(ticket.id);
      const osie = OSIE.get(files.get(ticket.id)!) as OsieImage;
      const clicks = clicksOf(behaviour, osie.observers[observer % osie.observers.length], ticket.width, ticket.height, random, BUDGET);
      await annotate(page, TASK, clicks, ticket.width, ticket.height);
      if (shot && k === 1) await shot(page, 'campaign-participant.png');
      await clickPart(page, TASK, 'submit');
    }
    await page.waitForFunction(() => document.body.dataset.state === 'finished');
    const code = await page.$eval('#code', (e) => e.textContent ?? '');
    expect(await page.$eval('#count', (e) => e.textContent)).toBe(`${PER_SESSION} of ${PER_SESSION} images`);
    const token = await page.$eval(TASK, (w) => (w as unknown as { campaignSession: string }).campaignSession);
    await page.close();
    return { token, code, images };
  }

  it('14 participants through the page: every image at its quota, the careless and the fraudulent excluded with reasons, the crowd map approaching the eye tracking', async () => {
    const made = await admin('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id link } }', {
      input: {
        name: 'Where do you look? (OSIE 12)', images: FILES.map((f) => ({ imageId: ids.get(f) })), perImage: PER_IMAGE, perSession: PER_SESSION,
        maxClicks: BUDGET, minClicks: 2, refractoryMs: 100, timeLimitSeconds: 30, completionCode: 'C0MPL3TE',
      },
    });
    expect(made.errors).toBeUndefined();
    const id = made.data!.createCampaign.id;

    const people: { behaviour: Behaviour; token: string; images: string[] }[] = [];
    const plan: Behaviour[] = [...Array(HONEST).fill('honest')];
    // the bad ones in the middle of the crowd, not at its end
    plan.splice(4, 0, 'careless');
    plan.splice(9, 0, 'one-spot');
    for (const [k, behaviour] of plan.entries()) {
      const shot = SHOTS && k === 0 ? async (page: Page, name: string) => {
        mkdirSync(SHOTS, { recursive: true });
        await page.evaluate(() => window.scrollTo(0, 0));
        // down to the last thing shown, not the empty viewport below it
        const height = await page.evaluate(() => Math.ceil(Math.max(...[...document.querySelectorAll('header, section')].filter((e) => !(e as HTMLElement).hidden).map((e) => e.getBoundingClientRect().bottom)) + 24));
        await page.screenshot({ path: resolve(SHOTS, name), clip: { x: 0, y: 0, width: 1000, height }, captureBeyondViewport: true });
      } : undefined;
      const r = await participate(id, behaviour, k, 3000 + k, shot);
      expect(r.code).toBe('C0MPL3TE');
      expect(new Set(r.images).size).toBe(PER_SESSION);
      people.push({ behaviour, token: r.token, images: r.images });
    }

    const review = await admin('mutation($id: ID!) { reviewCampaign(id: $id) { session rule } }', { id });
    expect(review.errors).toBeUndefined();
    const v = (await admin(VIEW, { id })).data!.campaign;
    // every image at its quota, nothing in flight, every participant finished
    for (const im of v.images) expect(im).toMatchObject({ accepted: PER_IMAGE, quota: PER_IMAGE, inFlight: 0 });
    expect(v.participants).toMatchObject({ sessions: plan.length, finished: plan.length });

    const sessionOf = async (token: string) => (await s.server.services.campaigns.store.sessionByAnnotator(annotatorHash(token)))!.id;
    const who = new Map<string, Behaviour>();
    for (const p of people) who.set(await sessionOf(p.token), p.behaviour);
    const rules = (b: Behaviour) => v.exclusions.filter((e: any) => who.get(e.session) === b);
    console.log('campaign page: exclusions', JSON.stringify(v.exclusions.map((e: any) => ({ who: who.get(e.session), rule: e.rule, detail: e.detail }))));
    expect(rules('careless').map((e: any) => e.rule)).toContain('LOW_AGREEMENT');
    expect(rules('one-spot').map((e: any) => e.rule)).toContain('ONE_SPOT');
    for (const e of v.exclusions) expect(e.detail).toMatch(/\d/);
    expect(new Set(rules('honest').map((e: any) => e.session)).size).toBeLessThanOrEqual(1);
    const excluded = new Set(v.exclusions.map((e: any) => e.session));
    expect(v.participants.excluded).toBe(excluded.size);
    // kept = accepted less the excluded participants' annotations of the image
    const excludedImages = await Promise.all(people.map(async (p) => (excluded.has(await sessionOf(p.token)) ? p.images : []))).then((l) => l.flat());
    for (const im of v.images) expect(im.kept).toBe(im.accepted - excludedImages.filter((x) => x === im.image.id).length);

    // the pooled crowd map's CC with the eye tracking rises with the number of participants
    const curve = v.reliability as { participants: number; splitHalf: number; eyeTracking: number; images: number }[];
    console.log('campaign page: reliability', curve.map((p) => `${p.participants}: split-half ${p.splitHalf.toFixed(3)}, eye tracking ${p.eyeTracking.toFixed(3)} (${p.images} images)`).join('; '));
    expect(curve[0].participants).toBe(2);
    const full = curve.filter((p) => p.images === FILES.length);
    expect(full.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < full.length; i++) expect(full[i].eyeTracking).toBeGreaterThan(full[i - 1].eyeTracking);
    expect(full.at(-1)!.eyeTracking).toBeGreaterThan(full[0].eyeTracking + 0.03);
    expect(full.at(-1)!.splitHalf).toBeGreaterThan(full[0].splitHalf + 0.1);

    // one image's last point, independently: all of its kept participants pooled (every draw of n = all
    // of them is the same set), each person's density summed, CC with the eye-tracking density
    const frame = s.server.services.campaigns.frame;
    const im = v.images[0];
    const image = (await s.server.services.storage.getImage(im.image.id))!;
    const one = (await admin('query($id: ID!, $i: ID) { campaign(id: $id) { reliability(imageId: $i) { participants splitHalf eyeTracking } } }', { id, i: im.image.id })).data!.campaign.reliability;
    const stored = await s.server.services.campaigns.store.acceptedAnnotations(id);
    const kept = stored.filter((p) => p.annotation.imageId === im.image.id && !excluded.has(p.sessionId)).map((p) => p.annotation.points.map((q) => ({ x: q.x - 0.5, y: q.y - 0.5 }) as Fixation));
    expect(kept).toHaveLength(im.kept);
    const eye = humanMap(OSIE.get(files.get(im.image.id)!)!.observers, image.width, image.height, frame);
    const pooled = new Float32Array(eye.width * eye.height);
    for (const person of kept) {
      const scaled = person.map((p) => ({ x: ((p.x + 0.5) * eye.width) / image.width - 0.5, y: ((p.y + 0.5) * eye.height) / image.height - 0.5 }));
      const d = densityMap(scaled, eye.width, eye.height, { sigma: eye.frameSigma, outOfBounds: 'clamp' });
      for (let i = 0; i < pooled.length; i++) pooled[i] += d.values[i];
    }
    const expected = cc({ width: eye.width, height: eye.height, values: pooled }, eye.density);
    console.log(`campaign page: image ${files.get(im.image.id)} with ${kept.length} kept: eye-tracking CC ${one.at(-1).eyeTracking.toFixed(4)} (independent ${expected.toFixed(4)})`);
    expect(one.at(-1).participants).toBe(kept.length);
    expect(one.at(-1).eyeTracking).toBeCloseTo(expected, 3);

    // the dashboard: a wrong key is refused and asked again; the right one shows what the API says
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(`${s.url}/c/${id}/dashboard`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.state === 'login');
    await page.type('#key', 'not-the-admin-key-0123456789');
    await page.click('#key-form button');
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await page.$eval('#error', (e) => e.textContent)).toMatch(/^UNAUTHENTICATED: /);
    expect(await page.$eval('#board', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.type('#key', KEY);
    await page.click('#key-form button');
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    expect(await page.$eval('#annotations', (e) => e.textContent)).toBe(`${FILES.length * PER_IMAGE} / ${FILES.length * PER_IMAGE}`);
    expect(await page.$eval('#at-quota', (e) => e.textContent)).toBe(`${FILES.length} / ${FILES.length}`);
    expect(await page.$eval('#excluded', (e) => e.textContent)).toBe(String(excluded.size));
    expect(await page.$$eval('#images tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.image))).toEqual(v.images.map((i: any) => i.image.id));
    expect(await page.$$eval('#exclusions tbody tr', (rows) => rows.map((r) => [(r as HTMLElement).dataset.session, r.querySelector('.rule')!.textContent, r.lastElementChild!.textContent])))
      .toEqual(v.exclusions.map((e: any) => [e.session, e.rule, e.detail]));
    const plotted = await page.$$eval('#plot circle', (cs) => cs.map((c) => [c.getAttribute('data-series'), Number(c.getAttribute('data-n')), Number(c.getAttribute('data-value'))]));
    expect(plotted).toEqual([...curve.map((p) => ['splitHalf', p.participants, p.splitHalf]), ...curve.map((p) => ['eyeTracking', p.participants, p.eyeTracking])]);
    if (SHOTS) await page.screenshot({ path: resolve(SHOTS, 'campaign-dashboard.png'), fullPage: true });
    // one image's curve, picked in the dashboard, is that image's reliability(imageId)
    await page.select('#curve-of', im.image.id);
    await page.waitForFunction((v) => document.querySelector('#plot circle')?.getAttribute('data-value') === v, {}, String(one[0].splitHalf));
    const perImage = await page.$$eval('#plot circle', (cs) => cs.map((c) => [c.getAttribute('data-series'), Number(c.getAttribute('data-n')), Number(c.getAttribute('data-value'))]));
    expect(perImage).toEqual([...one.map((p: any) => ['splitHalf', p.participants, p.splitHalf]), ...one.map((p: any) => ['eyeTracking', p.participants, p.eyeTracking])]);
    await page.close();
  }, 900_000); // a hang guard (the test times nothing: its clocks are moved, see the top), like vitest.config's 180 s for the others

  it('a link to no campaign is a 404 page; the page of a closed campaign says so and starts nothing', async () => {
    for (const path of ['/c/AAAAAAAAAAAA', '/c/not-an-id', '/c/AAAAAAAAAAAA/']) {
      const r = await fetch(`${s.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
    }
    const made = await admin('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { name: 'closed <b>study</b>', images: [{ imageId: ids.get(FILES[0]) }], perImage: 1, perSession: 1 } });
    const id = made.data!.createCampaign.id;
    await admin('mutation($id: ID!) { closeCampaign(id: $id) { id } }', { id });
    const html = await (await fetch(`${s.url}/c/${id}`)).text();
    expect(html).toContain('closed &#60;b&#62;study&#60;/b&#62;');
    expect(html).not.toContain('<b>study</b>');
    const page = await open(id);
    await page.waitForFunction(() => !document.getElementById('message')!.hidden);
    expect(await page.$eval('#message-text', (e) => e.textContent)).toMatch(/closed/);
    expect(await page.$eval('#intro', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.close();
    expect((await s.server.services.campaigns.store.sessions(id)).length).toBe(0);
  });

  it('the end of a session goes to the redirect address; a participant finding every image taken is told to come back', async () => {
    const redirectUrl = 'https://study.example.org/done?cc=R3D1R3CT';
    const made = await admin('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', {
      input: { name: 'one image', images: [{ imageId: ids.get(FILES[1]) }], perImage: 1, perSession: 1, maxClicks: BUDGET, minClicks: 2, refractoryMs: 100, redirectUrl },
    });
    const id = made.data!.createCampaign.id;
    // the first participant takes the only slot and is sent to the platform (answered here: no network)
    const first = await open(id);
    await first.setRequestInterception(true);
    first.on('request', (r) => (r.url().startsWith('https://study.example.org/') ? r.respond({ status: 200, contentType: 'text/html', body: '<p>platform</p>' }) : r.continue()));
    await first.waitForFunction(() => document.body.dataset.state === 'intro');
    await annotate(first, '#practice', [{ x: 200, y: 150, t: 400 }, { x: 420, y: 190, t: 900 }], 600, 400);
    await clickPart(first, '#practice', 'submit');
    await first.waitForFunction(() => !(document.getElementById('begin') as HTMLButtonElement).disabled);
    await first.click('#begin');
    await first.waitForFunction((q) => !!document.querySelector(q)?.shadowRoot?.querySelector('[part~="start"]'), {}, TASK);
    // a second participant opens the link meanwhile: the slot is in flight, nothing is left for them
    // (each tab is brought to the front before it is used: a background tab gets no animation frames)
    const second = await open(id);
    await second.bringToFront();
    await second.waitForFunction(() => document.body.dataset.state === 'intro');
    await annotate(second, '#practice', [{ x: 200, y: 150, t: 400 }, { x: 420, y: 190, t: 900 }], 600, 400);
    await clickPart(second, '#practice', 'submit');
    await second.waitForFunction(() => !(document.getElementById('begin') as HTMLButtonElement).disabled);
    await second.click('#begin');
    await second.waitForFunction(() => document.body.dataset.state === 'none-left');
    expect(await second.$eval('#message-text', (e) => e.textContent)).toMatch(/come back/);
    await second.close();
    await first.bringToFront();
    const image = await first.$eval(TASK, (w) => (w as unknown as { ticket: { image: { width: number; height: number } } }).ticket.image);
    await annotate(first, TASK, [{ x: 300, y: 200, t: 450 }, { x: 500, y: 300, t: 900 }], image.width, image.height);
    const navigated = first.waitForNavigation();
    await clickPart(first, TASK, 'submit');
    await navigated;
    expect(first.url()).toBe(redirectUrl);
    await first.close();
  });
});

