// The demo page as `npm start` serves it, in Debian's Chromium: its annotation widget end to end —
// the blurred photo, three real mouse clicks, Submit, the thank-you, and the clicks stored by the API
// as one crowd annotation at the clicked image positions, the explained copy of the photo re-scored
// against them; a reload (same annotator token in
// localStorage) is refused as a duplicate with the widget's message.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startTestServer, type TestServer } from '../support/api-server.js';
import { testDatabases } from '../support/databases.js';

const root = resolve(__dirname, '../..');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const horses = readFileSync(resolve(root, '../shared/data/images/horses.jpg'));
const HORSES_ID = createHash('sha256').update(horses).digest('hex');
const shots = resolve(root, 'packages/widget/test/screenshots');
// CI installs Chromium; elsewhere the test says why it did not run
const skip = !existsSync(chromium) && !process.env.CI ? `no Chromium at ${chromium} (CHROME_PATH)` : null;

const SELECTOR = '#annotate-widget';
/** Pause before each click, above SALIENCY_ANNOTATION_MIN_FIRST_CLICK_MS and _MIN_CLICK_INTERVAL_MS. */
const HUMAN_PAUSE_MS = 250;
const EXPLAINED = '#annotated-explained';

/** The explained copy's alignment reference and annotators, once it has scores. */
const alignmentOf = (page: Page) => page.$eval(EXPLAINED, (w) => {
  const a = (w as unknown as { alignment: { reference: string; annotators: number } | null }).alignment;
  return a ? `${a.reference} ${a.annotators}` : null;
});

/** The annotation widget's status, the shadow-DOM part's text, or the canvas rectangle. */
const status = (page: Page) => page.$eval(SELECTOR, (w) => (w as unknown as { status: string }).status);
const partText = (page: Page, part: string) => page.$eval(SELECTOR, (w, p) => w.shadowRoot?.querySelector(`[part~="${p}"]`)?.textContent?.trim() ?? null, part);

