// A blog with no server of ours: `saliency-explainer site -o DIR` writes a folder that a plain static
// file server (node:http + serve-static here, no API process anywhere) serves, and its example page
// shows a map in Debian's Chromium — computed in the page, every request answered from the folder.
// The widget file in the folder is the one `npm pack` of packages/widget puts in its tarball.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import serveStatic from 'serve-static';
import { main } from '../../packages/api/src/cli/main.js';
import { ORT_FILES } from '../../packages/api/src/cli/site-command.js';

const root = resolve(__dirname, '../..');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const skip = !existsSync(chromium) && !process.env.CI ? `no Chromium at ${chromium} (CHROME_PATH)` : null;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('site: the widget as a static folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'site-'));
  const site = join(dir, 'explainer');

  it('writes the widget, ONNX Runtime Web, the model checked against its sha256, and an example page', async () => {
    const r = await cli(['site', '-o', site]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/models-base="explainer\/models\/"/);
    for (const f of ['index.html', 'example.png', 'widget/saliency-explainer.js', 'widget/custom-elements.json', 'models/manifest.json', ...ORT_FILES.map((f) => `ort/${f}`)]) {
      expect(existsSync(join(site, f)), f).toBe(true);
    }
    const served = JSON.parse(readFileSync(join(site, 'models/manifest.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(root, 'models/manifest.json'), 'utf8'));
    expect(served.default).toBe(manifest.default);
    expect(served.models.map((m: { id: string }) => m.id)).toEqual([manifest.default]);
    const entry = manifest.models.find((m: { id: string }) => m.id === manifest.default);
    expect(sha256(readFileSync(join(site, 'models/files', entry.file)))).toBe(entry.sha256);
    expect(served.detectors).toBeUndefined();
  });

  it('refuses what it cannot do with typed exit codes, writing nothing', async () => {
    expect((await cli(['site'])).code).toBe(2);
    expect((await cli(['site', '-o', join(dir, 'x'), '--model', 'no-such-model'])).code).toBe(4);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect((await cli(['site', '-o', join(dir, 'y'), '--photo', join(dir, 'missing.jpg')])).code).toBe(3);
    // a corrupted model file in the cache is caught by its sha256
    const models = join(dir, 'models');
    mkdirSync(join(models, 'cache', 'm'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(root, 'models/manifest.json'), 'utf8'));
    const entry = manifest.models.find((m: { id: string }) => m.id === manifest.default);
    writeFileSync(join(models, 'manifest.json'), JSON.stringify({ ...manifest, models: [{ ...entry, file: 'm/model.onnx', labels: ['a', 'b'] }], detectors: [] }));
    writeFileSync(join(models, 'cache', 'm', 'model.onnx'), 'not the model');
    const bad = await cli(['site', '-o', join(dir, 'z'), '--models-dir', models]);
    expect(bad.code).toBe(4);
    expect(bad.err).toMatch(/sha256/);
  });

  it('npm pack of the widget gives a publishable tarball holding that widget file', () => {
    const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'packages/widget'), encoding: 'utf8' }))[0];
    const pkg = JSON.parse(readFileSync(join(root, 'packages/widget/package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    // nothing the package imports is left to a workspace: Lit and the engine are in the bundle, and
    // Lit stays a dependency only for the types (the element's public type extends LitElement)
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['lit']);
    const files = pack.files.map((f: { path: string }) => f.path).sort();
    expect(files).toEqual(['README.md', 'dist/custom-elements.json', 'dist/saliency-explainer.d.ts', 'dist/saliency-explainer.js', 'dist/saliency-explainer.js.map', 'package.json']);
    const bundle = readFileSync(join(root, 'packages/widget/dist/saliency-explainer.js'));
    expect(readFileSync(join(site, 'widget/saliency-explainer.js')).equals(bundle)).toBe(true);
    // the published types stand alone: they import Lit and nothing else, and a strict compile of a
    // page's script against them (as a user of the package writes it) passes
    const types = readFileSync(join(root, 'packages/widget/dist/saliency-explainer.d.ts'), 'utf8');
    expect([...types.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['lit']);
    expect(types).toMatch(/export declare class SaliencyExplainer extends LitElement/);
    const user = join(dir, 'user.ts');
    writeFileSync(user, [
      `import type { SaliencyExplainer } from ${JSON.stringify(join(root, 'packages/widget/dist/saliency-explainer.js'))};`,
      `declare const el: SaliencyExplainer;`,
      `const k: number = el.topK; const s: string = el.status; el.selectClass(1); export { k, s };`,
    ].join('\n'));
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', user], { cwd: root, encoding: 'utf8' });
  });

  describe.skipIf(!!skip)('served by a plain static file server', () => {
    let server: Server;
    let browser: Browser;
    let origin: string;
    const requests: string[] = [];
    beforeAll(async () => {
      const files = serveStatic(dir, { index: ['index.html'] });
      server = createServer((req, res) => {
        requests.push(req.url ?? '');
        files(req as never, res as never, () => res.writeHead(404).end());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await puppeteer.launch({
        executablePath: chromium,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      server?.close();
    });

    it('shows the map computed in the page, every request answered from the folder', async () => {
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url());
      });
      await page.setViewport({ width: 800, height: 900 });
      await page.goto(`${origin}/explainer/index.html`, { waitUntil: 'load' });
      await page.waitForFunction(() => {
        const w = document.querySelector('saliency-explainer') as unknown as { status: string } | null;
        return w?.status === 'ready' || w?.status === 'error';
      }, { timeout: 170_000, polling: 200 });
      const state = await page.$eval('saliency-explainer', (w) => {
        const e = w as unknown as { status: string; backend: string | null; lastError: unknown; selectedClass: number | null };
        return { status: e.status, backend: e.backend, error: e.lastError, selected: e.selectedClass };
      });
      expect(state).toEqual({ status: 'ready', backend: 'wasm', error: null, selected: 243 }); // bull mastiff, as the engine says
      expect(outside).toEqual([]);
      expect(requests.some((u) => u.includes('/graphql'))).toBe(false);
      expect(requests).toEqual(expect.arrayContaining(['/explainer/models/manifest.json', '/explainer/widget/saliency-explainer.js']));
      mkdirSync(join(root, 'packages/widget/test/screenshots'), { recursive: true });
      await page.screenshot({ path: join(root, 'packages/widget/test/screenshots/static-site.png') });
    });
  });
});
