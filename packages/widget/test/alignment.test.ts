// Alignment badges: the shown map's scores computed in the browser equal the API's Heatmap.alignment
// for the same image, model, method and class (against crowd clicks, remote and local engines; against
// the predicted density without human data or without api); the "Human attention" toggle draws the
// human map (pixels checked against core's map of the API's points).
import { humanMap, type FloatMap } from '@saliency-explainer/core';
import { loadImage, toDataUrl } from '../src/image/load-image.js';
import { blend, displayPixels } from '../src/render/heatmap.js';
import type { AlignmentDetail, SaliencyExplainer } from '../src/index.js';
import { AssertionError, equal, ok } from './helpers/assert.js';
import { annotate, graphql } from './helpers/api.js';
import { apiUrl, osieObservers, screenshot } from './helpers/commands.js';
import { canvasPixels, mount, nextReady, part, settled } from './helpers/element.js';

interface ServerAlignment {
  reference: string;
  annotators: number;
  task: string | null;
  scores: { metric: string; value: number | null }[];
}

/** The server's alignment of its map of (image, default model, method, class). */
async function serverAlignment(api: string, src: string, method: string, classIndex: number, reference?: string): Promise<ServerAlignment> {
  const data = await toDataUrl(await (await fetch(src)).blob());
  const r = await graphql<{ explain: { heatmaps: { alignment: ServerAlignment }[] } }>(api,
    `mutation($i: ExplainInput!) { explain(input: $i) { heatmaps { alignment${reference ? `(reference: ${reference})` : ''} { reference annotators task scores { metric value } } } } }`,
    { i: { image: data, methods: [method], classes: [classIndex] } });
  return r.explain.heatmaps[0].alignment;
}

