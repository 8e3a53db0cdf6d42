// Pixel attributions in the widget: the picker offers them (grouped, IG and SmoothGrad marked slow);
// wasm mode computes the Node engine's raw maps; remote mode gets the API's, stored as scaled float16;
// both draw the same display map (raw clipped at its 99th percentile, inferno by default).
import { camMethods, colormapLut, percentile, type FloatMap } from '@saliency-explainer/core';
import { defaultColormap, drawnMap } from '../src/render/heatmap.js';
import { loadImage } from '../src/image/load-image.js';
import { allClose, equal, ok } from './helpers/assert.js';
import { apiUrl, nodeExplain, screenshot } from './helpers/commands.js';
import { canvasPixels, mount, nextReady, part, rgbBase64, settled } from './helpers/element.js';

/** wasm vs Node: the same JS on other ONNX Runtime kernels (wasm.test.ts): raw within 1e-5 of its maximum. */
const WASM_RAW_RTOL_OF_MAX = 1e-5;
/**
 * Server vs Node: the server's raw map is the channel sum of its stored float16 attribution: within
 * 2^-11 of each value, plus 2^-21 of the maximum (float32 sums, the scale's subnormal tail), on top of
 * the kernels' 1e-5 of the maximum.
 */
const SERVER_RAW_RTOL = 2 ** -11;
const SERVER_RAW_ATOL_OF_MAX = 1e-5 + 2 ** -21;
/**
 * The drawn map is min(1, raw / p99). Between server and wasm, raw moves by α·raw + β with α = 2^-11,
 * β = (2·1e-5 + 2^-21)·max, and p99 (an order statistic) by at most α·p99 + β, so a drawn value v ≤ 1
 * moves by at most 2α·v + 2β / p99 (a clipped pixel by no more at the boundary, else not at all).
 */
const displayAtol = (max: number, p99: number) => 2 * 2 ** -11 + (2 * (2e-5 + 2 ** -21) * max) / p99;

function maxOf(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
  return m;
}

function worstRelative(a: Float32Array, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30));
  return w;
}

