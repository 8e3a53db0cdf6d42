// Captions: with `caption`, the shown map's caption (core's facts and words) replaces the sentence;
// computed in the browser (wasm: the object detector downloaded only then) it says exactly what the
// API's Heatmap.caption says (remote); every number is focusable and explains the fact behind it; and
// a widget without `caption` requests no detector.
import type { CaptionDetail, SaliencyExplainer } from '../src/index.js';
import { CACHE_NAME } from '../src/index.js';
import { equal, ok } from './helpers/assert.js';
import { apiUrl, osieObservers, routeCount, screenshot } from './helpers/commands.js';
import { annotate } from './helpers/api.js';
import { mount, nextMeasure, nextReady, part, settled } from './helpers/element.js';

const DETECTOR = '/models/files/yolox-nano/model.onnx';
// the test routes' manifest, which lists the detector (the widget would take the API's /models/ otherwise)
const MODELS = '/models/';
const NUMBER = /-?\d+(?:\.\d+)?(?: %)?/g;

const nextCaption = (el: SaliencyExplainer) => nextMeasure<CaptionDetail>(el, 'saliency-caption', '.caption-status[data-status=failed]');

/** The caption's text as rendered (the numbers' notes left out). */
function renderedText(el: SaliencyExplainer): string {
  const copy = part(el, '[part~=caption] .caption-text').cloneNode(true) as HTMLElement;
  for (const n of copy.querySelectorAll('.fact-note')) n.remove();
  return copy.textContent!;
}

/** Every number of the rendered caption is a focusable element described by a note that says what it measures. */
/** A caption number's own text (its note left out). */
const ownText = (n: HTMLElement) => [...n.childNodes].filter((c) => c.nodeType === Node.TEXT_NODE).map((c) => c.textContent).join('');

function checkNumbers(el: SaliencyExplainer, text: string): HTMLElement[] {
  const tokens = text.match(NUMBER) ?? [];
  const numbers = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~=caption] [part=caption-number]')];
  equal(numbers.map(ownText).join(' | '), tokens.join(' | '), 'every number of the text is a caption-number, in order');
  for (const n of numbers) {
    const token = ownText(n);
    equal(n.tabIndex, 0, `${token} is focusable`);
    const note = el.shadowRoot!.getElementById(n.getAttribute('aria-describedby')!);
    ok(note && note.getAttribute('role') === 'tooltip', `${token} is described by a tooltip`);
    ok(note.textContent!.startsWith(`${token}: `) && note.textContent!.length > token.length + 20, `${token}'s note: ${note.textContent}`);
    ok(n.dataset.fact && n.dataset.field, `${token} names its fact (${n.dataset.fact}.${n.dataset.field})`);
  }
  return numbers;
}

