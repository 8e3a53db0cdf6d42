// The built bundle on a fresh page: it defines the element without loading ONNX Runtime, and a second
// page load reads the model and the runtime's wasm from Cache Storage instead of downloading them.
import { CACHE_NAME } from '../src/index.js';
import { deepEqual, equal, ok } from './helpers/assert.js';
import { routeCount } from './helpers/commands.js';

interface PageMessage {
  source: string;
  type: 'defined' | 'ready' | 'error' | 'import-failed';
  detail: Record<string, unknown>;
}

/** Load test/fixtures/page.html with these widget attributes in an iframe; resolves with its messages up to ready/error. */
function loadPage(attributes: Record<string, string>): Promise<PageMessage[]> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    const messages: PageMessage[] = [];
    const timer = setTimeout(() => finish(() => reject(new Error(`the page did not finish: ${JSON.stringify(messages)}`))), 200_000);
    function onMessage(e: MessageEvent<PageMessage>) {
      if (e.source !== frame.contentWindow || e.data?.source !== 'widget-page') return;
      messages.push(e.data);
      if (e.data.type !== 'defined') finish(() => resolve(messages));
    }
    function finish(f: () => void) {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      frame.remove();
      f();
    }
    window.addEventListener('message', onMessage);
    frame.src = `/packages/widget/test/fixtures/page.html?${new URLSearchParams(attributes)}`;
    frame.style.width = '800px';
    frame.style.height = '600px';
    document.body.append(frame);
  });
}

const MODEL = '/models/files/squeezenet1.0/model-fp16.onnx';
const WASM = '/ort/ort-wasm-simd-threaded.wasm';
const RUNTIME = '/ort/ort.wasm.min.mjs';

describe('the bundle and Cache Storage', () => {
  before(async () => {
    await caches.delete(CACHE_NAME);
  });

  it('defines the element from the one-file bundle and loads no runtime for a remote-only widget', async () => {
    const before = await routeCount(RUNTIME);
    const messages = await loadPage({ src: '/images/both.png', mode: 'remote' });
    const defined = messages.find((m) => m.type === 'defined');
    ok(defined?.detail.defined === true, `defined: ${JSON.stringify(messages)}`);
    equal(defined!.detail.ortRequestsAtStart, 0, 'no ONNX Runtime request when the bundle loads');
    equal(messages.at(-1)!.type, 'error', 'remote without api fails');
    equal((messages.at(-1)!.detail as { code: string }).code, 'NO_API', 'code');
    equal(await routeCount(RUNTIME), before, 'the runtime was never fetched');
  });

  it('downloads the model and the wasm binary on the first page load only', async () => {
    const model0 = await routeCount(MODEL);
    const wasm0 = await routeCount(WASM);
    const first = await loadPage({ src: '/images/both.png', mode: 'wasm' });
    const r1 = first.at(-1)!;
    equal(r1.type, 'ready', `first load: ${JSON.stringify(r1.detail)}`);
    equal(r1.detail.modelFromCache, false, 'first load downloads');
    equal(await routeCount(MODEL), model0 + 1, 'model downloaded once');
    equal(await routeCount(WASM), wasm0 + 1, 'wasm binary downloaded once');
    const cache = await caches.open(CACHE_NAME);
    ok(await cache.match(new URL(MODEL, location.href).href), 'the model is in Cache Storage');

    const second = await loadPage({ src: '/images/both.png', mode: 'wasm' });
    const r2 = second.at(-1)!;
    equal(r2.type, 'ready', `second load: ${JSON.stringify(r2.detail)}`);
    equal(r2.detail.modelFromCache, true, 'second load reads Cache Storage');
    equal(await routeCount(MODEL), model0 + 1, 'the model was not downloaded again');
    equal(await routeCount(WASM), wasm0 + 1, 'the wasm binary was not downloaded again');
    deepEqual(r2.detail.predictions, r1.detail.predictions, 'same predictions');
  });

  it('drops a cached model whose sha256 no longer matches the manifest', async () => {
    const cache = await caches.open(CACHE_NAME);
    const key = new URL(MODEL, location.href).href;
    await cache.put(key, new Response(new Uint8Array([1, 2, 3]), { headers: { 'x-saliency-sha256': 'stale' } }));
    const model0 = await routeCount(MODEL);
    const page = await loadPage({ src: '/images/both.png', mode: 'wasm' });
    equal(page.at(-1)!.type, 'ready', JSON.stringify(page.at(-1)!.detail));
    equal(page.at(-1)!.detail.modelFromCache, false, 'downloaded again');
    equal(await routeCount(MODEL), model0 + 1, 'one download');
  });
});
