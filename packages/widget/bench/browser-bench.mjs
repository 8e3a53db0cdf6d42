// Time to first map (cold: empty caches; warm: a second page load) and per-map time of the widget in
// headless Chromium (wasm; WebGPU on SwiftShader with --webgpu), against the Node engine
// (onnxruntime-node) on the same machine, the same photo and SqueezeNet; prints medians and ratios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, repo, startApi } from '../scripts/api-and-browser.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAPS = Number(process.env.BENCH_MAPS ?? 10);
const PHOTO = process.env.BENCH_PHOTO ?? 'both.png';
const webgpu = process.argv.includes('--webgpu');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;

/** The Node engine: first map (read model, compile, decode, explain) and per-map time. */
async function nodeTimes() {
  const core = await import(pathToFileURL(join(repo, 'packages', 'core', 'dist', 'index.js')).href);
  const { decodeImage } = await import(pathToFileURL(join(repo, 'packages', 'api', 'dist', 'images', 'decode.js')).href);
  const ort = await import('onnxruntime-node');
  ort.env.logLevel = 'error';
  const manifest = core.parseManifest(readFileSync(join(repo, 'models', 'manifest.json'), 'utf8'));
  const spec = core.findModel(manifest, 'squeezenet1.0');
  const firsts = [];
  let explainer;
  let input;
  for (let i = 0; i < RUNS; i++) {
    await explainer?.release();
    const t0 = performance.now();
    const bytes = new Uint8Array(readFileSync(join(repo, 'models', 'cache', spec.file)));
    const labels = core.parseLabels(readFileSync(join(repo, 'models', 'cache', spec.labels), 'utf8'));
    explainer = await core.Explainer.create(ort, bytes, spec, labels);
    const { image } = await decodeImage(new Uint8Array(readFileSync(join(repo, '..', 'shared', 'data', 'images', PHOTO))), 40e6);
    input = core.preprocess(image, spec.input);
    await explainer.explain(input, { methods: ['gradcam'], topK: 1 });
    firsts.push(performance.now() - t0);
  }
  const perMap = [];
  for (let c = 0; c < MAPS * 2; c++) {
    const t0 = performance.now();
    await explainer.explain(input, { methods: ['gradcam'], classes: [100 + c] });
    perMap.push(performance.now() - t0);
  }
  await explainer.release();
  return { first: median(firsts), perMap: median(perMap.slice(MAPS)) };
}

const PAGE = (mode) => `<!doctype html><meta charset="utf-8"><body><script type="module">
  await import('/widget/saliency-explainer.js');
  const el = document.createElement('saliency-explainer');
  Object.assign(el, { src: '/images/${PHOTO}', mode: '${mode}', topK: 1 });
  const t0 = performance.now();
  const next = () => new Promise((resolve, reject) => {
    el.addEventListener('saliency-ready', () => resolve(performance.now()), { once: true });
    el.addEventListener('saliency-error', (e) => reject(new Error(e.detail.code + ': ' + e.detail.message)), { once: true });
  });
  const ready = next();
  document.body.append(el);
  window.bench = ready.then(async (t1) => {
    const perMap = [];
    for (let c = 0; c < ${MAPS}; c++) {
      const t = performance.now();
      const done = next();
      el.selectClass(100 + c);
      perMap.push((await done) - t);
    }
    return { first: t1 - t0, perMap, backend: el.backend };
  });
</script>`;

async function browserTimes(browser, api, mode) {
  const measure = async () => {
    const page = await browser.newPage();
    // the bench page is answered by the browser itself, at the API's origin (its Cache Storage)
    await page.setRequestInterception(true);
    page.on('request', (req) => (req.url() === `${api.url}/__bench.html`
      ? req.respond({ status: 200, contentType: 'text/html', body: PAGE(mode) })
      : req.continue()));
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${api.url}/__bench.html`);
    await page.waitForFunction(() => window.bench !== undefined, { timeout: 240_000, polling: 100 });
    const r = await page.evaluate(() => window.bench);
    await page.close();
    return r;
  };
  const colds = [];
  const warms = [];
  const perMap = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Network.clearBrowserCache');
    await page.goto(`${api.url}/health`);
    await page.evaluate(() => caches.delete('saliency-explainer-v1'));
    await page.close();
    const cold = await measure();
    const warm = await measure();
    if (warm.backend !== (mode === 'webgpu' ? 'webgpu' : 'wasm')) throw new Error(`ran on ${warm.backend}`);
    colds.push(cold.first);
    warms.push(warm.first);
    perMap.push(...warm.perMap);
  }
  return { cold: median(colds), warm: median(warms), perMap: median(perMap) };
}

const node = await nodeTimes();
const api = await startApi();
const browser = await launchChromium({ webgpu });
try {
  const modes = webgpu ? ['wasm', 'webgpu'] : ['wasm'];
  console.log(`SqueezeNet 1.0, ${PHOTO}, Grad-CAM; medians of ${RUNS} page loads and ${RUNS * MAPS} maps; Node: onnxruntime-node, ${MAPS} maps`);
  console.log(`Node engine: first map ${ms(node.first)} (read model, compile, decode, explain), per map ${ms(node.perMap)}`);
  for (const mode of modes) {
    const b = await browserTimes(browser, api, mode);
    console.log(`Chromium ${mode}: first map cold ${ms(b.cold)} (${(b.cold / node.first).toFixed(1)}× Node), warm ${ms(b.warm)} (${(b.warm / node.first).toFixed(1)}× Node), per map ${ms(b.perMap)} (${(b.perMap / node.perMap).toFixed(1)}× Node)`);
  }
} finally {
  await browser.close();
  await api.close();
}