describe('captions', () => {
  let api: string;
  before(async () => {
    api = `${await apiUrl()}/graphql`;
  });

  it('requests no detector while caption is off, and one once it is turned on', async () => {
    await (await caches.open(CACHE_NAME)).delete(new URL(DETECTOR, location.href).href);
    const before = await routeCount(DETECTOR);
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', api, 'models-base': MODELS });
    await nextReady(el);
    await settled(el);
    await new Promise((r) => setTimeout(r, 0));
    equal(await routeCount(DETECTOR), before, 'detector requests without caption');
    equal(performance.getEntriesByType('resource').filter((r) => r.name.includes('yolox')).length, 0, 'no yolox resource loaded by the page');
    equal(part(el, '[part~=explanation]').getAttribute('part'), 'explanation', 'no caption part');
    const caption = nextCaption(el);
    el.caption = true;
    equal((await caption).backend, 'wasm', 'the caption was computed in the browser');
    equal(await routeCount(DETECTOR), before + 1, 'the detector was downloaded once caption was on');
    el.remove();
  });

  it('captions the top class in wasm mode as the API does in remote mode, naming the dog', async () => {
    const local = mount({ src: '/images/both.png', mode: 'wasm', api, 'models-base': MODELS, caption: '' });
    const wasm = await nextCaption(local.el);
    await settled(local.el);
    equal(wasm.backend, 'wasm', 'local caption');
    equal(wasm.classIndex, 243, 'the top class');
    ok(wasm.text.startsWith('The model sees a bull mastiff ('), `text: ${wasm.text}`);
    ok(/lies on the dog/.test(wasm.text), `names the dog: ${wasm.text}`);
    equal(renderedText(local.el), wasm.text, 'the rendered caption is the text');
    equal(part(local.el, '[part~=caption]').getAttribute('aria-live'), 'polite', 'a live region');
    const numbers = checkNumbers(local.el, wasm.text);
    // the dog's share of the map: focused, its note shows and names the dog's box and detector score
    const dog = numbers.find((n) => n.dataset.fact === 'object')!;
    ok(dog, 'a number about an object');
    const note = local.el.shadowRoot!.getElementById(dog.getAttribute('aria-describedby')!)!;
    equal(getComputedStyle(note).display, 'none', 'the note is hidden before focus');
    dog.focus();
    await settled(local.el);
    equal(getComputedStyle(note).display, 'block', 'the note shows on focus');
    ok(/inside the dog's box .*detector score 0\.\d\d/.test(note.textContent!), `note: ${note.textContent}`);
    await screenshot('caption-wasm', local.selector);
    dog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await settled(local.el);
    equal(getComputedStyle(note).display, 'none', 'Escape hides the note');

    const remote = mount({ src: '/images/both.png', mode: 'remote', api, caption: '' });
    const server = await nextCaption(remote.el);
    await settled(remote.el);
    equal(server.backend, 'server', 'remote caption');
    equal(server.text, wasm.text, 'the same caption in both modes');
    equal(renderedText(remote.el), server.text, 'rendered');
    checkNumbers(remote.el, server.text);
    equal(JSON.stringify(server.facts.map((f) => f.kind)), JSON.stringify(wasm.facts.map((f) => f.kind)), 'the same facts');
    await screenshot('caption-remote', remote.selector);
    console.log(`caption (both.png, 243): ${wasm.text}`);
    local.el.remove();
    remote.el.remove();
  });

  it('captions a chosen class (class-index 282) the same way in both modes, naming the cat', async () => {
    const texts: string[] = [];
    for (const mode of ['wasm', 'remote']) {
      const { el } = mount({ src: '/images/both.png', mode, api, 'models-base': MODELS, caption: '', 'class-index': '282' });
      const c = await nextCaption(el);
      equal(c.classIndex, 282, `${mode}: class`);
      ok(c.text.startsWith('The model gives tiger cat '), `${mode}: ${c.text}`);
      ok(/the cat's box/.test(c.text), `${mode} names the cat: ${c.text}`);
      await settled(el);
      checkNumbers(el, c.text);
      texts.push(c.text);
      el.remove();
    }
    equal(texts[1], texts[0], 'remote = wasm');
  });

  it('says how the map matches people when the image has crowd clicks, in both modes', async () => {
    const src = '/osie/1015.jpg';
    const osie = await osieObservers('1015.jpg', 5);
    await annotate(api, src, osie.observers.map((o) => o.slice(0, 12).map((f) => ({ x: f.x + 0.5, y: f.y + 0.5 }))));
    const texts: string[] = [];
    for (const mode of ['wasm', 'remote']) {
      const { el } = mount({ src, mode, api, 'models-base': MODELS, caption: '', 'top-k': '1' });
      const c = await nextCaption(el);
      const human = c.facts.find((f) => f.kind === 'human');
      ok(human && human.kind === 'human' && human.people === 5 && human.source === 'crowd', `${mode}: a human fact of 5 people: ${JSON.stringify(human)}`);
      ok(/It matches people's clicks at -?\d+ % of the agreement between people \(CC -?\d\.\d\d against \d\.\d\d\)\.$/.test(c.text), `${mode}: ${c.text}`);
      await settled(el);
      const numbers = checkNumbers(el, c.text);
      ok(numbers.some((n) => n.dataset.fact === 'human' && n.dataset.field === 'ceiling'), `${mode}: the ceiling is explained`);
      texts.push(c.text);
      el.remove();
    }
    equal(texts[1], texts[0], 'remote = wasm');
  });

  it('keeps the sentence and says why when a caption cannot be measured (no detector in the manifest)', async () => {
    const { el, selector } = mount({ src: '/images/both.png', mode: 'wasm', 'models-base': '/models-nodetector/', caption: '' });
    let errors = 0;
    el.addEventListener('saliency-error', () => errors++);
    await nextReady(el);
    const failed = await new Promise<HTMLElement>((resolve) => {
      const look = () => {
        const f = el.shadowRoot!.querySelector<HTMLElement>('.caption-status[data-status=failed]');
        if (f) resolve(f);
        else requestAnimationFrame(look);
      };
      look();
    });
    equal(failed.dataset.code, 'NO_DETECTOR', 'the typed reason');
    ok(failed.textContent!.includes('lists none'), `reason: ${failed.textContent}`);
    const sentence = part(el, '[part~=caption]').textContent!;
    ok(sentence.startsWith('The model sees a bull mastiff (62%); the highlighted region'), `the sentence stays: ${sentence}`);
    equal(el.status, 'ready', 'the widget is still ready');
    equal(el.captionResult, null, 'no caption');
    equal(errors, 0, 'no saliency-error: the map is shown');
    await screenshot('caption-unavailable', selector);
    el.remove();
  });
});
