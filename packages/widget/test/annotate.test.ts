// The annotation mode (BubbleView) against the real API: simulated annotators (OSIE observers'
// fixations clicked on the real widget) stored as the image's crowd attention; the blur and the
// bubbles as drawn; the click budget and the time limit; keyboard placement; the FIND task; the
// error box for every annotation error code (a test proxy refuses a submission with each).
import { bubbleGeometry } from '@saliency-explainer/core';
import { sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import { ANNOTATOR_KEY, type AnnotationSubmittedDetail, type Click, type SaliencyExplainer } from '../src/index.js';
import { ANNOTATION_ERROR_TITLES } from '../src/annotate/annotation-config.js';
import { blurred, canvasOf } from '../src/annotate/bubbles.js';
import { canvas2d, loadImage } from '../src/image/load-image.js';
import { displayPixels } from '../src/render/heatmap.js';
import { AssertionError, equal, ok } from './helpers/assert.js';
import { graphql } from './helpers/api.js';
import { testClock, type TestClock } from './helpers/clock.js';
import { apiUrl, osieObservers, screenshot } from './helpers/commands.js';
import { canvasPixels, mount, nextError, part, settled, sha256Hex, type Mounted } from './helpers/element.js';

/**
 * Poll until `check` holds, however long that takes: nothing here bounds or measures time (a hang is
 * the test runner's to stop, with the state `what` names in its failure).
 */
async function until(what: string, check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

const text = (el: SaliencyExplainer, selector: string) => part(el, selector).textContent!.replace(/\s+/g, ' ').trim();
const canvasOfWidget = (el: SaliencyExplainer) => part<HTMLCanvasElement>(el, 'canvas');

/** A widget in annotation mode with its session open, showing the Start card. */
async function readyToStart(attributes: Record<string, string>): Promise<Mounted> {
  const m = mount({ annotate: '', ...attributes });
  await until('the annotation session', () => m.el.status !== 'loading' && m.el.status !== 'idle');
  if (m.el.status === 'error') throw new AssertionError(`annotation failed: ${JSON.stringify(m.el.lastError)}`);
  await until('the Start button', () => !!part(m.el, '[part=start]', true));
  await settled(m.el);
  return m;
}

/** Press Start (a real click) and wait until the blurred image is shown and the countdown runs. */
async function pressStart(el: SaliencyExplainer): Promise<void> {
  await clickPart(el, '[part=start]');
  await until('the countdown', () => /\d:\d\d/.test(part(el, '[part=timer]', true)?.textContent ?? ''));
  await settled(el);
}

/** A widget in annotation mode, once Start was pressed, its blurred image is shown and the countdown runs. */
async function annotating(attributes: Record<string, string>): Promise<Mounted> {
  const m = await readyToStart(attributes);
  await pressStart(m.el);
  return m;
}

/** A real mouse click at a continuous image position (pixel i spans [i, i + 1)) of an image width × height. */
async function clickImage(el: SaliencyExplainer, x: number, y: number, width: number, height: number): Promise<void> {
  const r = canvasOfWidget(el).getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + (x / width) * r.width), Math.round(r.top + (y / height) * r.height)] });
}

async function clickPart(el: SaliencyExplainer, selector: string): Promise<void> {
  const r = part(el, selector).getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

/** The next annotation-submitted event (a saliency-error instead rejects); no time limit of its own. */
function nextSubmitted(el: SaliencyExplainer): Promise<AnnotationSubmittedDetail> {
  return new Promise((resolve, reject) => {
    el.addEventListener('annotation-submitted', (e) => resolve(e.detail), { once: true });
    el.addEventListener('saliency-error', (e) => reject(new Error(`saliency-error instead of annotation-submitted: ${JSON.stringify(e.detail)}`)), { once: true });
  });
}

async function imageId(src: string): Promise<string> {
  return sha256Hex(new Uint8Array(await (await fetch(src)).arrayBuffer()));
}

/** RGB of pixel (x, y). */
function rgbAt(p: ImageData, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.data[i], p.data[i + 1], p.data[i + 2]];
}

function maxChannelDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

