// Screenshots of the demo page as `npm start` serves it (a real API, the built bundle), without and
// with WebGPU, wide and narrow, its caption-and-faithfulness section (curves open) and its annotation
// section (Start pressed, three clicks), a pixel method (Guided Backprop in the "your own image" widget),
// into test/screenshots/demo-*.png; prints each widget's state.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, startApi, widgetDir, widgetsSettled } from './api-and-browser.mjs';

const out = join(widgetDir, 'test', 'screenshots');
mkdirSync(out, { recursive: true });
const api = await startApi();
try {
  for (const webgpu of [false, true]) {
    const browser = await launchChromium({ webgpu });
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(`${api.url}/`, { waitUntil: 'load' });
      await widgetsSettled(page);
      const states = await page.$$eval('saliency-explainer', (all) => all.map((w) => `${w.getAttribute('mode') ?? 'auto'} ${w.getAttribute('src')}: ${w.status} ${w.backend ?? w.lastError?.code ?? ''}`));
      const suffix = webgpu ? 'webgpu' : 'no-webgpu';
      console.log(`demo page (${suffix}):\n  ${states.join('\n  ')}`);
      await page.screenshot({ path: join(out, `demo-page-${suffix}.png`), fullPage: true });
      const modes = await page.$('.grid');
      await modes.screenshot({ path: join(out, `demo-modes-${suffix}.png`) });
      if (!webgpu) {
        // the caption and the report card of the measured widget, with its curves open
        await page.waitForFunction(() => {
          const w = document.querySelector('#measured-widget');
          return !!w?.shadowRoot?.querySelector('[part~="curves-toggle"]') && !!w.shadowRoot.querySelector('[part~="caption-number"]');
        }, { timeout: 300_000, polling: 500 });
        await page.$eval('#measured-widget', (w) => w.shadowRoot.querySelector('[part~="curves-toggle"]').click());
        await new Promise((r) => setTimeout(r, 300));
        const measured = await page.$('#measured-widget');
        await measured.scrollIntoView();
        await measured.screenshot({ path: join(out, 'demo-caption.png') });
        // a few bubbles revealed by real clicks on the annotation widget's canvas, after its Start
        const annotate = await page.$('#annotate-section');
        await annotate.scrollIntoView();
        await page.$eval('#annotate-widget', (w) => w.shadowRoot.querySelector('[part~="start"]').click());
        await page.waitForFunction(() => !!document.querySelector('#annotate-widget')?.shadowRoot?.querySelector('[part~="timer"]'), { timeout: 30_000 });
        const box = await page.$eval('#annotate-widget', (w) => {
          const r = w.shadowRoot.querySelector('canvas').getBoundingClientRect();
          return { x: r.left, y: r.top, width: r.width, height: r.height };
        });
        for (const [fx, fy] of [[0.3, 0.35], [0.52, 0.42], [0.7, 0.55]]) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
        await new Promise((r) => setTimeout(r, 300));
        await annotate.screenshot({ path: join(out, 'demo-annotate.png') });
        // a pixel attribution from the method picker: Guided Backprop, drawn in inferno clipped at the 99th percentile
        const pixel = await page.$('#yours-widget');
        await pixel.scrollIntoView();
        await page.$eval('#yours-widget', (w) => { w.method = 'guidedbackprop'; });
        await page.waitForFunction(() => {
          const w = document.querySelector('#yours-widget');
          return w.status === 'ready' && w.shadowRoot.querySelector('[part~="explanation"]')?.textContent.includes('Guided Backprop');
        }, { timeout: 300_000, polling: 250 });
        await new Promise((r) => setTimeout(r, 300));
        console.log(`pixel method: ${await page.$eval('#yours-widget', (w) => `${w.method} on ${w.backend}: ${w.shadowRoot.querySelector('[part~="explanation"]').textContent.trim()}`)}`);
        await pixel.screenshot({ path: join(out, 'demo-pixel-guidedbackprop.png') });
      }
      if (!webgpu) {
        await page.setViewport({ width: 420, height: 900 });
        await new Promise((r) => setTimeout(r, 300));
        const first = await page.$('.card');
        await first.screenshot({ path: join(out, 'demo-narrow-auto.png') });
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await api.close();
}
console.log(`screenshots in ${out}`);
