// Multi-threaded wasm only where it can work: the widget asks ONNX Runtime Web for several threads
// when the page is cross-origin isolated (SharedArrayBuffer exists) and for one otherwise. The test
// page is not isolated; the isolated case stubs `crossOriginIsolated` and loads the runtime from a
// second URL (its own module instance, so the two settings do not share one `env`). Nothing is run
// with the stubbed setting: the number asked for is read before a session exists.
import { loadOrt, wasmThreads } from '../src/engines/ort-loader.js';
import { equal, ok } from './helpers/assert.js';

describe('wasm threads', () => {
  it('asks for one thread on a page that is not cross-origin isolated', async () => {
    equal(globalThis.crossOriginIsolated, false, 'the test page is not isolated');
    const ort = await loadOrt('wasm', '/ort/');
    equal(ort.env.wasm.numThreads, 1, 'numThreads');
    equal(wasmThreads(), 1, 'wasmThreads() here');
  });

  it('asks for more than one thread when crossOriginIsolated is true', async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'crossOriginIsolated');
    Object.defineProperty(globalThis, 'crossOriginIsolated', { value: true, configurable: true });
    try {
      equal(globalThis.crossOriginIsolated, true, 'stubbed');
      const ort = await loadOrt('wasm', '/node_modules/onnxruntime-web/dist/');
      ok((ort.env.wasm.numThreads ?? 0) > 1, `numThreads ${ort.env.wasm.numThreads} > 1`);
      equal(ort.env.wasm.numThreads, wasmThreads(true, navigator.hardwareConcurrency || 1), 'numThreads');
    } finally {
      if (own) Object.defineProperty(globalThis, 'crossOriginIsolated', own);
      else delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
    equal(globalThis.crossOriginIsolated, false, 'restored');
  });

  it('chooses 2 to 4 threads when isolated, whatever the core count', () => {
    equal(wasmThreads(false, 16), 1, 'not isolated, 16 cores');
    equal(wasmThreads(true, 1), 2, 'isolated, 1 core');
    equal(wasmThreads(true, 2), 2, 'isolated, 2 cores');
    equal(wasmThreads(true, 16), 4, 'isolated, 16 cores');
  });
});
