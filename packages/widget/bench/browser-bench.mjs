// Time to first map (cold: empty caches; warm: a second page load) and per-map time of the widget in
// headless Chromium (wasm; WebGPU on SwiftShader with --webgpu), against the Node engine
// (onnxruntime-node) on the same machine, the same photo and SqueezeNet; prints medians and ratios.
// wasm runs twice: on a plain page (one thread) and on a cross-origin isolated one (an API started
// with SALIENCY_CROSS_ORIGIN_ISOLATION=on and the bench page sent with the same headers: several
// threads); Node runs with one intra-op thread and with its default. The first map is broken down
// from the page: the runtime's download (the /ort/ files the page fetched: module and wasm binary),
// the model's (/models/files/), the engine's creation (graph compilation and session creation, until
// the widget says it is computing) and the first run (until the map is ready); and how long the page
// thread was blocked meanwhile (its long tasks, over 50 ms each: the Long Tasks API). And the runtime
// alone (runtimeTimes): the same graphs in ONNX Runtime Web and onnxruntime-node, one thread each.
// With BENCH_RESULTS set (performance.bench.mjs), its rows go there too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { answerOnPage, launchChromium, repo, startApi } from '../scripts/api-and-browser.mjs';
import { saveResults } from '../../../test/bench/results.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAPS = Number(process.env.BENCH_MAPS ?? 10);
const PHOTO = process.env.BENCH_PHOTO ?? 'both.png';
const webgpu = process.argv.includes('--webgpu');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;

/** The Node engine: first map (read model, compile, decode, explain) and per-map time. */
async function nodeTimes(sessionOptions = {}) {
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
    explainer = await core.Explainer.create(ort, bytes, spec, labels, { sessionOptions });
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

/**
 * The runtime alone: the graphs the engine runs per map (SqueezeNet's forward to the logits, and the
 * fused Grad-CAM top-1 graph a map is), compiled by core in Node, each timed in onnxruntime-node with
 * one intra-op thread and in ONNX Runtime Web's wasm provider on a page (one thread, no proxy worker),
 * with the same input. What the widget adds per map beyond ORT Web's run is its own JavaScript.
 */
async function runtimeTimes(browser, api) {
  const core = await import(pathToFileURL(join(repo, 'packages', 'core', 'dist', 'index.js')).href);
  const ort = await import('onnxruntime-node');
  const manifest = core.parseManifest(readFileSync(join(repo, 'models', 'manifest.json'), 'utf8'));
  const spec = core.findModel(manifest, 'squeezenet1.0');
  const bytes = new Uint8Array(readFileSync(join(repo, 'models', 'cache', spec.file)));
  const analysis = core.analyseModel(bytes, spec);
  const graphs = { forward: core.compileGraph(analysis, { kind: 'logits' }) };
  const compiler = async (request) => {
    const result = core.compileGraph(analysis, request);
    if (request.kind === 'fused' && result) graphs.fused = result.bytes;
    return result;
  };
  const labels = core.parseLabels(readFileSync(join(repo, 'models', 'cache', spec.labels), 'utf8'));
  const explainer = await core.Explainer.create(ort, bytes, spec, labels, { compiler });
  const { decodeImage } = await import(pathToFileURL(join(repo, 'packages', 'api', 'dist', 'images', 'decode.js')).href);
  const { image } = await decodeImage(new Uint8Array(readFileSync(join(repo, '..', 'shared', 'data', 'images', PHOTO))), 40e6);
  const input = core.preprocess(image, spec.input);
  await explainer.explain(input, { methods: ['gradcam'], classes: [100] });
  await explainer.release();
  if (!graphs.fused) throw new Error('the engine ran no fused graph');
  const RUNS_EACH = MAPS * 3;
  const nodeMs = {};
  for (const [name, graph] of Object.entries(graphs)) {
    const session = await ort.InferenceSession.create(graph, { intraOpNumThreads: 1 });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, spec.input.height, spec.input.width]) };
    if (session.inputNames.includes('classes')) feeds.classes = new ort.Tensor('int64', BigInt64Array.from([100n]), [1]);
    const t = [];
    for (let i = 0; i < RUNS_EACH + 3; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      t.push(performance.now() - t0);
    }
    await session.release();
    nodeMs[name] = median(t.slice(3));
  }
  const page = await browser.newPage();
  await answerOnPage(page, {
    [`${api.url}/__runtime.html`]: { contentType: 'text/html', body: '<!doctype html><meta charset="utf-8">' },
    [`${api.url}/__graph/input`]: { contentType: 'application/octet-stream', body: Buffer.from(input.buffer, input.byteOffset, input.byteLength) },
    ...Object.fromEntries(Object.entries(graphs).map(([name, graph]) => [`${api.url}/__graph/${name}`, { contentType: 'application/octet-stream', body: Buffer.from(graph) }])),
  });
  await page.goto(`${api.url}/__runtime.html`);
  const webMs = await page.evaluate(async (names, runs, dims) => {
    const ortWeb = await import('/ort/ort.wasm.min.mjs');
    Object.assign(ortWeb.env.wasm, { numThreads: 1, proxy: false, wasmPaths: '/ort/' });
    const data = new Float32Array(await (await fetch('/__graph/input')).arrayBuffer());
    const out = {};
    for (const name of names) {
      const session = await ortWeb.InferenceSession.create(new Uint8Array(await (await fetch(`/__graph/${name}`)).arrayBuffer()), { executionProviders: ['wasm'] });
      const feeds = { [session.inputNames[0]]: new ortWeb.Tensor('float32', data, dims) };
      if (session.inputNames.includes('classes')) feeds.classes = new ortWeb.Tensor('int64', BigInt64Array.from([100n]), [1]);
      const t = [];
      for (let i = 0; i < runs + 3; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        t.push(performance.now() - t0);
      }
      await session.release();
      out[name] = t.slice(3).sort((a, b) => a - b)[Math.floor(runs / 2)];
    }
    return out;
  }, Object.keys(graphs), RUNS_EACH, [1, 3, spec.input.height, spec.input.width]);
  await page.close();
  return { node: nodeMs, web: webMs };
}

