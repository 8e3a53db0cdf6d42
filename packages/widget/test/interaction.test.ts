// Class switching by mouse and keyboard, the method picker, maps computed on demand, and the events.
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { equal, ok } from './helpers/assert.js';
import { screenshot } from './helpers/commands.js';
import { mount, nextReady, part, settled } from './helpers/element.js';
import type { SaliencyExplainer } from '../src/index.js';

function options(el: SaliencyExplainer): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role=option]')];
}

function selectedLabel(el: SaliencyExplainer): string {
  return part(el, '[role=option][aria-selected=true] .label').textContent!.trim();
}

async function click(target: HTMLElement): Promise<void> {
  const r = target.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

describe('interaction', () => {
  let el: SaliencyExplainer;
  let selector: string;

  before(async () => {
    ({ el, selector } = mount({ src: '/images/both.png', mode: 'wasm', 'top-k': '3' }));
    await nextReady(el);
    await settled(el);
  });

  after(() => el.remove());

  it('switches the class with a mouse click', async () => {
    const before = part<HTMLCanvasElement>(el, 'canvas').toDataURL();
    let ready = 0;
    el.addEventListener('saliency-ready', () => ready++);
    await click(options(el)[1]);
    await settled(el);
    equal(selectedLabel(el), 'boxer', 'selected after the click');
    equal(el.selectedClass, 242, 'selectedClass');
    ok(part<HTMLCanvasElement>(el, 'canvas').toDataURL() !== before, 'the canvas shows another map');
    ok(part(el, '[part=explanation]').textContent!.includes('Shown: boxer (37%), its guess #2'), part(el, '[part=explanation]').textContent!);
    equal(ready, 1, 'a saliency-ready event for the selection');
    ok(part(el, '[role=option][aria-selected=true]').getAttribute('part')!.includes('prediction-selected'), 'selected part');
  });

  it('moves the selection with the arrow keys, Home and End, with a visible focus ring', async () => {
    const list = part<HTMLElement>(el, '[role=listbox]');
    list.focus();
    await sendKeys({ press: 'Home' });
    await settled(el);
    equal(selectedLabel(el), 'bull mastiff', 'Home');
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await settled(el);
    equal(el.selectedClass, Number(options(el)[2].dataset.class), 'two ArrowDowns: the third class');
    await sendKeys({ press: 'ArrowDown' });
    await settled(el);
    equal(el.selectedClass, Number(options(el)[2].dataset.class), 'stays on the last');
    await sendKeys({ press: 'ArrowUp' });
    await settled(el);
    equal(selectedLabel(el), 'boxer', 'ArrowUp');
    equal(list.getAttribute('aria-activedescendant'), part(el, '[role=option][aria-selected=true]').id, 'aria-activedescendant follows');
    equal(el.shadowRoot!.activeElement, list, 'the listbox keeps the focus');
    ok(getComputedStyle(list).outlineStyle === 'solid', `focus outline: ${getComputedStyle(list).outlineStyle}`);
    await screenshot('interaction-keyboard-boxer', selector);
    await sendKeys({ press: 'End' });
    await sendKeys({ press: 'Home' });
    await settled(el);
    equal(selectedLabel(el), 'bull mastiff', 'Home again');
  });

  it('reaches the controls with Tab', async () => {
    part<HTMLElement>(el, '[role=listbox]').focus();
    await sendKeys({ press: 'Tab' });
    equal(el.shadowRoot!.activeElement, part(el, '[part=method]'), 'Tab → method picker');
    await sendKeys({ press: 'Tab' });
    equal(el.shadowRoot!.activeElement, part(el, '[part=opacity]'), 'Tab → opacity slider');
    await sendKeys({ press: 'ArrowLeft' });
    await settled(el);
    ok(Math.abs(el.opacity - 0.45) < 1e-9, `ArrowLeft lowers the opacity (${el.opacity})`);
    el.opacity = 0.5;
  });

  it('computes another method for the same classes from the picker, keeping the selection', async () => {
    await click(options(el)[1]);
    const select = part<HTMLSelectElement>(el, '[part=method]');
    const next = nextReady(el);
    select.value = 'gradcam++';
    select.dispatchEvent(new Event('change'));
    const r = await next;
    await settled(el);
    equal(r.method, 'gradcam++', 'method');
    equal(el.getAttribute('method'), 'gradcam++', 'the attribute reflects the choice');
    equal(r.maps.length, 3, 'maps of the three classes');
    equal(selectedLabel(el), 'boxer', 'selection kept');
    ok(part(el, '[part=explanation]').textContent!.includes('(Grad-CAM++)'), 'sentence names the method');
    await screenshot('interaction-gradcampp-boxer', selector);
  });

  it('computes the map of a listed class that was not explained yet, on demand', async () => {
    const { el: one } = mount({ src: '/images/both.png', mode: 'wasm', 'class-index': '282' });
    const first = await nextReady(one);
    await settled(one);
    equal(first.maps.map((m) => m.classIndex).join(), '282', 'only the chosen class');
    equal(options(one).length, 6, 'top 5 and the chosen class');
    const next = nextReady(one);
    await click(options(one)[0]);
    const second = await next;
    equal(second.maps.map((m) => m.classIndex).sort().join(), '243,282', 'bull mastiff computed on demand');
    await settled(one);
    equal(selectedLabel(one), 'bull mastiff', 'selected');
    one.remove();
  });
});
