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
    const ready = nextReady(el);
    await until('a model download in progress', () => {
      const p = progress(el);
      return !!p && p.getAttribute('aria-label')!.startsWith('Downloading the model') && p.value > 0 && p.value < p.max;
    });
    const p = progress(el)!;
    // the model's Content-Length, plus the runtime's when it downloads at the same time
    ok(p.max === 2484091 || p.max === 2484091 + 14239897, `max ${p.max}`);
    ok(part(el, '[part=status]').textContent!.includes('MB'), 'status text shows megabytes');
    equal(part(el, '[part=media]').getAttribute('aria-busy'), 'true', 'aria-busy while loading');
    await screenshot('state-downloading', selector);
    // the bar advances until the downloads end
    const values: number[] = [];
    let done = false;
    void ready.finally(() => (done = true));
    while (!done) {
      const bar = progress(el);
      // only the determinate download bar (the computing bar that follows has no value)
      if (bar?.hasAttribute('value') && bar.value !== values.at(-1)) values.push(bar.value);
      await new Promise((r) => setTimeout(r, 10));
    }
    ok(values.length >= 3, `progress values seen: ${values.length}`);
    ok(values.every((v, i) => i === 0 || v >= values[i - 1]), `monotonic: ${values.join(', ')}`);
    equal((await ready).backend, 'wasm', 'finished');
    await settled(el);
    equal(progress(el), null, 'no progress bar once ready');
    equal(part(el, '[part=media]').getAttribute('aria-busy'), 'false', 'not busy');
    el.remove();
  });

  it('shows an indeterminate bar while computing, and the page stays responsive (ORT in a worker)', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'top-k': '1', method: 'scorecam' });
    const ready = nextReady(el);
    await until('computing', () => part(el, '[part=status]', true)?.textContent?.includes('Computing Score-CAM') === true && el.status === 'computing');
    ok(!progress(el)!.hasAttribute('value'), 'indeterminate');
    // Score-CAM is 512 forward runs: on the main thread they would freeze the page for the whole
    // computation. In ORT's proxy worker only core's own JavaScript runs here: compiling a session's
    // graph once (a few hundred ms at first use) and the masks between runs.
    let done = false;
    void ready.finally(() => (done = true));
    let last = performance.now();
    const started = last;
    const long: number[] = [];
    while (!done) {
      await new Promise((r) => setTimeout(r, 5));
      const now = performance.now();
      if (now - last > 100) long.push(now - last);
      last = now;
    }
    const total = last - started;
    const blocked = long.reduce((a, b) => a + b, 0);
    console.log(`Score-CAM in wasm: ${total.toFixed(0)} ms; main thread blocked > 100 ms ${long.length} times, ${blocked.toFixed(0)} ms in all (${long.map((g) => g.toFixed(0)).join(', ')})`);
    ok(total > 1000, `a long computation (${total.toFixed(0)} ms)`);
    ok(blocked < 0.1 * total && long.length <= 3, `the page was blocked ${long.length} times, ${blocked.toFixed(0)} of ${total.toFixed(0)} ms`);
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