const PAGE = (mode) => `<!doctype html><meta charset="utf-8"><body><script type="module">
  // the page thread's long tasks (over 50 ms: what a visitor feels as a frozen page) until the first map
  const longTasks = [];
  new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });
  await import('/widget/saliency-explainer.js');
  const el = document.createElement('saliency-explainer');
  Object.assign(el, { src: '/images/${PHOTO}', mode: '${mode}', topK: 1 });
  const t0 = performance.now();
  // the moment the widget starts computing: its engine (runtime, model, compiled sessions) is ready
  let computing = null;
  const poll = setInterval(() => {
    if (computing === null && el.status === 'computing') computing = performance.now();
  }, 1);
  const next = () => new Promise((resolve, reject) => {
    el.addEventListener('saliency-ready', () => resolve(performance.now()), { once: true });
    el.addEventListener('saliency-error', (e) => reject(new Error(e.detail.code + ': ' + e.detail.message)), { once: true });
  });
  const ready = next();
  document.body.append(el);
  window.bench = ready.then(async (t1) => {
    clearInterval(poll);
    // downloads seen by the page (Cache Storage hits are not network requests: none on a warm visit)
    const span = (part) => {
      const es = performance.getEntriesByType('resource').filter((e) => e.name.includes(part) && e.transferSize > 0);
      return es.length ? { start: Math.min(...es.map((e) => e.startTime)) - t0, end: Math.max(...es.map((e) => e.responseEnd)) - t0 } : null;
    };
    const runtime = span('/ort/');
    const model = span('/models/files/');
    const fetched = Math.max(runtime?.end ?? 0, model?.end ?? 0);
    const breakdown = {
      runtime: runtime ? runtime.end - runtime.start : 0,
      model: model ? model.end - model.start : 0,
      engine: computing === null ? NaN : computing - t0 - fetched,
      firstRun: computing === null ? NaN : t1 - computing,
      pageBlocked: longTasks.filter((e) => e.startTime < t1).reduce((a, e) => a + e.duration, 0),
      longestTask: Math.max(0, ...longTasks.filter((e) => e.startTime < t1).map((e) => e.duration)),
    };
    const perMap = [];
    for (let c = 0; c < ${MAPS}; c++) {
      const t = performance.now();
      const done = next();
      el.selectClass(100 + c);
      perMap.push((await done) - t);
    }
    return { first: t1 - t0, perMap, backend: el.backend, breakdown, isolated: crossOriginIsolated };
  });
</script>`;