describe('pixel attributions', () => {
  it('are offered by the method picker, in their own group, IG and SmoothGrad marked slow', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'top-k': '1' });
    await nextReady(el);
    await settled(el);
    const groups = [...el.shadowRoot!.querySelectorAll('[part=method] optgroup')];
    equal(groups.map((g) => g.getAttribute('label')).join('|'), 'Class activation maps|Pixel attributions', 'groups');
    const pixel = [...groups[1].querySelectorAll('option')];
    equal(pixel.map((o) => o.value).join(), camMethods.filter((m) => m.kind === 'attribution').map((m) => m.id).join(), 'pixel methods');
    equal(pixel.filter((o) => o.textContent!.includes('(slow)')).map((o) => o.value).join(), 'integratedgradients,smoothgrad', 'slow ones');
    el.remove();
  });

  it('wasm and server modes compute the same maps and draw the same display map (saliency, guided backprop, top 2)', async () => {
    const methods = ['saliency', 'guidedbackprop'];
    const api = `${await apiUrl()}/graphql`;
    const image = await loadImage('/images/both.png');
    const node = await nodeExplain({ model: 'squeezenet1.0', rgb: rgbBase64(image.pixels), width: 224, height: 224, methods, topK: 2 });
    const results: Record<string, { maps: { method: string; classIndex: number; raw: FloatMap; map: FloatMap }[]; canvas: ImageData }> = {};
    for (const mode of ['wasm', 'remote']) {
      const { el, selector } = mount({ src: '/images/both.png', mode, api, method: methods[0], 'top-k': '2' });
      const first = await nextReady(el);
      equal(first.backend, mode === 'remote' ? 'server' : 'wasm', 'backend');
      await settled(el);
      const canvas = canvasPixels(el);
      ok(part(el, '[part=explanation]').textContent!.includes('(Saliency)'), 'the sentence names the method');
      if (mode === 'remote') await screenshot('pixel-remote-saliency', selector);
      const next = nextReady(el);
      el.method = methods[1];
      const second = await next;
      await settled(el);
      if (mode === 'wasm') await screenshot('pixel-wasm-guidedbackprop', selector);
      results[mode] = { maps: [...first.maps, ...second.maps], canvas };
      el.remove();
    }
    const report: string[] = [];
    for (const n of node.maps) {
      const find = (mode: string) => {
        const m = results[mode].maps.find((x) => x.method === n.method && x.classIndex === n.classIndex);
        ok(m, `${mode}: no ${n.method} map of class ${n.classIndex}`);
        return m!;
      };
      const [w, r] = [find('wasm'), find('remote')];
      equal(`${w.raw.width}x${w.raw.height}|${r.raw.width}x${r.raw.height}`, '224x224|224x224', `${n.method}: raw maps at the input size`);
      const max = maxOf(n.raw.values);
      ok(max > 0, `${n.method}/${n.classIndex}: the Node map is not all zero`);
      allClose(w.raw.values, n.raw.values, WASM_RAW_RTOL_OF_MAX * max, 0, `wasm ${n.method}/${n.classIndex} raw`);
      const serverRaw = allClose(r.raw.values, n.raw.values, SERVER_RAW_ATOL_OF_MAX * max, SERVER_RAW_RTOL, `server ${n.method}/${n.classIndex} raw`);
      const [dw, dr] = [drawnMap(w), drawnMap(r)];
      const atol = displayAtol(max, percentile(n.raw.values, 99));
      const display = allClose(dr.values, dw.values, atol, 0, `${n.method}/${n.classIndex}: the drawn maps`);
      report.push(`${n.method}/${n.classIndex}: server raw ${(serverRaw / max).toExponential(1)} of max (worst relative ${worstRelative(r.raw.values, n.raw.values).toExponential(1)}), display ${display.toExponential(1)} (bound ${atol.toExponential(1)})`);
    }
    console.log(`pixel maps, server vs wasm vs Node: ${report.join('; ')}`);
    // the canvases (saliency of the top class, inferno at opacity 0.5): a drawn value that moved may take
    // the next colormap entry (its index truncates 255·v), so a pixel moves by at most half of inferno's
    // largest step between neighbouring entries, plus one for rounding the blend
    const [a, b] = [results.wasm.canvas, results.remote.canvas];
    equal(`${a.width}x${a.height}`, `${b.width}x${b.height}`, 'canvas sizes');
    const lut = colormapLut('inferno');
    let step = 0;
    for (let i = 3; i < lut.length; i++) step = Math.max(step, Math.abs(lut[i] - lut[i - 3]));
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < a.data.length; i++) {
      const d = Math.abs(a.data[i] - b.data[i]);
      worst = Math.max(worst, d);
      if (d > 0) moved++;
    }
    ok(worst <= Math.ceil(step / 2) + 1, `wasm and server canvases within ${Math.ceil(step / 2) + 1} levels (worst ${worst}, ${moved} of ${a.data.length} values differ)`);
    console.log(`pixel canvases, server vs wasm: worst ${worst} levels, ${moved} of ${a.data.length} values differ`);
  });

  it('draws inferno by default (dark where the attribution is zero) and the colormap attribute overrides it', async () => {
    equal(defaultColormap('saliency'), 'inferno', 'pixel methods');
    equal(defaultColormap('gradcam'), 'jet', 'CAMs');
    const { el, selector } = mount({ src: '/images/both.png', mode: 'wasm', method: 'saliency', 'top-k': '1', opacity: '1' });
    const ready = await nextReady(el);
    await settled(el);
    const shown = canvasPixels(el);
    // opacity 1: the colormap alone; inferno's zero is black, so the many near-zero pixels are dark
    const map = drawnMap(ready.maps[0]);
    let dark = 0;
    let zero = 0;
    for (let i = 0; i < map.values.length; i++) {
      if (map.values[i] < 0.02) {
        zero++;
        const p = i * 4;
        if (shown.data[p] + shown.data[p + 1] + shown.data[p + 2] < 3 * 40) dark++;
      }
    }
    ok(zero > 0 && dark === zero, `inferno: every near-zero pixel is dark (${dark} of ${zero})`);
    await screenshot('pixel-wasm-saliency-inferno', selector);
    el.colormap = 'jet';
    await settled(el);
    const jet = canvasPixels(el);
    let blue = 0;
    for (let i = 0; i < map.values.length; i++) if (map.values[i] < 0.02 && jet.data[i * 4 + 2] > 100) blue++;
    ok(blue === zero, `jet when asked: near-zero pixels are blue (${blue} of ${zero})`);
    el.remove();
  });
});
