// The free-text captioner in the browser (`captioner` attribute): transformers.js, loaded from
// /transformers/ only when a captioner is named, runs a tiny random-weight VisionEncoderDecoder export
// to exactly the greedy decode Node computes in float64 from the same weights; a wasm caption quotes its
// phrase as a last sentence of its own, apart from the measured numbers; a missing folder is a typed
// caption failure and the map stays.
import type { CaptionDetail, SaliencyExplainer } from '../src/index.js';
import { loadCaptioner } from '../src/engines/captioner-source.js';
import { executeServerCommand } from '@web/test-runner-commands';
import { equal, ok } from './helpers/assert.js';
import { screenshot } from './helpers/commands.js';
import { mount, nextMeasure, nextReady, part } from './helpers/element.js';

const MODELS = '/models/';
const CAPTIONER = '/captioners/tiny-captioner/';
const LIBRARY = '/transformers/transformers.min.js';
const TINY_WORDS = ['a', 'cat', 'dog', 'on', 'the', 'sofa', 'grass', 'sitting', 'small', 'red'];
const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?(?: %)?(?![\w])/g;

const nextCaption = (el: SaliencyExplainer) => nextMeasure<CaptionDetail>(el, 'saliency-caption', '.caption-status[data-status=failed]');

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The caption element once it says failed. */
function captionFailure(el: SaliencyExplainer): Promise<HTMLElement> {
  return new Promise((resolve) => {
    const look = () => {
      const f = el.shadowRoot!.querySelector<HTMLElement>('.caption-status[data-status=failed]');
      if (f) resolve(f);
      else requestAnimationFrame(look);
    };
    look();
  });
}

describe('the free-text captioner in the browser', () => {
  it('loads nothing of transformers.js until a captioner is named', () => {
    equal(performance.getEntriesByType('resource').filter((r) => r.name.includes('/transformers/')).length, 0, 'no /transformers/ request yet');
  });

  it('generates the greedy decode Node computes from the same weights, through the key/value cache', async () => {
    // the processor's size (8 × 8): no resize, so the pixels the model sees are exactly these
    let a = 17;
    const byte = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) >>> 24;
    const inputs = Array.from({ length: 8 }, () => Uint8Array.from({ length: 8 * 8 * 3 }, byte));
    const want = await executeServerCommand<{ text: string; minGap: number; size: number; maxNewTokens: number }[], { inputs: string[] }>(
      'tiny-captioner-greedy', { inputs: inputs.map(base64) });
    const captioner = await loadCaptioner({
      folder: new URL(CAPTIONER, location.href).href, library: new URL(LIBRARY, location.href).href, maxNewTokens: want[0].maxNewTokens,
    });
    equal(captioner.model, 'tiny-captioner', 'named by its folder');
    let ended = 0;
    for (const [k, rgb] of inputs.entries()) {
      equal(want[k].size, 8, 'the processor size');
      // float32 in ONNX Runtime Web against float64 in Node: no step may be closer than this to a tie
      ok(want[k].minGap > 1e-3, `decode ${k} has no near tie (${want[k].minGap})`);
      equal(await captioner.describe({ data: rgb, width: 8, height: 8, channels: 3 }), want[k].text, `decode ${k}`);
      if (want[k].text.split(' ').length < want[k].maxNewTokens) ended++;
    }
    ok(ended > 0 && ended < inputs.length, 'the cases cover decodes that stop at the end token and decodes that run to the limit');
  });

  it('quotes the captioner after the measured sentences of a wasm caption; its words are no measured numbers', async () => {
    const { el, selector } = mount({
      src: '/images/both.png', mode: 'wasm', 'models-base': MODELS, caption: '', captioner: CAPTIONER, 'transformers-src': LIBRARY, 'top-k': '1',
    });
    const caption = await nextCaption(el);
    equal(caption.backend, 'wasm', 'computed in the browser');
    const result = el.captionResult!;
    ok(result.captioner, 'the caption carries the captioner phrase');
    equal(result.captioner!.model, 'tiny-captioner', 'the captioner is named by its folder');
    const phrase = result.captioner!.text;
    for (const word of phrase.split(' ').filter(Boolean)) ok(TINY_WORDS.includes(word), `"${word}" is a word of the captioner's vocabulary`);
    ok(caption.text.startsWith('The model sees a bull mastiff ('), `the measured sentences come first: ${caption.text}`);
    ok(caption.text.endsWith(` A captioner describes the region as "${phrase}".`), `the phrase is quoted last: ${caption.text}`);
    const quoted = part(el, '[part~=caption] .sentence[data-role=captioner]');
    equal(quoted.textContent, `A captioner describes the region as "${phrase}".`, 'its own sentence');
    equal(quoted.querySelectorAll('[part=caption-number]').length, 0, 'no caption-number inside the quote');
    const measured = caption.text.slice(0, caption.text.length - quoted.textContent!.length).match(NUMBER) ?? [];
    equal(el.shadowRoot!.querySelectorAll('[part~=caption] [part=caption-number]').length, measured.length, 'every measured number is still a caption-number');
    await screenshot('caption-captioner', selector);
    el.remove();
  });

  it('a captioner folder that is not there: CAPTIONER_LOAD_FAILED naming it, and the map stays', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', 'models-base': MODELS, caption: '', captioner: '/captioners/nowhere/', 'transformers-src': LIBRARY, 'top-k': '1' });
    let errors = 0;
    el.addEventListener('saliency-error', () => errors++);
    await nextReady(el);
    const failed = await captionFailure(el);
    equal(failed.dataset.code, 'CAPTIONER_LOAD_FAILED', 'the typed reason');
    ok(failed.textContent!.includes('/captioners/nowhere/'), `names the folder: ${failed.textContent}`);
    equal(el.status, 'ready', 'the widget is still ready');
    equal(errors, 0, 'no saliency-error: the map is shown');
    el.remove();
  });
});
