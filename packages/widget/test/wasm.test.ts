// Local wasm mode: the maps computed in Chromium equal the Node engine's for the same RGB pixels,
// the browser decodes photos to the same pixels as the API (sharp), and the UI shows the result.
import { finalMap } from '../src/render/heatmap.js';
import { loadImage } from '../src/image/load-image.js';
import { allClose, equal, ok } from './helpers/assert.js';
import { nodeExplain, screenshot, sharpPixels } from './helpers/commands.js';
import { canvasPixels, mount, nextReady, part, rgbBase64, settled, sha256Hex } from './helpers/element.js';

/**
 * Tolerances of the wasm-vs-Node comparison. Both run core's JS on identical input tensors; only the
 * ONNX Runtime kernels differ (wasm SIMD vs native MLAS: other summation orders, fused multiply-adds),
 * so activations and gradients agree to float32 rounding (measured: ≤ 1e-6 of the map's maximum).
 * Allowed: raw maps within 1e-5 of their own maximum; final maps (in [0, 1]) within 1e-5; probabilities 1e-5.
 */
const RAW_RTOL_OF_MAX = 1e-5;
const MAP_ATOL = 1e-5;
const PROB_ATOL = 1e-5;

async function compareWithNode(photo: string, methods: string[], topK: number) {
  const image = await loadImage(`/images/${photo}`);
  const rgb = rgbBase64(image.pixels);
  const { width, height } = image.pixels;
  const { el, selector } = mount({ src: `/images/${photo}`, mode: 'wasm', method: methods[0], 'top-k': String(topK) });
  const first = await nextReady(el);
  equal(first.backend, 'wasm', 'backend');
  const browser = [...first.maps];
  for (const m of methods.slice(1)) {
    const next = nextReady(el);
    el.method = m;
    browser.push(...(await next).maps);
  }
  const node = await nodeExplain({ model: 'squeezenet1.0', rgb, width, height, methods, topK });
  // same classes, same order, same probabilities
  equal(first.predictions.map((p) => p.index).join(), node.predictions.map((p) => p.index).join(), `${photo}: top-${topK} classes`);
  first.predictions.forEach((p, i) => allClose([p.score], [node.predictions[i].score], PROB_ATOL, 0, `${photo}: probability of ${p.label}`));
  equal(browser.length, node.maps.length, `${photo}: number of maps`);
  const report: string[] = [];
  for (const n of node.maps) {
    const b = browser.find((m) => m.method === n.method && m.classIndex === n.classIndex);
    ok(b, `${photo}: the browser has no ${n.method} map for class ${n.classIndex}`);
    const rawMax = Math.max(...n.raw.values);
    ok(rawMax > 0, `${photo}: ${n.method}/${n.classIndex}: the Node map is not all zero`);
    const rawDiff = allClose(b.raw.values, n.raw.values, RAW_RTOL_OF_MAX * rawMax, 0, `${photo} ${n.method}/${n.classIndex} raw`);
    const mapDiff = allClose(b.map.values, n.map.values, MAP_ATOL, 0, `${photo} ${n.method}/${n.classIndex} map`);
    report.push(`${n.method}/${n.classIndex}: raw ${(rawDiff / rawMax).toExponential(1)} of max, map ${mapDiff.toExponential(1)}`);
  }
  console.log(`${photo} wasm vs Node: ${report.join('; ')}`);
  return { el, selector, first };
}