function nextAlignment(el: SaliencyExplainer, ms = 120_000): Promise<AlignmentDetail> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no saliency-alignment within ${ms} ms`)), ms);
    el.addEventListener('saliency-alignment', (e) => {
      clearTimeout(timer);
      resolve(e.detail);
    }, { once: true });
  });
}

/** Every score the server has equals the widget's within `tol`; the badges show the widget's. */
function sameScores(el: SaliencyExplainer, local: AlignmentDetail, server: ServerAlignment, tol: number): void {
  equal(local.reference, server.reference, 'reference');
  equal(local.annotators, server.annotators, 'annotators');
  equal(local.task, server.task, 'crowd task');
  const worst: string[] = [];
  for (const s of server.scores) {
    const mine = local.scores.find((m) => m.id === s.metric);
    ok(mine, `the widget has ${s.metric}`);
    if (s.value === null || mine.value === null) {
      equal(mine.value, s.value, `${s.metric} undefined on both sides`);
      continue;
    }
    const d = Math.abs(mine.value - s.value);
    worst.push(`${s.metric} ${d.toExponential(1)}`);
    if (!(d <= tol)) throw new AssertionError(`${s.metric}: widget ${mine.value}, server ${s.value} (|Δ| ${d} > ${tol})`);
  }
  for (const badge of el.shadowRoot!.querySelectorAll<HTMLElement>('[part=alignment-score]')) {
    const mine = local.scores.find((m) => m.id === badge.dataset.metric)!;
    equal(Number(badge.dataset.value), mine.value, `badge ${badge.dataset.metric}`);
    ok(badge.textContent!.includes(mine.value!.toFixed(2)), `badge text ${badge.textContent}`);
  }
  console.log(`alignment vs server (${server.reference}): ${worst.join(', ')}`);
}

const lineText = (el: SaliencyExplainer) => part(el, '.alignment-line').textContent!.replace(/\s+/g, ' ').trim();

describe('alignment badges', () => {
  let api: string;
  before(async () => {
    api = `${await apiUrl()}/graphql`;
  });

  it('scores the shown map against crowd clicks as the API does (remote), with the people’s agreement', async () => {
    const stimulus = '1010.jpg';
    const src = `/osie/${stimulus}`;
    const osie = await osieObservers(stimulus, 5);
    await annotate(api, src, osie.observers.map((o) => o.slice(0, 12).map((f) => ({ x: f.x + 0.5, y: f.y + 0.5 }))));
    const { el, selector } = mount({ src, api, mode: 'remote', 'top-k': '2' });
    const aligned = nextAlignment(el);
    const ready = await nextReady(el);
    const local = await aligned;
    await settled(el);
    const shown = ready.maps.find((m) => m.classIndex === el.selectedClass)!;
    equal(local.classIndex, shown.classIndex, 'scores of the shown class');
    sameScores(el, local, await serverAlignment(api, src, 'gradcam', shown.classIndex), 1e-4);
    equal(local.reference, 'CROWD', 'reference');
    equal(local.annotators, 5, 'five annotators');
    ok(/^CC -?\d\.\d\d · NSS -?\d\.\d\d · AUC \d\.\d\d vs crowd clicks \(5 people\)$/.test(lineText(el)), `line: ${lineText(el)}`);
    ok(part(el, '[part=agreement]').textContent!.includes('People agree with one another'), 'agreement shown');
    await screenshot('alignment-crowd', selector);
    part<HTMLDetailsElement>(el, '[part=alignment-details]').open = true;
    await settled(el);
    const rows = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part=alignment-details] tr')].map((r) => r.dataset.metric);
    equal(rows.join(), 'auc-judd,auc-borji,nss,cc,sim,kl,mae,iou', 'every score in the disclosure');
    await screenshot('alignment-all-scores', selector);

    // another class: its own scores, the server's again
    const next = nextAlignment(el);
    el.selectClass(ready.maps.find((m) => m.classIndex !== shown.classIndex)!.classIndex);
    const other = await next;
    sameScores(el, other, await serverAlignment(api, src, 'gradcam', other.classIndex), 1e-4);
    el.remove();
  });

  it('scores a class against the crowd that looked for it (FIND), other classes against the describing crowd', async () => {
    const src = '/osie/1010.jpg';
    // what the model sees first, then three people looking for exactly that
    const first = mount({ src, api, mode: 'remote', 'top-k': '2' });
    const shownReady = await nextReady(first.el);
    const target = shownReady.maps.find((m) => m.classIndex === first.el.selectedClass)!;
    first.el.remove();
    const osie = await osieObservers('1010.jpg', 8);
    await annotate(api, src, osie.observers.slice(5, 8).map((o) => o.slice(0, 6).map((f) => ({ x: f.x + 0.5, y: f.y + 0.5 }))), { classIndex: target.classIndex });
    const { el, selector } = mount({ src, api, mode: 'remote', 'top-k': '2' });
    const aligned = nextAlignment(el);
    const ready = await nextReady(el);
    const local = await aligned;
    await settled(el);
    equal(local.classIndex, target.classIndex, 'the same class shown');
    equal([local.reference, local.task, local.annotators].join(), 'CROWD,FIND,3', 'the three who looked for it');
    sameScores(el, local, await serverAlignment(api, src, 'gradcam', local.classIndex), 1e-4);
    ok(lineText(el).endsWith(`vs crowd clicks looking for the ${target.label} (3 people)`), lineText(el));
    await screenshot('alignment-find', selector);
    // the other class: nobody looked for it; the five describing the image
    const next = nextAlignment(el);
    el.selectClass(ready.maps.find((m) => m.classIndex !== target.classIndex)!.classIndex);
    const other = await next;
    equal([other.reference, other.task, other.annotators].join(), 'CROWD,DESCRIBE,5', 'the describing crowd');
    sameScores(el, other, await serverAlignment(api, src, 'gradcam', other.classIndex), 1e-4);
    el.remove();
  });

  it('draws the human map with the “Human attention” toggle', async () => {
    const src = '/osie/1010.jpg';
    const { el, selector } = mount({ src, api, mode: 'remote' });
    const aligned = nextAlignment(el);
    await nextReady(el);
    await aligned;
    await settled(el);
    const model = canvasPixels(el);
    const toggle = part<HTMLInputElement>(el, '[part=human-toggle]');
    equal(toggle.checked, false, 'off at first');
    toggle.click();
    await settled(el);
    equal(toggle.checked, true, 'on');
    const shown = canvasPixels(el);
    // expected: core's human map of the API's points (clicks are continuous: −0.5 to pixel centres), over the picture
    const image = await loadImage(src);
    equal(el.alignment?.reference, 'CROWD', 'crowd data');
    // the crowd behind the shown scores: those who looked for the shown class, if any, else those describing the image
    const a = el.alignment!;
    const h = await graphql<{ image: { width: number; height: number; humanAttention: { sigma: number; points: { x: number; y: number; annotator: number }[] } } }>(api,
      'query($id: ID!, $task: AnnotationTask!, $c: Int) { image(id: $id) { width height humanAttention(source: CROWD, task: $task, classIndex: $c) { sigma points { x y annotator } } } }',
      { id: await sha256(await (await fetch(src)).arrayBuffer()), task: a.task, c: a.task === 'FIND' ? a.classIndex : null });
    const people: { x: number; y: number }[][] = [];
    for (const p of h.image.humanAttention.points) (people[p.annotator] ??= []).push({ x: p.x - 0.5, y: p.y - 0.5 });
    const hm = humanMap(people, h.image.width, h.image.height, { sigmaFraction: h.image.humanAttention.sigma / Math.max(h.image.width, h.image.height) });
    const picture = displayPixels(image, null);
    const overlay = resizeTo(hm.density, picture.width, picture.height);
    const expected = blend(picture, overlay, 'jet', 0.5);
    let worst = 0;
    let changed = 0;
    for (let i = 0; i < shown.data.length; i += 4) {
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(shown.data[i + c] - expected.data[i + c]));
      if (shown.data[i] !== model.data[i] || shown.data[i + 2] !== model.data[i + 2]) changed++;
    }
    ok(worst <= 3, `the canvas is the human map over the picture (worst channel difference ${worst})`);
    ok(changed > shown.data.length / 4 / 4, `the overlay replaced the model's (${changed} pixels changed)`);
    // hot (red) where the clicks pile up, cold (blue) far from every click
    const [mx, my] = argmax(overlay);
    // jet's top colour (128, 0, 0) at half weight over the picture: red added, no blue added
    const hot = pixel(shown, mx, my);
    const under = pixel(picture, mx, my);
    ok(hot[0] - under[0] / 2 > 50 && hot[2] - under[2] / 2 < 10, `jet's red at the densest point: ${hot} over ${under}`);
    ok(part(el, 'canvas').getAttribute('aria-label')!.includes('human attention map'), 'the label says what is shown');
    await screenshot('alignment-human-overlay', selector);
    toggle.click();
    await settled(el);
    const back = canvasPixels(el);
    equal(back.data.every((v, i) => v === model.data[i]), true, 'toggled off: the model map again');
    el.remove();
  });

  it('computes the same scores with the local engine (wasm)', async () => {
    const src = '/images/chelsea.png';
    const image = await loadImage(src);
    const { width: W, height: H } = image.bitmap;
    // two people clicking around the cat's face, one the whole picture
    await annotate(api, src, [
      [{ x: W * 0.45, y: H * 0.35 }, { x: W * 0.5, y: H * 0.4 }, { x: W * 0.55, y: H * 0.3 }],
      [{ x: W * 0.48, y: H * 0.38 }, { x: W * 0.2, y: H * 0.7 }],
      [{ x: W * 0.1, y: H * 0.1 }, { x: W * 0.9, y: H * 0.9 }, { x: W * 0.5, y: H * 0.5 }],
    ]);
    const { el } = mount({ src, api, mode: 'wasm', 'models-base': '/models/', 'wasm-paths': '/ort/' });
    const aligned = nextAlignment(el);
    const ready = await nextReady(el);
    equal(ready.backend, 'wasm', 'local');
    const local = await aligned;
    await settled(el);
    sameScores(el, local, await serverAlignment(api, src, 'gradcam', local.classIndex), 1e-4);
    equal(local.annotators, 3, 'three annotators');
    ok(lineText(el).endsWith('vs crowd clicks (3 people)'), lineText(el));
    el.remove();
  });

  it('falls back to the predicted density without human data, and without api', async () => {
    const src = '/images/both.png';
    const { el, selector } = mount({ src, mode: 'wasm' });
    const aligned = nextAlignment(el);
    await nextReady(el);
    const local = await aligned;
    await settled(el);
    equal(local.reference, 'PREDICTED', 'reference');
    equal(local.annotators, 0, 'no people');
    equal(local.scores.map((s) => s.id).join(), 'cc,sim,kl,mae,iou', 'density metrics');
    ok(/^CC -?\d\.\d\d · SIM \d\.\d\d · KL \d+\.\d\d vs predicted fixations/.test(lineText(el)), lineText(el));
    ok(!part(el, '[part=human-toggle]', true), 'no toggle without human data');
    ok(!part(el, '[part=agreement]', true), 'no agreement');
    sameScores(el, local, await serverAlignment(api, src, 'gradcam', local.classIndex, 'PREDICTED'), 1e-4);
    await screenshot('alignment-predicted', selector);
    el.remove();
  });
});

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bilinear (pixel centres) resize of a density to width × height, scaled to [0, 1] (written out independently of the widget's). */
function resizeTo(m: FloatMap, width: number, height: number): FloatMap {
  const at = (x: number, y: number) => m.values[y * m.width + x];
  const values = new Float32Array(width * height);
  let max = 0;
  for (let j = 0; j < height; j++) {
    const fy = Math.min(m.height - 1, Math.max(0, ((j + 0.5) * m.height) / height - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(m.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let i = 0; i < width; i++) {
      const fx = Math.min(m.width - 1, Math.max(0, ((i + 0.5) * m.width) / width - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(m.width - 1, x0 + 1);
      const wx = fx - x0;
      const v = (at(x0, y0) * (1 - wx) + at(x1, y0) * wx) * (1 - wy) + (at(x0, y1) * (1 - wx) + at(x1, y1) * wx) * wy;
      values[j * width + i] = v;
      max = Math.max(max, v);
    }
  }
  for (let k = 0; k < values.length; k++) values[k] /= max;
  return { width, height, values };
}

function argmax(m: FloatMap): [number, number] {
  let best = 0;
  for (let k = 1; k < m.values.length; k++) if (m.values[k] > m.values[best]) best = k;
  return [best % m.width, Math.floor(best / m.width)];
}

function pixel(p: ImageData, x: number, y: number): [number, number, number] {
  const i = (y * p.width + x) * 4;
  return [p.data[i], p.data[i + 1], p.data[i + 2]];
}