async function browserTimes(browser, api, mode, headers = {}) {
  const measure = async () => {
    const page = await browser.newPage();
    // the bench page is answered by the browser itself, at the API's origin (its Cache Storage)
    await answerOnPage(page, { [`${api.url}/__bench.html`]: { contentType: 'text/html', headers, body: PAGE(mode) } });
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
    if (warm.isolated !== (Object.keys(headers).length > 0)) throw new Error(`the page is ${warm.isolated ? '' : 'not '}cross-origin isolated`);
    colds.push(cold);
    warms.push(warm);
    perMap.push(...warm.perMap);
  }
  const medians = (runs) => ({
    first: median(runs.map((r) => r.first)),
    ...Object.fromEntries(Object.keys(runs[0].breakdown).map((k) => [k, median(runs.map((r) => r.breakdown[k]))])),
  });
  return { cold: medians(colds), warm: medians(warms), perMap: median(perMap), isolated: warms[0].isolated };
}

const { ISOLATION_HEADERS } = await import(pathToFileURL(join(repo, 'packages', 'api', 'dist', 'server', 'isolation.js')).href);
const node = await nodeTimes();
const node1 = await nodeTimes({ intraOpNumThreads: 1 });
const api = await startApi();
// a second API with the isolation setting (its own origin, so its own caches)
const before = process.env.SALIENCY_CROSS_ORIGIN_ISOLATION;
process.env.SALIENCY_CROSS_ORIGIN_ISOLATION = 'on';
const isolatedApi = await startApi().finally(() => {
  if (before === undefined) delete process.env.SALIENCY_CROSS_ORIGIN_ISOLATION;
  else process.env.SALIENCY_CROSS_ORIGIN_ISOLATION = before;
});
const browser = await launchChromium({ webgpu });
const first = (b) => `first map ${ms(b.first)} = runtime download ${ms(b.runtime)}, model download ${ms(b.model)} (in parallel), `
  + `engine creation ${ms(b.engine)} after the downloads, first run ${ms(b.firstRun)}; `
  + `the page thread meanwhile: long tasks ${ms(b.pageBlocked)} in all, the longest ${ms(b.longestTask)}`;
const rows = [];
try {
  console.log(`SqueezeNet 1.0, ${PHOTO}, Grad-CAM; medians of ${RUNS} page loads and ${RUNS * MAPS} maps; Node: onnxruntime-node, ${MAPS} maps`);
  console.log(`Node engine, default threads: first map ${ms(node.first)} (read model, compile, decode, explain), per map ${ms(node.perMap)}`);
  console.log(`Node engine, 1 intra-op thread: first map ${ms(node1.first)}, per map ${ms(node1.perMap)}`);
  const runs = [['wasm, 1 thread (not isolated)', api, 'wasm', {}, node1], ['wasm, threads (cross-origin isolated)', isolatedApi, 'wasm', ISOLATION_HEADERS, node]];
  if (webgpu) runs.push(['webgpu', api, 'webgpu', {}, node]);
  const runtime = await runtimeTimes(browser, api);
  for (const [name, what] of [['forward', 'forward pass (logits graph)'], ['fused', 'fused Grad-CAM top-1 graph (a map)']]) {
    console.log(`Runtime alone, ${what}: ONNX Runtime Web wasm 1 thread ${ms(runtime.web[name])}, onnxruntime-node 1 thread ${ms(runtime.node[name])} `
      + `(${(runtime.web[name] / runtime.node[name]).toFixed(1)}×)`);
    rows.push({ case: `runtime alone, ${what}`, webMs: runtime.web[name], nodeMs: runtime.node[name], ratio: runtime.web[name] / runtime.node[name] });
  }
  for (const [name, server, mode, headers, ref] of runs) {
    const b = await browserTimes(browser, server, mode, headers);
    rows.push({ case: `widget, ${name}`, perMap: b.perMap, nodePerMap: ref.perMap, nodeThreads: ref === node1 ? '1 thread' : 'default threads',
      ratio: b.perMap / ref.perMap, ratioDefault: b.perMap / node.perMap, cold: b.cold, warm: b.warm, isolated: b.isolated });
    console.log(`Chromium ${name}: per map ${ms(b.perMap)} (${(b.perMap / ref.perMap).toFixed(1)}× Node ${ref === node1 ? '1 thread' : 'default threads'}, `
      + `${(b.perMap / node.perMap).toFixed(1)}× Node default)`);
    console.log(`  cold visit: ${first(b.cold)} (${(b.cold.first / node.first).toFixed(1)}× Node's first map)`);
    console.log(`  warm visit: ${first(b.warm)} (${(b.warm.first / node.first).toFixed(1)}× Node's first map)`);
  }
  saveResults('browser', rows, { photo: PHOTO, runs: RUNS, maps: MAPS, node: { perMap: node.perMap, first: node.first }, node1: { perMap: node1.perMap, first: node1.first } });
} finally {
  await browser.close();
  await api.close();
  await isolatedApi.close();
}
