// The states a page can show: no image, download progress, computing, and theming from outside
// (custom properties and ::part), with screenshots of each.
import { CACHE_NAME } from '../src/index.js';
import { equal, ok } from './helpers/assert.js';
import { screenshot } from './helpers/commands.js';
import { mount, nextReady, part, settled } from './helpers/element.js';
import type { SaliencyExplainer } from '../src/index.js';

/** Poll until `check` holds (the widget's state changes asynchronously). */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function progress(el: SaliencyExplainer): HTMLProgressElement | null {
  return el.shadowRoot!.querySelector<HTMLProgressElement>('[part=progress]');
}

/** Workers created by the page (ORT's proxy worker among them), recorded from the first import on. */
const workers: { url: string; name: string }[] = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    workers.push({ url: String(url), name: options?.name ?? '' });
  }
};

/** `read()` after every render of `el`, until stop(). */
function renders<T>(el: SaliencyExplainer, read: () => T): { seen: T[]; stop(): void } {
  const seen: T[] = [];
  const host = el as unknown as { updated(changed: Map<PropertyKey, unknown>): void };
  const own = host.updated;
  host.updated = function (this: unknown, changed) {
    own.call(this, changed);
    seen.push(read());
  };
  return { seen, stop: () => { host.updated = own; } };
}

describe('states', () => {
  it('without src: a placeholder and status idle', async () => {
    const { el, selector } = mount({ mode: 'wasm' });
    await settled(el);
    equal(el.status, 'idle', 'status');
    equal(part(el, '[part=placeholder]').textContent, 'No image: set the src attribute.', 'placeholder');
    await screenshot('state-idle', selector);
    el.remove();
  });

  it('shows the model download as a determinate progress bar', async () => {
    const slow = new URL('/models-slow/files/squeezenet1.0/model-fp16.onnx', location.href).href;
    await (await caches.open(CACHE_NAME)).delete(slow);
    const { el, selector } = mount({ src: '/images/both.png', mode: 'wasm', 'models-base': '/models-slow/' });
    // every render's bar, recorded as it is drawn (no polling: a busy machine cannot make us miss one)
    const bars = renders(el, () => {
      const bar = progress(el);
      return bar && { label: bar.getAttribute('aria-label') ?? '', value: bar.hasAttribute('value') ? bar.value : null, max: bar.max };
    });
    const ready = nextReady(el);
    const downloading = () => bars.seen.filter((b): b is NonNullable<typeof b> => !!b?.label.startsWith('Downloading the model') && b.value !== null);
    await until('a model download in progress', () => downloading().length > 0 || bars.seen.length > 0 && el.status === 'ready');
    if (el.status !== 'ready') await screenshot('state-downloading', selector);
    const first = downloading()[0];
    ok(first, 'a determinate download bar was rendered');
    // the model's Content-Length, plus the runtime's when it downloads at the same time
    ok(first.max === 2484091 || first.max === 2484091 + 14239897, `max ${first.max}`);
    equal((await ready).backend, 'wasm', 'finished');
    bars.stop();
    // the bar advanced with the download (the test server sends the model in 64 KiB chunks)
    const values = downloading().map((b) => b.value!).filter((v, i, all) => i === 0 || v !== all[i - 1]);
    ok(values.length >= 3, `progress values rendered: ${values.join(', ')}`);
    ok(values.every((v, i) => i === 0 || v >= values[i - 1]), `monotonic: ${values.join(', ')}`);
    ok(values.some((v) => v > 0 && v < first.max), 'an intermediate value');
    await settled(el);
    equal(progress(el), null, 'no progress bar once ready');
    equal(part(el, '[part=media]').getAttribute('aria-busy'), 'false', 'not busy');
    el.remove();
  });

  it('shows an indeterminate bar while computing, and runs ONNX Runtime in its proxy worker', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'top-k': '1', method: 'scorecam' });
    const ready = nextReady(el);
    await until('computing', () => part(el, '[part=status]', true)?.textContent?.includes('Computing Score-CAM') === true && el.status === 'computing');
    ok(!progress(el)!.hasAttribute('value'), 'indeterminate');
    // Score-CAM is 512 forward runs: on the main thread they would freeze the page for the whole
    // computation. The mechanism that prevents it: ORT's wasm provider runs in its proxy worker, so
    // the page thread only hands over tensors (timings are the bench's business, not this test's).
    const proxies = workers.filter((w) => w.name === 'ort-wasm-proxy-worker');
    equal(proxies.length, 1, 'one ORT proxy worker for the page');
    ok(/ort\.wasm(\.min)?\.mjs/.test(proxies[0].url), `the proxy worker runs ORT's module (${proxies[0].url})`);
    // and the page thread keeps turning while the worker computes: timers fire during the run
    let done = false;
    void ready.finally(() => (done = true));
    let ticks = 0;
    while (!done) {
      await new Promise((r) => setTimeout(r, 5));
      if (!done) ticks++;
    }
    ok(ticks > 0, `page timers ran during the computation (${ticks})`);
    equal((await ready).backend, 'wasm', 'finished in wasm');
    el.remove();
  });

  it('shows a remote request in flight', async () => {
    const { el, selector } = mount({ src: '/images/both.png', mode: 'remote', api: '/slow-api/graphql' });
    const ready = nextReady(el);
    await until('the request', () => part(el, '[part=status]', true)?.textContent?.includes('Asking the server for Grad-CAM') === true);
    equal(el.status, 'computing', 'status');
    await screenshot('state-remote-computing', selector);
    equal((await ready).backend, 'server', 'answered');
    el.remove();
  });

  it('is themed by custom properties and ::part from the page', async () => {
    const style = document.createElement('style');
    style.textContent = `
      .dark { --saliency-bg: #0d1117; --saliency-fg: #e6edf3; --saliency-muted: #9198a1; --saliency-surface: #161b22;
              --saliency-border: #3d444d; --saliency-accent: rgb(255, 122, 0); }
      .dark::part(badge) { background: rgb(255, 122, 0); color: #000; }`;
    document.head.append(style);
    const { el, selector } = mount({ src: '/images/both.png', mode: 'wasm', class: 'dark' });
    await nextReady(el);
    await settled(el);
    equal(getComputedStyle(el).backgroundColor, 'rgb(13, 17, 23)', 'background from --saliency-bg');
    equal(getComputedStyle(part(el, '.bar > span')).backgroundColor, 'rgb(255, 122, 0)', 'bars from --saliency-accent');
    equal(getComputedStyle(part(el, '[part=badge]')).backgroundColor, 'rgb(255, 122, 0)', '::part(badge)');
    await screenshot('state-themed-dark', selector);
    el.remove();
    style.remove();
  });
});
