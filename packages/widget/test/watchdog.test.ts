// The local engine's start-up watchdog (engines/watchdog.ts): a runtime that never finishes creating
// its sessions (test/fixtures/ort-stalls, a stand-in for ONNX Runtime Web whose proxy worker stalled
// on init-wasm) ends in ENGINE_TIMEOUT instead of "loading" for ever; mode="auto" then uses the API,
// and the stalled runtime is not waited on again by later widgets of the page.
import { deepEqual, equal, ok } from './helpers/assert.js';
import { apiUrl } from './helpers/commands.js';
import { mount, nextError, nextReady } from './helpers/element.js';

const STALLS = '/packages/widget/test/fixtures/ort-stalls/';
const creates = () => (globalThis as unknown as { ortStallCreates?: number }).ortStallCreates ?? 0;

describe('engine start-up watchdog', () => {
  it('auto mode moves on to the API when the wasm runtime stalls', async () => {
    const api = `${await apiUrl()}/graphql`;
    const { el } = mount({ src: '/images/both.png', api, 'wasm-paths': STALLS, 'engine-timeout': '300' });
    const r = await nextReady(el);
    equal(r.backend, 'server', 'backend');
    deepEqual(r.fallbacks.map((f) => [f.backend, f.code]), [['webgpu', 'WEBGPU_UNAVAILABLE'], ['wasm', 'ENGINE_TIMEOUT']], 'fallbacks');
    ok(r.fallbacks[1].message.includes('engine-timeout'), r.fallbacks[1].message);
    equal(r.predictions[0].label, 'bull mastiff', 'top-1 from the API');
    ok(creates() <= 1, `sessions asked of the stalled runtime: ${creates()}`);
    el.remove();
  });

  it('a later widget does not wait on the stalled runtime, even with no limit of its own', async () => {
    const before = creates();
    // engine-timeout 0 turns its own watchdog off: only the runtime remembered as stalled ends this
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'wasm-paths': STALLS, 'engine-timeout': '0', 'top-k': '2' });
    const e = await nextError(el);
    equal(e.code, 'ENGINE_TIMEOUT', 'code');
    equal(creates(), before, 'no session asked of it again');
    el.remove();
  });

  it('a real runtime starts as before under the same limit', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'engine-timeout': '0' });
    const r = await nextReady(el);
    equal(r.backend, 'wasm', 'backend');
    equal(r.predictions[0].label, 'bull mastiff', 'top-1');
    el.remove();
  });

  it('refuses a negative engine-timeout', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'engine-timeout': '-1' });
    const e = await nextError(el);
    equal(e.code, 'BAD_ATTRIBUTE', 'code');
    ok(e.message.includes('engine-timeout'), e.message);
    el.remove();
  });
});