/** Open the page, then press the annotation widget's Start (a real click) once its session is open. */
async function openDemo(page: Page, url: string) {
  await page.goto(`${url}/`, { waitUntil: 'load' });
  await page.$eval(SELECTOR, (w) => w.scrollIntoView());
  const hasPart = (p: string) => page.waitForFunction((sel, part) => {
    const w = document.querySelector(sel) as unknown as { status: string; shadowRoot: ShadowRoot } | null;
    return w?.status === 'ready' && !!w.shadowRoot.querySelector(`[part~="${part}"]`);
  }, { timeout: 120_000, polling: 100 }, SELECTOR, p);
  await hasPart('start');
  const start = await page.$eval(SELECTOR, (w) => {
    const r = w.shadowRoot!.querySelector('[part~="start"]')!.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  await page.mouse.click(start.x, start.y);
  await hasPart('submit');
}

async function clickAt(page: Page, fractions: [number, number][]) {
  const canvasBox = () => page.$eval(SELECTOR, (w) => {
    const r = w.shadowRoot!.querySelector('canvas')!.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
  let box = await canvasBox();
  // at a person's pace: the server refuses clicks faster than a human makes them (IMPOSSIBLE_TIMING);
  // the box is measured again before each click, in case the page moved meanwhile
  for (const [fx, fy] of fractions) {
    await new Promise((r) => setTimeout(r, HUMAN_PAUSE_MS));
    box = await canvasBox();
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  }
  return box;
}

const submit = (page: Page) => page.$eval(SELECTOR, (w) => (w.shadowRoot!.querySelector('[part~="submit"]') as HTMLButtonElement).click());

describe.skipIf(!!skip)(`the demo page's annotation widget in Chromium${skip ? ` (${skip})` : ''}`, () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    const db = testDatabases().find((d) => d.provider === 'sqlite')!;
    s = await startTestServer(await db.url(), { SALIENCY_MODELS: 'squeezenet1.0', SALIENCY_RATE_LIMIT: '0' });
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('stores three clicks on horses.jpg as one crowd annotation, then refuses the same annotator again', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    await openDemo(page, s.url);
    expect(await partText(page, 'prompt')).toBe('Click where you look to tell what this image shows.');
    // the embed snippets name the server the page came from (a free port here, not 4000)
    const snippets = await page.$$eval('pre code', (codes) => codes.map((c) => c.textContent ?? '').join('\n'));
    expect(snippets).toContain(`${s.url}/graphql`);
    expect(snippets).not.toContain('127.0.0.1:4000');
    expect(await partText(page, 'clicks-left')).toMatch(/Clicks left 10 of 10/);
    const clicks: [number, number][] = [[0.3, 0.35], [0.52, 0.42], [0.7, 0.55]];
    const box = await clickAt(page, clicks);
    expect(await partText(page, 'clicks-left')).toMatch(/Clicks left 7 of 10/);
    mkdirSync(shots, { recursive: true });
    await (await page.$('#annotate-section'))!.screenshot({ path: resolve(shots, 'demo-annotate-e2e.png') });
    await submit(page);
    await page.waitForFunction((sel) => !!document.querySelector(sel)?.shadowRoot?.querySelector('[part~="thanks"]'), { timeout: 30_000 }, SELECTOR);
    expect(await partText(page, 'thanks')).toMatch(/Your 3 clicks were saved/);
    // the explained copy of the photo below re-scores against the stored clicks
    await page.waitForFunction((sel) => {
      const a = (document.querySelector(sel) as unknown as { alignment: { reference: string } | null } | null)?.alignment;
      return a?.reference === 'CROWD';
    }, { timeout: 120_000, polling: 200 }, EXPLAINED);
    expect(await alignmentOf(page)).toBe('CROWD 1');
    expect(await page.$eval(EXPLAINED, (w) => w.shadowRoot!.querySelector('.alignment-line')!.textContent!.replace(/\s+/g, ' ').trim())).toMatch(/vs crowd clicks \(1 person\)$/);
    await (await page.$('#annotate-section'))!.screenshot({ path: resolve(shots, 'demo-annotate-scored.png') });

    const r = await s.gql('query($id: ID!) { image(id: $id) { width height humanAttention(source: CROWD) { annotators pointCount points { x y annotator } } } }', { id: HORSES_ID });
    const image = r.data!.image;
    expect(image.humanAttention).toMatchObject({ annotators: 1, pointCount: 3 });
    // each stored click is where the mouse was, in image pixels: pooled points are in the pixel-centre
    // convention (a pointer position minus 0.5), and Chromium delivers the click at a whole display
    // pixel, so the point is within one display pixel (width / box.width image pixels) of the click
    const tolerance = image.width / box.width;
    const errors = image.humanAttention.points.map((p: { x: number; y: number }, i: number) =>
      [p.x - (clicks[i][0] * image.width - 0.5), p.y - (clicks[i][1] * image.height - 0.5)]);
    console.log(`stored clicks − mouse positions (image px, pixel centres): ${JSON.stringify(errors.map((e: number[]) => e.map((v) => +v.toFixed(3))))}, tolerance ${tolerance.toFixed(3)}`);
    for (const [dx, dy] of errors) {
      expect(Math.abs(dx)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(dy)).toBeLessThanOrEqual(tolerance);
    }

    // a reload keeps the annotator token (localStorage): the second submission is a duplicate
    await openDemo(page, s.url);
    await clickAt(page, [[0.5, 0.5]]);
    await submit(page);
    await page.waitForFunction((sel) => !!document.querySelector(sel)?.shadowRoot?.querySelector('[part~="error"]'), { timeout: 30_000 }, SELECTOR);
    expect(await page.$eval(SELECTOR, (w) => (w as unknown as { lastError: { code: string } }).lastError.code)).toBe('DUPLICATE_SUBMISSION');
    expect(await partText(page, 'error')).toMatch(/already annotated this image/);
    expect(await status(page)).toBe('error');
    const again = await s.gql('query($id: ID!) { image(id: $id) { annotations(source: CROWD) { totalCount edges { node { id } } } } }', { id: HORSES_ID });
    expect(again.data!.image.annotations.totalCount).toBe(1);
    expect(again.data!.image.annotations.edges).toHaveLength(1);
    await page.close();
  }, 240_000);
});
