// Error states: each failure shows a clear message (role=alert) and fires saliency-error with its code.
import { equal, ok } from './helpers/assert.js';
import { apiUrl, closedPortUrl, screenshot } from './helpers/commands.js';
import { mount, nextError, nextReady, part, settled } from './helpers/element.js';
import type { SaliencyExplainer } from '../src/index.js';

async function expectError(attributes: Record<string, string>, code: string, shot?: string): Promise<SaliencyExplainer> {
  const { el, selector } = mount(attributes);
  const e = await nextError(el);
  await settled(el);
  equal(e.code, code, `code for ${JSON.stringify(attributes)} (${e.message})`);
  equal(el.status, 'error', 'status');
  const box = part(el, '[part=error]');
  equal(box.getAttribute('role'), 'alert', 'the error box is an alert');
  ok(box.textContent!.includes(code), 'the box names the code');
  ok(box.textContent!.includes(e.message), 'the box shows the message');
  if (shot) await screenshot(shot, selector);
  return el;
}

describe('errors', () => {
  it('an image that does not load', async () => {
    const el = await expectError({ src: '/images/no-such-photo.png', mode: 'wasm' }, 'IMAGE_LOAD_FAILED', 'error-image-missing');
    ok(part(el, '[part=error] strong').textContent!.includes('The image could not be loaded'), 'title');
    el.remove();
  });

  it('a file that is not an image', async () => {
    (await expectError({ src: '/models/files/labels/imagenet_synset.txt', mode: 'wasm' }, 'IMAGE_LOAD_FAILED')).remove();
  });

  it('an unknown model, locally and on the server', async () => {
    (await expectError({ src: '/images/both.png', mode: 'wasm', model: 'no-such-model' }, 'UNKNOWN_MODEL', 'error-unknown-model')).remove();
    const api = `${await apiUrl()}/graphql`;
    (await expectError({ src: '/images/both.png', mode: 'remote', api, model: 'no-such-model' }, 'UNKNOWN_MODEL')).remove();
  });

  it('a model whose file cannot be downloaded', async () => {
    (await expectError({ src: '/images/both.png', mode: 'wasm', 'models-base': '/models-nofiles/' }, 'MODEL_LOAD_FAILED', 'error-model-missing')).remove();
  });

  it('the API is down, and recovers when pointed at a running one', async () => {
    const el = await expectError({ src: '/images/both.png', mode: 'remote', api: await closedPortUrl() }, 'API_UNAVAILABLE', 'error-api-down');
    const ready = nextReady(el);
    el.api = `${await apiUrl()}/graphql`;
    equal((await ready).backend, 'server', 'recovered');
    await settled(el);
    equal(el.shadowRoot!.querySelector('[part=error]'), null, 'the error box is gone');
    el.remove();
  });

  it('the retry button runs again', async () => {
    const el = await expectError({ src: '/images/both.png', mode: 'remote', api: await closedPortUrl() }, 'API_UNAVAILABLE');
    const again = nextError(el);
    part<HTMLButtonElement>(el, '[part=retry]').click();
    equal((await again).code, 'API_UNAVAILABLE', 'the retry failed the same way');
    el.remove();
  });

  it('remote mode without an api', async () => {
    (await expectError({ src: '/images/both.png', mode: 'remote' }, 'NO_API')).remove();
  });

  it('webgpu mode without a WebGPU adapter', async () => {
    (await expectError({ src: '/images/both.png', mode: 'webgpu' }, 'WEBGPU_UNAVAILABLE')).remove();
  });

  it('bad attribute values', async () => {
    (await expectError({ src: '/images/both.png', mode: 'turbo' }, 'BAD_ATTRIBUTE')).remove();
    (await expectError({ src: '/images/both.png', mode: 'wasm', 'top-k': '0' }, 'BAD_ATTRIBUTE')).remove();
    (await expectError({ src: '/images/both.png', mode: 'wasm', 'class-index': 'cat' }, 'BAD_ATTRIBUTE')).remove();
    (await expectError({ src: '/images/both.png', mode: 'wasm', colormap: 'rainbow' }, 'BAD_ATTRIBUTE')).remove();
    (await expectError({ src: '/images/both.png', mode: 'wasm', method: 'magic-cam' }, 'UNKNOWN_METHOD')).remove();
    (await expectError({ src: '/images/both.png', mode: 'wasm', model: '/models/files/squeezenet1.0/model-fp16.onnx' }, 'BAD_ATTRIBUTE')).remove();
  });

  it('a class the model does not have (the engine’s own check)', async () => {
    (await expectError({ src: '/images/both.png', mode: 'wasm', 'class-index': '5000' }, 'BAD_CLASS')).remove();
  });
});
