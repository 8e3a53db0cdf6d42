// <saliency-detector>: YOLOX-Nano's boxes on both.png, a box picked by keyboard and by a click, and
// its Grad-CAM computed in the page (ONNX Runtime Web, wasm) equal to the API's (the Node engine) for
// the same box; a screenshot of the picked box's map.
import '../src/index.js';
import type { DetectorReadyDetail, SaliencyDetector } from '../src/index.js';
import { allClose, equal, ok } from './helpers/assert.js';
import { apiUrl, screenshot } from './helpers/commands.js';

/**
 * wasm vs the server's native ONNX Runtime on the same pixels (a PNG decodes identically): the boxes'
 * scores to 1e-5, their corners to 1e-3 px, the final maps (in [0, 1]) to 2e-5 (measured: 6.0e-6 and
 * 4.6e-6 for the dog's and the cat's Grad-CAM; a detector's map is min-max scaled after a 416×416 resize).
 */
const SCORE_ATOL = 1e-5;
const BOX_ATOL = 1e-3;
const MAP_ATOL = 2e-5;

let count = 0;
function mountDetector(attributes: Record<string, string>): { el: SaliencyDetector; selector: string } {
  const el = document.createElement('saliency-detector');
  el.id = `detector-${++count}`;
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  el.style.width = '480px';
  document.body.append(el);
  return { el, selector: `#${el.id}` };
}

function nextMap(el: HTMLElement, ms = 200_000): Promise<DetectorReadyDetail> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no saliency-detector-ready')), ms);
    el.addEventListener('saliency-detector-ready', (e) => { clearTimeout(timer); resolve((e as CustomEvent<DetectorReadyDetail>).detail); }, { once: true });
    el.addEventListener('saliency-error', (e) => { clearTimeout(timer); reject(new Error(JSON.stringify((e as CustomEvent).detail))); }, { once: true });
  });
}

describe('<saliency-detector>', () => {
  it('draws the boxes, explains the picked box in the page and on the server alike, by keyboard and by click', async () => {
    const api = `${await apiUrl()}/graphql`;
    const local = mountDetector({ src: '/images/both.png', mode: 'wasm' });
    const l0 = await nextMap(local.el);
    equal(l0.backend, 'wasm', 'backend');
    equal(l0.detections.map((d) => d.label).slice(0, 2).join(), 'dog,cat', 'the dog and the cat');
    equal(l0.box, 0, 'the best box first');
    const remote = mountDetector({ src: '/images/both.png', mode: 'remote', api });
    const r0 = await nextMap(remote.el);
    equal(r0.backend, 'server', 'backend');
    equal(r0.detections.length, l0.detections.length, 'same number of boxes');
    l0.detections.forEach((d, k) => {
      equal(d.label, r0.detections[k].label, `box ${k} label`);
      allClose([d.score], [r0.detections[k].score], SCORE_ATOL, 0, `box ${k} score`);
      allClose(d.box, r0.detections[k].box, BOX_ATOL, 0, `box ${k} corners`);
    });
    const d0 = allClose(l0.inputMap.values, r0.inputMap.values, MAP_ATOL, 0, 'box 0 Grad-CAM, wasm vs server');

    // keyboard: the list of boxes, ArrowDown picks the next one
    const list = local.el.shadowRoot!.querySelector('[role=listbox]') as HTMLElement;
    ok(list, 'a listbox of boxes');
    equal(list.querySelectorAll('[role=option]').length, l0.detections.length, 'one option per box');
    list.focus();
    const l1p = nextMap(local.el);
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    const l1 = await l1p;
    equal(l1.box, 1, 'ArrowDown picks box 1');
    equal(list.querySelector('[aria-selected=true]')!.textContent!.includes('cat'), true, 'the cat is selected in the list');

    // a click inside the cat's box only (below the dog's) picks it on the server widget
    const canvas = remote.el.shadowRoot!.querySelector('canvas')!;
    const cat = r0.detections[1].box;
    const rect = canvas.getBoundingClientRect();
    const [x, y] = [(cat[0] + cat[2]) / 2, cat[3] - 5];
    const r1p = nextMap(remote.el);
    canvas.dispatchEvent(new MouseEvent('click', { clientX: rect.left + (x / canvas.width) * rect.width, clientY: rect.top + (y / canvas.height) * rect.height, bubbles: true }));
    const r1 = await r1p;
    equal(r1.box, 1, 'the click picks the cat');
    const d1 = allClose(l1.inputMap.values, r1.inputMap.values, MAP_ATOL, 0, 'box 1 Grad-CAM, wasm vs server');
    // the map lies on its box: more inside than outside
    let inside = 0, ni = 0, outside = 0, no = 0;
    const { map } = l1;
    for (let yy = 0; yy < map.height; yy++) for (let xx = 0; xx < map.width; xx++) {
      const v = map.values[yy * map.width + xx];
      if (xx >= cat[0] && xx <= cat[2] && yy >= cat[1] && yy <= cat[3]) { inside += v; ni++; } else { outside += v; no++; }
    }
    ok(inside / ni > 2 * (outside / no), `the cat's map is on the cat (${(inside / ni).toFixed(3)} inside, ${(outside / no).toFixed(3)} outside)`);
    console.log(`detector wasm vs server: box 0 map ${d0.toExponential(1)}, box 1 map ${d1.toExponential(1)}`);
    await screenshot('detector-cat', local.selector);
    local.el.remove();
    remote.el.remove();
  });
});
