// WebGPU (run in the "webgpu" group: Chromium with --enable-unsafe-webgpu, SwiftShader's software
// adapter on a machine without a GPU): ONNX Runtime Web's WebGPU provider computes the Node maps.
import { webgpuAdapter } from '../src/engines/webgpu.js';
import { loadImage } from '../src/image/load-image.js';
import { allClose, equal, ok } from './helpers/assert.js';
import type { CaptionDetail, DetectorReadyDetail, SaliencyDetector } from '../src/index.js';
import { apiUrl, nodeExplain, screenshot } from './helpers/commands.js';
import { mount, nextMeasure, nextReady, part, rgbBase64, settled } from './helpers/element.js';

/**
 * GPU kernels sum in other orders than the CPU's and may use other formulations (tiled matmuls,
 * fused multiply-adds), so hardware GPUs can differ from Node more than wasm does. Measured with
 * SwiftShader: ≤ 5e-7 of the raw map's maximum. Allowed: 1e-4 of the raw maximum, 1e-4 on final
 * maps, 1e-5 on probabilities.
 */
const RAW_RTOL_OF_MAX = 1e-4;
const MAP_ATOL = 1e-4;
const PROB_ATOL = 1e-5;
/**
 * The detector on the GPU provider against the server's native runtime: box scores, corners (px), final
 * maps in [0, 1] (measured with SwiftShader: EigenCAM 1.9e-6; the box Grad-CAM of the wasm twin 6.0e-6,
 * as wasm's own 2e-5 bound in detector.test.ts).
 */
const DETECTOR_SCORE_ATOL = 1e-4;
const DETECTOR_BOX_ATOL = 1e-2;
const DETECTOR_MAP_ATOL = 2e-5;