describe('wasm mode', () => {
  it('decodes PNG photos to the same RGB pixels as the API (sharp)', async () => {
    for (const photo of ['both.png', 'chelsea.png']) {
      const image = await loadImage(`/images/${photo}`);
      const reference = await sharpPixels(photo);
      equal(`${image.pixels.width}x${image.pixels.height}`, `${reference.width}x${reference.height}`, `${photo} size`);
      const rgb = Uint8Array.from(atob(rgbBase64(image.pixels)), (c) => c.charCodeAt(0));
      equal(await sha256Hex(rgb), reference.sha256, `${photo}: sha256 of the RGB pixels`);
    }
  });

  it('computes the Node engine’s SqueezeNet maps on both.png (gradient and activation methods, top 3)', async () => {
    const { el, selector, first } = await compareWithNode('both.png', ['gradcam', 'gradcam++', 'layercam', 'eigencam'], 3);
    equal(first.predictions[0].label, 'bull mastiff', 'top-1 label');
    ok(Math.abs(first.predictions[0].score - 0.62) < 0.01, `bull mastiff at 62%, got ${first.predictions[0].score}`);
    await settled(el);
    await screenshot('wasm-both-eigencam', selector);
    el.remove();
  });

  it('computes the Node engine’s maps after the Pillow-exact resize (chelsea.png, 451×300 → 224×224)', async () => {
    const { el } = await compareWithNode('chelsea.png', ['gradcam'], 2);
    el.remove();
  });

  it('computes the Node engine’s Score-CAM (perturbation batches) on both.png', async () => {
    const { el } = await compareWithNode('both.png', ['scorecam'], 1);
    el.remove();
  });

  it('shows the image, the overlay, the predictions, the badge and the sentence', async () => {
    const { el, selector } = mount({ src: '/images/both.png', mode: 'wasm', alt: 'A dog and a cat' });
    const ready = await nextReady(el);
    await settled(el);
    equal(part(el, '[part=badge]').textContent?.trim().startsWith('wasm'), true, 'badge says wasm');
    const items = el.shadowRoot!.querySelectorAll('[role=option]');
    equal(items.length, 3, 'three predictions listed (top-k 3)');
    equal(items[0].getAttribute('aria-selected'), 'true', 'top-1 selected');
    ok(items[0].textContent!.includes('bull mastiff') && items[0].textContent!.includes('62%'), `first item: ${items[0].textContent}`);
    const sentence = part(el, '[part=explanation]').textContent!;
    ok(/^The model sees a bull mastiff \(62%\); the highlighted region \(.+\) drove that class \(Grad-CAM\)\.$/.test(sentence), `sentence: ${sentence}`);
    equal(part(el, '[part=explanation]').getAttribute('aria-live'), 'polite', 'explanation is a live region');
    const canvas = part<HTMLCanvasElement>(el, 'canvas');
    equal(canvas.getAttribute('role'), 'img', 'canvas role');
    ok(canvas.getAttribute('aria-label')!.startsWith('A dog and a cat, with the Grad-CAM heatmap for “bull mastiff”'), `alt: ${canvas.getAttribute('aria-label')}`);
    equal(`${canvas.width}x${canvas.height}`, '224x224', 'canvas size (the photo is 224×224)');
    // the canvas is the photo blended with the map (not the bare photo, not a blank)
    const image = await loadImage('/images/both.png');
    const shown = canvasPixels(el);
    let changed = 0;
    for (let i = 0; i < shown.data.length; i += 4) if (Math.abs(shown.data[i] - image.pixels.data[i]) > 8) changed++;
    ok(changed > shown.width * shown.height * 0.3, `the overlay changes most pixels (${changed})`);
    // opacity 0 shows the photo itself (up to pytorch-grad-cam's max normalisation)
    el.opacity = 0;
    await settled(el);
    const plain = canvasPixels(el);
    let same = 0;
    for (let i = 0; i < plain.data.length; i += 4) if (Math.abs(plain.data[i] - image.pixels.data[i]) <= 2) same++;
    ok(same > plain.width * plain.height * 0.95, `opacity 0 shows the photo (${same} pixels equal)`);
    el.opacity = 0.5;
    await settled(el);
    ok(ready.maps.every((m) => m.map.width === 224 && m.map.height === 224), 'final maps at the model size');
    await screenshot('wasm-ready', selector);
    el.remove();
  });

  it('renders a map from its raw values exactly as the engine’s postprocess does', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'top-k': '1' });
    const ready = await nextReady(el);
    const m = ready.maps[0];
    const again = finalMap(m.raw, { width: 224, height: 224, resize: 'stretch' });
    allClose(again.values, m.map.values, 0, 0, 'postprocess(raw) = map');
    el.remove();
  });
});
