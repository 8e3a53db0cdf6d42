// Shared by the demo screenshots and the bench: a real API server (packages/api/dist, throwaway
// SQLite) and headless Debian Chromium driven by puppeteer-core (from @web/test-runner-chrome).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

export const widgetDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repo = resolve(widgetDir, '..', '..');

/** Start the API on a free port; returns { url, close }. */
export async function startApi(models = 'squeezenet1.0') {
  const dist = join(repo, 'packages', 'api', 'dist', 'server');
  const { startServer } = await import(pathToFileURL(join(dist, 'start.js')).href);
  const { settingsFromEnv } = await import(pathToFileURL(join(dist, 'settings.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'widget-api-'));
  const settings = settingsFromEnv({ ...process.env, DATABASE_URL: `file:${join(dir, 'api.sqlite')}`, SALIENCY_MODELS: models, SALIENCY_RATE_LIMIT: '0' });
  settings.port = 0;
  const api = await startServer(settings);
  return { url: api.url, async close() { await api.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Headless Chromium; `webgpu` adds --enable-unsafe-webgpu (SwiftShader's adapter without a GPU). */
export function launchChromium({ webgpu = false } = {}) {
  return puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic', ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
}

/** Wait until every widget of the page is ready or failed (status 'ready' | 'error' | 'idle'). */
export async function widgetsSettled(page, timeout = 240_000) {
  await page.waitForFunction(() => {
    const all = [...document.querySelectorAll('saliency-explainer')];
    return all.length > 0 && all.every((w) => ['ready', 'error', 'idle'].includes(w.status));
  }, { timeout, polling: 250 });
}

/**
 * Answers the page's requests for the given URLs itself (`routes`: URL → {contentType, body, headers?}),
 * through CDP's Fetch domain with one pattern per URL, so that no other request is paused. Not
 * puppeteer's setRequestInterception: that pauses every request, and the ones ONNX Runtime Web's proxy
 * worker makes were sometimes never resumed under load (the runtime then never started: 6 page loads
 * in 24 in a test under load, none without interception); it also turns the HTTP cache off.
 */
export async function answerOnPage(page, routes) {
  const cdp = await page.createCDPSession();
  cdp.on('Fetch.requestPaused', ({ requestId, request }) => {
    const route = routes[request.url];
    if (!route) {
      void cdp.send('Fetch.continueRequest', { requestId });
      return;
    }
    const headers = { 'content-type': route.contentType, ...(route.headers ?? {}) };
    void cdp.send('Fetch.fulfillRequest', {
      requestId, responseCode: 200,
      responseHeaders: Object.entries(headers).map(([name, value]) => ({ name, value: String(value) })),
      body: Buffer.from(route.body).toString('base64'),
    });
  });
  await cdp.send('Fetch.enable', { patterns: Object.keys(routes).map((urlPattern) => ({ urlPattern, requestStage: 'Request' })) });
  return cdp;
}