describe('webgpu mode', () => {
  it('has a WebGPU adapter in this group', async () => {
    ok(await webgpuAdapter(), 'navigator.gpu.requestAdapter() gave an adapter');
  });

  it('computes the Node engine’s SqueezeNet maps on the GPU provider', async () => {
    const image = await loadImage('/images/both.png');
    const { el, selector } = mount({ src: '/images/both.png', mode: 'webgpu', 'top-k': '2' });
    const r = await nextReady(el);
    await settled(el);
    equal(r.backend, 'webgpu', 'backend');
    const node = await nodeExplain({ model: 'squeezenet1.0', rgb: rgbBase64(image.pixels), width: 224, height: 224, methods: ['gradcam'], topK: 2 });
    equal(r.predictions.map((p) => p.index).join(), node.predictions.map((p) => p.index).join(), 'classes');
    r.predictions.forEach((p, i) => allClose([p.score], [node.predictions[i].score], PROB_ATOL, 0, `probability of ${p.label}`));
    const report: string[] = [];
    for (const n of node.maps) {
      const b = r.maps.find((m) => m.classIndex === n.classIndex)!;
      ok(b, `map of class ${n.classIndex}`);
      const max = Math.max(...n.raw.values);
      const raw = allClose(b.raw.values, n.raw.values, RAW_RTOL_OF_MAX * max, 0, `raw ${n.classIndex}`);
      const map = allClose(b.map.values, n.map.values, MAP_ATOL, 0, `map ${n.classIndex}`);
      report.push(`gradcam/${n.classIndex}: raw ${(raw / max).toExponential(1)} of max, map ${map.toExponential(1)}`);
    }
    console.log(`both.png WebGPU vs Node: ${report.join('; ')}`);
    await screenshot('webgpu-ready', selector);
    el.remove();
  });

  it('hands pixel attributions of a model with MaxPool to wasm (ORT Web\'s WebGPU MaxPool has no Indices output), says so, and computes the Node engine’s maps', async () => {
    const image = await loadImage('/images/both.png');
    const methods = ['saliency', 'guidedbackprop'];
    const { el, selector } = mount({ src: '/images/both.png', mode: 'webgpu', 'top-k': '1' });
    const cam = await nextReady(el);
    equal(cam.backend, 'webgpu', 'Grad-CAM on WebGPU');
    const maps = [];
    for (const method of methods) {
      const next = nextReady(el);
      el.method = method;
      const r = await next;
      equal(r.backend, 'wasm', `${method}: computed with wasm`);
      const f = r.fallbacks.find((x) => x.code === 'WEBGPU_UNSUPPORTED');
      ok(f && f.backend === 'webgpu', `${method}: the fallback is reported (${JSON.stringify(r.fallbacks)})`);
      maps.push(...r.maps);
    }
    await settled(el);
    ok(part(el, '[part=badge]').textContent!.trim().startsWith('wasm'), 'the badge says wasm for the pixel map');
    const node = await nodeExplain({ model: 'squeezenet1.0', rgb: rgbBase64(image.pixels), width: 224, height: 224, methods, topK: 1 });
    const report: string[] = [];
    for (const n of node.maps) {
      const b = maps.find((m) => m.method === n.method && m.classIndex === n.classIndex)!;
      ok(b, `${n.method} map of class ${n.classIndex}`);
      let max = 0;
      for (const v of n.raw.values) max = Math.max(max, v);
      const raw = allClose(b.raw.values, n.raw.values, RAW_RTOL_OF_MAX * max, 0, `${n.method} raw ${n.classIndex}`);
      const map = allClose(b.map.values, n.map.values, MAP_ATOL, 0, `${n.method} map ${n.classIndex}`);
      report.push(`${n.method}/${n.classIndex}: raw ${(raw / max).toExponential(1)} of max, map ${map.toExponential(1)}`);
    }
    console.log(`both.png WebGPU mode (wasm) vs Node, pixel methods: ${report.join('; ')}`);
    await screenshot('webgpu-guidedbackprop', selector);
    const back = nextReady(el);
    el.method = 'gradcam';
    equal((await back).backend, 'webgpu', 'back to Grad-CAM: its WebGPU map again');
    el.remove();
  });

  it('is the first choice of auto mode when an adapter exists', async () => {
    const { el } = mount({ src: '/images/both.png', 'top-k': '1' });
    const r = await nextReady(el);
    equal(r.backend, 'webgpu', 'backend');
    equal(r.fallbacks.length, 0, 'nothing skipped');
    el.remove();
  });

  it('captions on the GPU provider (detector included) as the API does', async () => {
    const api = `${await apiUrl()}/graphql`;
    const texts: string[] = [];
    for (const mode of ['webgpu', 'remote']) {
      const { el } = mount({ src: '/images/both.png', mode, api, 'models-base': '/models/', caption: '' });
      const c = await nextMeasure<CaptionDetail>(el, 'saliency-caption', '.caption-status[data-status=failed]');
      equal(c.backend, mode === 'webgpu' ? 'webgpu' : 'server', `${mode}: where it was measured`);
      texts.push(c.text);
      el.remove();
    }
    ok(/lies on the dog/.test(texts[0]), `names the dog: ${texts[0]}`);
    equal(texts[0], texts[1], 'WebGPU caption = the API’s');
  });

  it('<saliency-detector mode="webgpu">: YOLOX on the GPU provider finds the API\'s boxes and EigenCAM map; a box Grad-CAM runs on its wasm twin', async () => {
    const api = `${await apiUrl()}/graphql`;
    const next = (el: HTMLElement) => new Promise<DetectorReadyDetail>((resolve, reject) => {
      el.addEventListener('saliency-detector-ready', (e) => resolve((e as CustomEvent<DetectorReadyDetail>).detail), { once: true });
      el.addEventListener('saliency-error', (e) => reject(new Error(JSON.stringify((e as CustomEvent).detail))), { once: true });
    });
    const mountDetector = (attributes: Record<string, string>) => {
      const el = document.createElement('saliency-detector');
      for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
      el.style.width = '480px';
      el.id = `gpu-detector-${attributes.mode}`;
      document.body.append(el);
      return el as SaliencyDetector;
    };
    const gpu = mountDetector({ src: '/images/both.png', mode: 'webgpu', method: 'eigencam' });
    const server = mountDetector({ src: '/images/both.png', mode: 'remote', api, method: 'eigencam' });
    const [g, s] = await Promise.all([next(gpu), next(server)]);
    equal(g.backend, 'webgpu', 'EigenCAM computed on the GPU provider');
    equal(g.detections.map((d) => d.label).join(), s.detections.map((d) => d.label).join(), 'the same boxes');
    g.detections.forEach((d, k) => {
      allClose([d.score], [s.detections[k].score], DETECTOR_SCORE_ATOL, 0, `box ${k} score`);
      allClose(d.box, s.detections[k].box, DETECTOR_BOX_ATOL, 0, `box ${k} corners`);
    });
    const eigen = allClose(g.inputMap.values, s.inputMap.values, DETECTOR_MAP_ATOL, 0, 'EigenCAM, WebGPU vs server');
    const gradGpu = next(gpu);
    const gradServer = next(server);
    gpu.method = 'gradcam';
    server.method = 'gradcam';
    const [gg, sg] = await Promise.all([gradGpu, gradServer]);
    equal(gg.backend, 'wasm', 'the box Grad-CAM ran on the wasm twin (WebGPU MaxPool has no Indices output)');
    const grad = allClose(gg.inputMap.values, sg.inputMap.values, DETECTOR_MAP_ATOL, 0, 'box 0 Grad-CAM, twin vs server');
    console.log(`detector WebGPU vs server: EigenCAM ${eigen.toExponential(1)}, box 0 Grad-CAM (wasm twin) ${grad.toExponential(1)}`);
    await screenshot('detector-webgpu-gradcam', `#${gpu.id}`);
    gpu.remove();
    server.remove();
  });
});