/** The Gaussian blur of one pixel computed directly (a 2-D weighted sum to 3σ, edges mirrored half-sample). */
function gaussianAt(p: ImageData, x: number, y: number, sigma: number): [number, number, number] {
  const r = Math.ceil(3 * sigma);
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const sum = [0, 0, 0];
  let wsum = 0;
  for (let dy = -r; dy <= r; dy++) {
    const yy = mirror(y + dy, p.height);
    for (let dx = -r; dx <= r; dx++) {
      const w = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      const i = (yy * p.width + mirror(x + dx, p.width)) * 4;
      sum[0] += w * p.data[i];
      sum[1] += w * p.data[i + 1];
      sum[2] += w * p.data[i + 2];
      wsum += w;
    }
  }
  return [sum[0] / wsum, sum[1] / wsum, sum[2] / wsum];
}

describe('annotation mode', () => {
  let api: string;

  before(async () => {
    api = `${await apiUrl()}/graphql`;
    // room for the whole 720 px wide widget (the clicks must land inside the viewport)
    await setViewport({ width: 1000, height: 1000 });
  });

  beforeEach(() => localStorage.removeItem(ANNOTATOR_KEY));
  // a failed test leaves no widget behind to push the next one's buttons out of the viewport
  afterEach(() => document.querySelectorAll('saliency-explainer').forEach((e) => e.remove()));

  it('stores simulated annotators’ clicks (OSIE fixations) as the image’s crowd attention', async () => {
    const stimulus = '1001.jpg';
    const src = `/osie/${stimulus}`;
    const osie = await osieObservers(stimulus, 4);
    const { width: W, height: H } = osie;
    let tolerance = 0;
    for (const [i, fixations] of osie.observers.entries()) {
      localStorage.removeItem(ANNOTATOR_KEY);
      const { el, selector } = await annotating({ src, api, 'max-clicks': String(fixations.length) });
      equal(text(el, '[part=clicks-left]'), `Clicks left ${fixations.length} of ${fixations.length}`, 'counter before');
      ok(part<HTMLButtonElement>(el, '[part=submit]').disabled, 'Submit is disabled without a click');
      // one display pixel is this many image pixels; a click lands within half of it
      tolerance = (0.5 * W) / canvasOfWidget(el).getBoundingClientRect().width + 1e-6;
      // a fixation at pixel centre f is the continuous position f + 0.5
      for (const f of fixations) await clickImage(el, f.x + 0.5, f.y + 0.5, W, H);
      await settled(el);
      equal(text(el, '[part=clicks-left]'), `Clicks left 0 of ${fixations.length}`, 'counter after');
      if (i === 0) await screenshot('annotate-bubbles', selector);
      const submitted = nextSubmitted(el);
      await clickPart(el, '[part=submit]');
      const d = await submitted;
      ok(d.annotationId, 'annotation id');
      equal(d.clicks.length, fixations.length, 'clicks sent');
      d.clicks.forEach((c, k) => {
        ok(Math.abs(c.x - (fixations[k].x + 0.5)) <= tolerance && Math.abs(c.y - (fixations[k].y + 0.5)) <= tolerance,
          `observer ${i} click ${k}: (${c.x}, ${c.y}) vs fixation (${fixations[k].x + 0.5}, ${fixations[k].y + 0.5}) ± ${tolerance}`);
        ok(c.t >= (d.clicks[k - 1]?.t ?? 0), `click times never decrease (${c.t})`);
      });
      await settled(el);
      ok(text(el, '[part=thanks]').includes(`Your ${fixations.length} clicks were saved`), text(el, '[part=thanks]'));
      ok(localStorage.getItem(ANNOTATOR_KEY)?.length === 22, 'the annotator token is kept');
      if (i === osie.observers.length - 1) await screenshot('annotate-thanks', selector);
      el.remove();
    }

    // the server pooled one person per simulated annotator, each with that observer's points
    const r = await graphql<{ image: { humanAttention: { annotators: number; pointCount: number; points: { x: number; y: number; annotator: number }[] } } }>(api,
      'query($id: ID!) { image(id: $id) { humanAttention(source: CROWD) { annotators pointCount points { x y annotator } } } }', { id: await imageId(src) });
    const human = r.image.humanAttention;
    equal(human.annotators, osie.observers.length, 'annotators');
    equal(human.pointCount, osie.observers.reduce((n, o) => n + o.length, 0), 'points');
    const people = new Map<number, { x: number; y: number }[]>();
    for (const p of human.points) people.set(p.annotator, [...(people.get(p.annotator) ?? []), p]);
    for (const [i, fixations] of osie.observers.entries()) {
      const match = [...people.values()].find((pts) => pts.length === fixations.length
        && pts.every((p, k) => Math.abs(p.x - (fixations[k].x + 0.5)) <= tolerance && Math.abs(p.y - (fixations[k].y + 0.5)) <= tolerance));
      ok(match, `observer ${i}'s fixations are one annotator's stored points`);
    }
  });

  it('shows the task and the image blurred; each click reveals a sharp bubble; Undo hides it again', async () => {
    const src = '/osie/1002.jpg';
    const { el, selector } = await annotating({ src, api, 'max-clicks': '5' });
    equal(text(el, '[part=prompt]'), 'Click where you look to tell what this image shows.', 'prompt');
    equal(text(el, '[part=clicks-left]'), 'Clicks left 5 of 5', 'counter');
    ok(part<HTMLButtonElement>(el, '[part=undo]').disabled, 'Undo disabled');
    const image = await loadImage(src);
    const sharp = displayPixels(image, null);
    const W = image.bitmap.width;
    const H = image.bitmap.height;
    const s = sharp.width / W;
    const geometry = bubbleGeometry(W, H);
    const sigma = geometry.blurSigma * s;
    const radius = geometry.radius * s;
    const before = canvasPixels(el);
    equal(`${before.width}×${before.height}`, `${sharp.width}×${sharp.height}`, 'canvas size');
    // blurred: far from the original, and equal to a Gaussian of sigma blurSigma (in canvas pixels)
    let diff = 0;
    for (let i = 0; i < before.data.length; i += 4) diff += Math.abs(before.data[i] - sharp.data[i]);
    ok(diff / (before.width * before.height) > 4, `the picture is blurred (mean |Δ| ${diff / (before.width * before.height)})`);
    let worst = 0;
    for (const [x, y] of [[100, 100], [384, 288], [600, 200], [250, 450], [700, 500], [20, 20], [760, 300]]) {
      worst = Math.max(worst, maxChannelDiff(rgbAt(before, x, y), gaussianAt(sharp, x, y, sigma)));
    }
    ok(worst <= 4, `the blur is a Gaussian of sigma ${sigma.toFixed(1)} px: worst channel difference ${worst.toFixed(2)}`);
    console.log(`blur vs a direct Gaussian (sigma ${sigma.toFixed(1)} px): worst channel difference ${worst.toFixed(2)}`);
    await screenshot('annotate-prompt-blurred', selector);

    const bubbles = [[200, 150], [560, 330], [420, 500]];
    for (const [x, y] of bubbles) await clickImage(el, x, y, W, H);
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 2 of 5', 'counter after 3 clicks');
    const after = canvasPixels(el);
    const centres = bubbles.map(([x, y]) => [x * s, y * s]);
    const distance = (x: number, y: number) => Math.min(...centres.map(([cx, cy]) => Math.hypot(x + 0.5 - cx, y + 0.5 - cy)));
    // inside a bubble: the sharp picture; outside every bubble: the blurred one, unchanged (2 px of antialiased rim aside)
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < after.height; y += 3) {
      for (let x = 0; x < after.width; x += 3) {
        const d = distance(x, y);
        // display rounding of the clicks: a centre is within half a CSS pixel (~0.6 canvas px) of its place
        if (d < radius - 2) {
          const e = maxChannelDiff(rgbAt(after, x, y), rgbAt(sharp, x, y));
          if (e > 0) throw new AssertionError(`pixel (${x}, ${y}) inside a bubble differs from the sharp picture by ${e}`);
          inside++;
        } else if (d > radius + 2) {
          const e = maxChannelDiff(rgbAt(after, x, y), rgbAt(before, x, y));
          if (e > 0) throw new AssertionError(`pixel (${x}, ${y}) outside the bubbles changed by ${e}`);
          outside++;
        }
      }
    }
    ok(inside > 3 * 300 && outside > 40_000, `pixels checked: ${inside} inside, ${outside} outside`);
    await screenshot('annotate-three-bubbles', selector);

    // Undo: the last bubble is blurred again
    await clickPart(el, '[part=undo]');
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 3 of 5', 'counter after Undo');
    const undone = canvasPixels(el);
    const [ux, uy] = centres[2];
    equal(maxChannelDiff(rgbAt(undone, ux, uy), rgbAt(before, ux, uy)), 0, 'the undone bubble is blurred again');
    equal(maxChannelDiff(rgbAt(undone, centres[0][0], centres[0][1]), rgbAt(sharp, centres[0][0], centres[0][1])), 0, 'the first bubble stays');
    el.remove();
  });

  it('blurs the same without the canvas filter (core’s Gaussian on a downscaled copy)', async () => {
    const image = await loadImage('/osie/1002.jpg');
    const picture = displayPixels(image, null);
    const sigma = bubbleGeometry(image.bitmap.width, image.bitmap.height).blurSigma * (picture.width / image.bitmap.width);
    const read = (c: OffscreenCanvas | HTMLCanvasElement) => {
      const ctx = canvas2d(c.width, c.height);
      ctx.drawImage(c, 0, 0);
      return ctx.getImageData(0, 0, c.width, c.height);
    };
    const filtered = read(blurred(canvasOf(picture), sigma, 'filter'));
    const downscaled = read(blurred(canvasOf(picture), sigma, 'downscale'));
    // both are the Gaussian of the picture, computed directly at a few points
    let worst = 0;
    for (const [x, y] of [[100, 100], [384, 288], [600, 200], [250, 450], [700, 500], [20, 20], [760, 300]]) {
      worst = Math.max(worst, maxChannelDiff(rgbAt(downscaled, x, y), gaussianAt(picture, x, y, sigma)));
    }
    ok(worst <= 4, `downscaled blur vs a direct Gaussian: worst channel difference ${worst.toFixed(2)}`);
    let sum = 0;
    let max = 0;
    for (let i = 0; i < filtered.data.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(filtered.data[i + c] - downscaled.data[i + c]);
        sum += d;
        max = Math.max(max, d);
      }
    }
    const mean = sum / ((filtered.data.length / 4) * 3);
    ok(mean < 2 && max < 12, `filter vs downscaled blur: mean |Δ| ${mean.toFixed(2)}, max ${max}`);
    console.log(`downscaled blur vs a direct Gaussian: worst ${worst.toFixed(2)}; vs the filter: mean |Δ| ${mean.toFixed(2)}, max ${max}`);
  });

  it('enforces the click budget', async () => {
    const { el } = await annotating({ src: '/osie/1003.jpg', api, 'max-clicks': '3' });
    const live = () => el.shadowRoot!.querySelector('[aria-live=polite]')!.textContent!;
    for (const [x, y] of [[100, 100], [300, 200], [500, 300], [700, 400], [400, 500]]) await clickImage(el, x, y, 800, 600);
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 0 of 3', 'budget used up: two clicks ignored');
    equal(canvasOfWidget(el).dataset.canClick, 'false', 'the canvas takes no more clicks');
    ok(live().includes('No clicks left'), `announced: ${live()}`);
    ok(!part<HTMLButtonElement>(el, '[part=submit]').disabled, 'Submit stays enabled');
    await clickPart(el, '[part=undo]');
    await clickImage(el, 650, 120, 800, 600);
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 0 of 3', 'Undo gives the click back');
    const submitted = nextSubmitted(el);
    await clickPart(el, '[part=submit]');
    const d = await submitted;
    const tolerance = 800 / canvasOfWidget(el).getBoundingClientRect().width;
    const kept = [[100, 100], [300, 200], [650, 120]];
    equal(d.clicks.length, 3, 'three clicks');
    ok(d.clicks.every((c, i) => Math.abs(c.x - kept[i][0]) <= tolerance && Math.abs(c.y - kept[i][1]) <= tolerance),
      `the clicks kept, in order: ${d.clicks.map((c) => `${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ')}`);
    el.remove();
  });

  it('stops taking clicks when the time is up; Submit remains', async () => {
    // the countdown on a clock the test moves: the time is up when the test says so, not when a busy
    // machine happens to get there
    const clock = testClock();
    try {
      await timeUp(clock);
    } finally {
      clock.restore();
    }
  });

  async function timeUp(clock: TestClock): Promise<void> {
    const { el, selector } = await annotating({ src: '/osie/1008.jpg', api, 'max-clicks': '5', 'time-limit': '30' });
    const live = () => el.shadowRoot!.querySelector('[aria-live=polite]')!.textContent!;
    clock.advance(300);
    await clickImage(el, 200, 200, 800, 600);
    clock.advance(300);
    await clickImage(el, 600, 300, 800, 600);
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 3 of 5', 'two clicks');
    await until('the clock at 0.6 s', () => text(el, '[part=timer]') === '0:30 left');
    clock.advance(29_399);
    await until('the last second', () => text(el, '[part=timer]') === '0:01 left');
    equal(canvasOfWidget(el).dataset.canClick, 'true', 'clicks are still taken 1 ms before the limit');
    clock.advance(1);
    await until('the time limit', () => text(el, '[part=timer]') === 'Time is up');
    await clickImage(el, 400, 300, 800, 600);
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 3 of 5', 'no click after the time is up');
    equal(canvasOfWidget(el).dataset.canClick, 'false', 'the canvas takes no more clicks');
    ok(part<HTMLButtonElement>(el, '[part=undo]').disabled, 'no Undo after the time is up');
    ok(!part<HTMLButtonElement>(el, '[part=submit]').disabled, 'Submit remains');
    ok(live().includes('Time is up'), `announced: ${live()}`);
    await screenshot('annotate-time-up', selector);
    const submitted = nextSubmitted(el);
    await clickPart(el, '[part=submit]');
    const d = await submitted;
    equal(d.clicks.length, 2, 'two clicks stored');
    // each click's time is the clock's time since Start: 300 and 600 ms
    ok(d.clicks.every((c, i) => Math.abs(c.t - 300 * (i + 1)) < 1e-6), `click times ${d.clicks.map((c) => c.t).join(', ')} ms are the clock's`);
    el.remove();
  }

  it('places bubbles with the keyboard: arrows move the crosshair, Enter or Space reveals, Backspace undoes', async () => {
    const src = '/osie/1004.jpg';
    const { el, selector } = await annotating({ src, api, 'max-clicks': '4' });
    const canvas = canvasOfWidget(el);
    equal(canvas.tabIndex, 0, 'the canvas is focusable');
    // Tab into it from a button before the widget, as a keyboard user would
    const start = document.createElement('button');
    start.textContent = 'before';
    el.before(start);
    start.focus();
    await sendKeys({ press: 'Tab' });
    equal(el.shadowRoot!.activeElement, canvas, 'Tab focuses the canvas');
    ok(part(el, '[part=crosshair]', true), 'the crosshair shows on keyboard focus');
    ok(getComputedStyle(canvas).outlineStyle === 'solid', 'focus ring');
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowDown']) await sendKeys({ press: key });
    await settled(el);
    await screenshot('annotate-keyboard', selector);
    const cross = part(el, '[part=crosshair]').getBoundingClientRect();
    const r = canvas.getBoundingClientRect();
    const step = 16; // 800 px / 50
    ok(Math.abs(cross.left + cross.width / 2 - (r.left + ((400 + 3 * step) / 800) * r.width)) < 1, 'crosshair x');
    ok(Math.abs(cross.top + cross.height / 2 - (r.top + ((300 + 2 * step) / 600) * r.height)) < 1, 'crosshair y');
    await sendKeys({ press: 'Enter' });
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 3 of 4', 'Enter revealed a bubble');
    equal(el.shadowRoot!.querySelector('[aria-live=polite]')!.textContent, 'Bubble 1 revealed. 3 clicks left.', 'announced');
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Backspace' });
    await settled(el);
    equal(text(el, '[part=clicks-left]'), 'Clicks left 2 of 4', 'Space revealed one, Backspace undid the third');
    const submitted = nextSubmitted(el);
    await clickPart(el, '[part=submit]');
    const d = await submitted;
    const at = (c: Click) => `${c.x},${c.y}`;
    equal(d.clicks.map(at).join(' '), `${400 + 3 * step},${300 + 2 * step} ${400 + 3 * step - 80},${300 + 2 * step}`, 'keyboard clicks in image pixels');
    start.remove();
    el.remove();
  });

  it('asks for a class with annotate-task="find"', async () => {
    const { el } = await annotating({ src: '/images/both.png', api, 'annotate-task': 'find', 'class-index': '282', 'max-clicks': '2' });
    equal(text(el, '[part=prompt]'), 'Click where you look to find the tiger cat.', 'prompt');
    el.remove();
  });

  it('says when the same annotator annotates an image twice (DUPLICATE_SUBMISSION), and offers no retry', async () => {
    const src = '/osie/1005.jpg';
    const { el } = await annotating({ src, api, 'max-clicks': '3' });
    await clickImage(el, 300, 300, 800, 600);
    const submitted = nextSubmitted(el);
    await clickPart(el, '[part=submit]');
    await submitted;
    await settled(el);
    // the server keeps one annotation per annotator, image and task: nothing invites a second
    ok(part(el, '[part=thanks]', true), 'thank-you');
    equal(part(el, '[part=again]', true), null, 'no "annotate again" after a submission');
    el.remove();
    // the same annotator (token kept in localStorage) on the same image: refused, and no way round it offered
    const second = await annotating({ src, api, 'max-clicks': '3' });
    equal(text(second.el, '[part=clicks-left]'), 'Clicks left 3 of 3', 'a fresh budget');
    await clickImage(second.el, 500, 200, 800, 600);
    const error = nextError(second.el);
    await clickPart(second.el, '[part=submit]');
    const e = await error;
    await settled(second.el);
    equal(e.code, 'DUPLICATE_SUBMISSION', 'code');
    equal(second.el.status, 'error', 'status');
    equal(second.el.lastError?.code, 'DUPLICATE_SUBMISSION', 'lastError');
    const box = part(second.el, '[part=error]');
    equal(box.getAttribute('role'), 'alert', 'an alert');
    equal(text(second.el, '[part=error] strong'), 'You have already annotated this image.', 'the words for it');
    ok(box.textContent!.includes('DUPLICATE_SUBMISSION'), 'the code is named');
    equal(part(second.el, '[part=retry]', true), null, 'no retry: the server would refuse it again');
    await screenshot('annotate-error-duplicate', second.selector);
    second.el.remove();
  });

  it('starts the clock and shows the image only when the participant presses Start', async () => {
    const clock = testClock();
    try {
      await startsOnStart(clock);
    } finally {
      clock.restore();
    }
  });

  async function startsOnStart(clock: TestClock): Promise<void> {
    const { el, selector } = await readyToStart({ src: '/osie/1012.jpg', api, 'max-clicks': '4', 'time-limit': '30' });
    equal(el.status, 'ready', 'status');
    ok(text(el, '[part=start-card]').includes('4 clicks') && text(el, '[part=start-card]').includes('30 seconds'), text(el, '[part=start-card]'));
    equal(text(el, '[part=prompt]'), 'Click where you look to tell what this image shows.', 'the task is shown');
    ok(part(el, '.stage').hidden, 'the image is not shown before Start');
    equal(part(el, '[part=timer]', true), null, 'no countdown before Start');
    equal(canvasOfWidget(el).dataset.canClick, 'false', 'no clicks before Start');
    await screenshot('annotate-start', selector);
    // waiting costs the participant nothing: a minute passes on the clock and no countdown is shown;
    // that the countdown starts at Start, not at load, is what the click time below says (1234, not 61234)
    clock.advance(60_000);
    await settled(el);
    equal(part(el, '[part=timer]', true), null, 'still no countdown');
    await pressStart(el);
    ok(!part(el, '.stage').hidden, 'the blurred image is shown');
    equal(part(el, '[part=start-card]', true), null, 'the Start card is gone');
    equal(text(el, '[part=timer]'), '0:30 left', 'the whole time limit is left');
    equal(canvasOfWidget(el).dataset.canClick, 'true', 'clicks are taken');
    clock.advance(1234);
    await clickImage(el, 400, 300, 800, 600);
    const submitted = nextSubmitted(el);
    await clickPart(el, '[part=submit]');
    const d = await submitted;
    // click times count from Start's first frame, not from the page load: 1234 ms, not the minute before
    ok(Math.abs(d.clicks[0].t - 1234) < 1e-6, `click time ${d.clicks[0].t} ms from Start`);
    el.remove();
  }

  it('shows each annotation error code with its words, and retries', async () => {
    const codes = ['BAD_TICKET', 'TICKET_EXPIRED', 'NO_CLICKS', 'TOO_MANY_CLICKS', 'CLICK_OUT_OF_BOUNDS', 'BAD_CLICK_TIMES', 'REPLAYED_SUBMISSION', 'DUPLICATE_SUBMISSION', 'RATE_LIMITED'];
    for (const code of codes) {
      localStorage.removeItem(ANNOTATOR_KEY);
      const { el, selector } = await annotating({ src: '/osie/1006.jpg', api: `/faulty-api/${code}/graphql`, 'max-clicks': '3' });
      await clickImage(el, 400, 300, 800, 600);
      const error = nextError(el);
      await clickPart(el, '[part=submit]');
      equal((await error).code, code, 'saliency-error code');
      await settled(el);
      equal(text(el, '[part=error] strong'), ANNOTATION_ERROR_TITLES[code], `${code}: title`);
      ok(text(el, '[part=error]').includes(`(${code})`), `${code}: code shown`);
      equal(text(el, '[part=clicks-left]'), 'Clicks left 2 of 3', `${code}: the bubbles stay`);
      if (code === 'RATE_LIMITED') {
        // the same clicks, sent again with the same ticket, reach the API
        equal(text(el, '[part=retry]'), 'Send again', 'retry label');
        await screenshot('annotate-error-rate-limited', selector);
        const submitted = nextSubmitted(el);
        await clickPart(el, '[part=retry]');
        equal((await submitted).clicks.length, 1, 'submitted on retry');
        await settled(el);
        ok(part(el, '[part=thanks]', true), 'thank-you after the retry');
      } else if (code === 'DUPLICATE_SUBMISSION') {
        equal(part(el, '[part=retry]', true), null, `${code}: no retry`);
      } else {
        equal(text(el, '[part=retry]'), 'Start again', `${code}: retry label`);
        await clickPart(el, '[part=retry]');
        await until('a new session', () => el.status === 'ready' && !part(el, '[part=error]', true) && !!part(el, '[part=start]', true));
        await pressStart(el);
        equal(text(el, '[part=clicks-left]'), 'Clicks left 3 of 3', `${code}: a new session`);
      }
      el.remove();
    }
    ok(ANNOTATION_ERROR_TITLES.TICKET_EXPIRED.includes('expired') && ANNOTATION_ERROR_TITLES.RATE_LIMITED.includes('wait'), 'titles in words');
  });

  it('needs api, and checks its attributes', async () => {
    for (const [attributes, code] of [
      [{ src: '/osie/1007.jpg' }, 'NO_API'],
      [{ src: '/osie/1007.jpg', api, 'annotate-task': 'find' }, 'BAD_ATTRIBUTE'],
      [{ src: '/osie/1007.jpg', api, 'annotate-task': 'guess' }, 'BAD_ATTRIBUTE'],
      [{ src: '/osie/1007.jpg', api, 'max-clicks': '0' }, 'BAD_ATTRIBUTE'],
      [{ src: '/osie/no-such.jpg', api }, 'IMAGE_LOAD_FAILED'],
    ] as const) {
      const { el } = mount({ annotate: '', ...attributes });
      const e = await nextError(el);
      equal(e.code, code, `${JSON.stringify(attributes)}: ${e.message}`);
      await settled(el);
      ok(part(el, '[part=error]').textContent!.includes(code), 'error box');
      el.remove();
    }
  });

  it('leaves annotation mode for the explanation when annotate is removed', async () => {
    const { el } = await annotating({ src: '/images/both.png', api, mode: 'remote', 'max-clicks': '2' });
    const ready = new Promise<void>((resolve) => el.addEventListener('saliency-ready', () => resolve(), { once: true }));
    el.annotate = false;
    await ready;
    await settled(el);
    ok(!part(el, '[part=annotate]', true), 'no annotation view');
    ok(part(el, '[part=predictions]', true), 'the predictions are listed');
    equal(el.status, 'ready', 'status');
    el.remove();
  });
});
