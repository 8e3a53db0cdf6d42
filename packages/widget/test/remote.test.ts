// Remote mode against a real started API: the server computes, the widget renders the same way,
// and the server's maps equal the Node engine's on the same (PNG, identically decoded) pixels.
import { loadImage } from '../src/image/load-image.js';
import { allClose, equal, ok } from './helpers/assert.js';
import { apiUrl, nodeExplain, screenshot } from './helpers/commands.js';
import { mount, nextReady, part, rgbBase64, settled } from './helpers/element.js';

describe('remote mode', () => {
  it('asks the API and renders its raw maps as the local engine would', async () => {
    const api = `${await apiUrl()}/graphql`;
    const { el, selector } = mount({ src: '/images/both.png', mode: 'remote', api, 'top-k': '2' });
    const ready = await nextReady(el);
    await settled(el);
    equal(ready.backend, 'server', 'backend');
    equal(ready.fallbacks.length, 0, 'no fallback');
    equal(ready.model, 'squeezenet1.0', 'the server’s default model');
    equal(ready.predictions[0].label, 'bull mastiff', 'top-1');
    equal(part(el, '[part=badge]').textContent?.trim().startsWith('server'), true, 'badge says server');
    equal(ready.maps.length, 2, 'two maps (top-k 2)');
    // the API decodes with sharp: for a PNG the very pixels the browser has
    const image = await loadImage('/images/both.png');
    const node = await nodeExplain({ model: 'squeezenet1.0', rgb: rgbBase64(image.pixels), width: 224, height: 224, methods: ['gradcam'], topK: 2 });
    for (const n of node.maps) {
      const r = ready.maps.find((m) => m.classIndex === n.classIndex)!;
      ok(r, `server map for class ${n.classIndex}`);
      const max = Math.max(...n.raw.values);
      allClose(r.raw.values, n.raw.values, 1e-5 * max, 0, `server raw map ${n.classIndex}`);
      allClose(r.map.values, n.map.values, 1e-5, 0, `server final map ${n.classIndex}`);
    }
    await screenshot('remote-ready', selector);

    // another method goes to the server with the stored image id, for the same classes
    const next = nextReady(el);
    el.method = 'gradcam++';
    const pp = await next;
    equal(pp.method, 'gradcam++', 'method');
    equal(pp.maps.map((m) => m.classIndex).join(), ready.maps.map((m) => m.classIndex).join(), 'same classes');
    el.remove();
  });

  it('explains a chosen class (class-index) and lists it with the top predictions', async () => {
    const api = `${await apiUrl()}/graphql`;
    const { el, selector } = mount({ src: '/images/both.png', mode: 'remote', api, 'class-index': '282' });
    const ready = await nextReady(el);
    await settled(el);
    equal(ready.maps.length, 1, 'one map');
    equal(ready.maps[0].classIndex, 282, 'class 282');
    equal(ready.maps[0].label, 'tiger cat', 'label');
    equal(el.selectedClass, 282, 'the chosen class is shown');
    const selected = part(el, '[role=option][aria-selected=true]');
    ok(selected.textContent!.includes('tiger cat'), `selected item: ${selected.textContent}`);
    const sentence = part(el, '[part=explanation]').textContent!;
    ok(sentence.startsWith('The model sees a bull mastiff (62%). Shown: tiger cat'), `sentence: ${sentence}`);
    await screenshot('remote-tiger-cat', selector);
    el.remove();
  });
});
