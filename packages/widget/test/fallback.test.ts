// mode="auto": WebGPU → wasm → the API, each step taken only when the previous one cannot run, and
// the defaults of models-base and wasm-paths taken from the api's origin (the real API's static routes).
import { deepEqual, equal, ok } from './helpers/assert.js';
import { apiUrl, screenshot } from './helpers/commands.js';
import { mount, nextError, nextReady, part, settled } from './helpers/element.js';

describe('auto mode', () => {
  it('falls back to wasm when the browser has no WebGPU adapter', async () => {
    const { el } = mount({ src: '/images/both.png' });
    const r = await nextReady(el);
    equal(el.mode, 'auto', 'default mode');
    equal(r.backend, 'wasm', 'backend');
    deepEqual(r.fallbacks.map((f) => [f.backend, f.code]), [['webgpu', 'WEBGPU_UNAVAILABLE']], 'fallbacks');
    el.remove();
  });

  it('falls back to the API when the model cannot be loaded locally (no manifest)', async () => {
    const api = `${await apiUrl()}/graphql`;
    const { el, selector } = mount({ src: '/images/both.png', api, 'models-base': '/nowhere/' });
    const r = await nextReady(el);
    await settled(el);
    equal(r.backend, 'server', 'backend');
    deepEqual(r.fallbacks.map((f) => [f.backend, f.code]), [['webgpu', 'WEBGPU_UNAVAILABLE'], ['wasm', 'MODEL_LOAD_FAILED']], 'fallbacks');
    equal(r.predictions[0].label, 'bull mastiff', 'top-1');
    equal(part(el, '[part=badge]').textContent!.trim().startsWith('server'), true, 'badge');
    await screenshot('auto-fell-back-to-server', selector);
    el.remove();
  });

  it('falls back to the API when the model file is missing', async () => {
    const api = `${await apiUrl()}/graphql`;
    const { el } = mount({ src: '/images/both.png', api, 'models-base': '/models-nofiles/' });
    const r = await nextReady(el);
    equal(r.backend, 'server', 'backend');
    ok(r.fallbacks[1].message.includes('HTTP 404'), r.fallbacks[1].message);
    el.remove();
  });

  it('without an api, reports the local failure', async () => {
    const { el } = mount({ src: '/images/both.png', 'models-base': '/nowhere/' });
    const e = await nextError(el);
    equal(e.code, 'MODEL_LOAD_FAILED', 'code');
    ok(e.message.includes('manifest'), e.message);
    el.remove();
  });

  it('loads the model and ONNX Runtime from the api’s origin by default (the API’s static routes)', async () => {
    const base = await apiUrl();
    const { el } = mount({ src: `${base}/images/both.png`, api: `${base}/graphql`, mode: 'wasm' });
    const r = await nextReady(el);
    equal(r.backend, 'wasm', 'computed locally');
    equal(r.predictions[0].label, 'bull mastiff', 'top-1');
    const resources = performance.getEntriesByType('resource').map((e) => e.name);
    ok(resources.includes(`${base}/models/manifest.json`), 'manifest from the API');
    ok(resources.includes(`${base}/ort/ort.wasm.min.mjs`), 'runtime from the API');
    el.remove();
  });

  it('runs a model given by URL with a model-spec', async () => {
    const spec = {
      input: { name: 'data_0', height: 224, width: 224, layout: 'NCHW', channelOrder: 'BGR', scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], resize: 'stretch' },
      output: { name: 'softmaxout_1', kind: 'softmax', logits: 'pool10_1' },
      labels: '/models/files/labels/imagenet_synset.txt',
    };
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', model: '/models/files/squeezenet1.0/model-fp16.onnx', 'model-spec': JSON.stringify(spec), 'top-k': '2' });
    const r = await nextReady(el);
    equal(r.model, new URL('/models/files/squeezenet1.0/model-fp16.onnx', location.href).href, 'model id is its URL');
    equal(r.layer, 'fire9/concat_2', 'the default layer found by the engine');
    deepEqual(r.predictions.map((p) => p.label), ['bull mastiff', 'boxer'], 'predictions');
    el.remove();
  });
});
