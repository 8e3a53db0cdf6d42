// Graph compilation in a Web Worker (issue 17, item 5): the local engine's ONNX graphs are compiled by
// the worker that graph-compiler.ts starts from the bundled script (served here by
// test/plugins/compile-worker.mjs, built from compile-worker.ts as the widget's build does), not on
// the page; a compile error crosses back as the engine's typed error; and where the page refuses the
// worker (a Content Security Policy without blob: workers) the engine compiles on the page and gives
// the worker's maps bit for bit. Every ONNX Runtime session is counted to show where its graph came from.
import { ExplainError } from '@saliency-explainer/core';
import { WidgetError } from '../src/errors.js';
import { CompileWorker } from '../src/engines/graph-compiler.js';
import { LocalEngine } from '../src/engines/local-engine.js';
import { resolveModel, type ModelSource } from '../src/engines/model-source.js';
import { loadOrt } from '../src/engines/ort-loader.js';
import type { EngineResult, ExplainQuery } from '../src/engines/types.js';
import { loadImage, type LoadedImage } from '../src/image/load-image.js';
import { allClose, deepEqual, equal, ok, rejects } from './helpers/assert.js';
import { mount, nextError } from './helpers/element.js';

const WASM_PATHS = new URL('/ort/', location.href).href;
/** 16 channels: Score-CAM's 16 masked forwards in a few runs. */
const SMALL_LAYER = 'fire2/squeeze1x1_2';
/** The maps compared between the worker-compiled and the page-compiled engine: fused, unfused with Score-CAM and the gathered head gradient, a pixel attribution. */
const QUERIES: ExplainQuery[] = [
  { methods: ['gradcam'], topK: 3 },
  { methods: ['eigencam'], topK: 2 },
  { methods: ['gradcam', 'scorecam'], topK: 1, layer: SMALL_LAYER },
  { methods: ['saliency'], topK: 1 },
];
const BAD_LAYER_QUERY: ExplainQuery = { methods: ['gradcam'], layer: 'no/such/layer' };

let source: ModelSource;
let image: LoadedImage;
/** ONNX Runtime sessions created on the page so far (ORT's InferenceSession.create, counted). */
let sessions = 0;
let workerEngine: LocalEngine;
const workerResults: EngineResult[] = [];
let workerBadLayer: WidgetError;

/** Equal predictions, classes and raw maps, to the bit. */
function sameResults(got: EngineResult, want: EngineResult, what: string) {
  deepEqual(got.predictions, want.predictions, `${what}: predictions`);
  deepEqual(got.maps.map((m) => [m.method, m.classIndex, m.score]), want.maps.map((m) => [m.method, m.classIndex, m.score]), `${what}: maps`);
  got.maps.forEach((m, i) => allClose(m.raw.values, want.maps[i].raw.values, 0, 0, `${what}: ${m.method}/${m.classIndex} raw`));
}

describe('graph compilation in a worker', () => {
  before(async () => {
    source = await resolveModel('squeezenet1.0', undefined, new URL('/models/', location.href).href);
    image = await loadImage('/images/both.png');
    // the runtime the engines use (one per page): count the sessions it creates
    const ort = await loadOrt('wasm', WASM_PATHS);
    const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (...args: unknown[]) => unknown;
    (ort.InferenceSession as { create: unknown }).create = (...args: unknown[]) => {
      sessions++;
      return create(...args);
    };
  });

  it('compiles the layer graphs and the first map’s fused graph in the worker, none on the page', async () => {
    workerEngine = await LocalEngine.load('wasm', source, WASM_PATHS);
    equal(workerEngine.compilesIn, 'worker', 'where the engine compiles');
    deepEqual(workerEngine.workerCompiled, { requests: ['layer'], graphs: 3 }, 'compiled by the worker when the engine was created');
    equal(sessions, 3, 'sessions made of them');
    workerResults.push(await workerEngine.explain(image, QUERIES[0]));
    equal(workerResults[0].maps.length, 3, 'three Grad-CAM maps');
    deepEqual(workerEngine.workerCompiled, { requests: ['layer', 'fused'], graphs: 4 }, 'compiled by the worker for the first map');
    equal(sessions, 4, 'every session made of a graph the worker compiled');
  });

  it('compiles Score-CAM’s, the gathered head gradient’s and the input gradient’s graphs there too', async () => {
    for (const q of QUERIES.slice(1)) workerResults.push(await workerEngine.explain(image, q));
    deepEqual(workerEngine.workerCompiled.requests, ['layer', 'fused', 'fused', 'layer', 'gathered', 'masked', 'input-gradient'], 'requests');
    equal(sessions, workerEngine.workerCompiled.graphs, 'sessions = graphs the worker compiled');
  });

  it('a compile error in the worker comes back as the engine’s BAD_LAYER error', async () => {
    const e = await rejects(workerEngine.explain(image, BAD_LAYER_QUERY), 'a layer the model does not have');
    ok(e instanceof WidgetError, `a WidgetError: ${e}`);
    equal(e.code, 'BAD_LAYER', 'code');
    ok(e.cause instanceof ExplainError, 'caused by core’s ExplainError, rebuilt from the worker’s message');
    ok(e.message.includes('no/such/layer'), e.message);
    workerBadLayer = e;
    // and the widget says so (the same engine: one per page and model)
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', layer: 'no/such/layer' });
    const shown = await nextError(el);
    deepEqual([shown.code, shown.message], ['BAD_LAYER', e.message], 'the widget’s saliency-error');
    el.remove();
  });

  it('starts no worker where there is no Worker', async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'Worker')!;
    Object.defineProperty(globalThis, 'Worker', { value: undefined, configurable: true, writable: true });
    try {
      equal(await CompileWorker.start(), undefined, 'the compile worker');
    } finally {
      Object.defineProperty(globalThis, 'Worker', own);
    }
  });

  // last: the policy stays on this page
  it('compiles on the page where a Content Security Policy refuses blob: workers, with the worker’s maps to the bit', async () => {
    const csp = document.createElement('meta');
    csp.httpEquiv = 'Content-Security-Policy';
    csp.content = "worker-src 'self'";
    document.head.append(csp);
    equal(await CompileWorker.start(), undefined, 'the compile worker under the policy');
    await workerEngine.release();
    const before = sessions;
    const pageEngine = await LocalEngine.load('wasm', source, WASM_PATHS);
    ok(pageEngine !== workerEngine, 'a new engine after the release');
    equal(pageEngine.compilesIn, 'page', 'where the engine compiles');
    for (const [i, q] of QUERIES.entries()) sameResults(await pageEngine.explain(image, q), workerResults[i], `query ${i + 1} (${q.methods.join(', ')})`);
    deepEqual(pageEngine.workerCompiled, { requests: [], graphs: 0 }, 'nothing compiled by a worker');
    equal(sessions - before, workerEngine.workerCompiled.graphs, 'as many sessions, of graphs compiled on the page');
    const e = await rejects(pageEngine.explain(image, BAD_LAYER_QUERY), 'a layer the model does not have');
    ok(e instanceof WidgetError && e.cause instanceof ExplainError, `a WidgetError caused by an ExplainError: ${e}`);
    deepEqual([e.code, e.message], [workerBadLayer.code, workerBadLayer.message], 'the same error as from the worker');
    await pageEngine.release();
  });
});
