// The annotation mode with a ticket issued elsewhere (the `ticket` property, as a campaign's participant
// page hands it over) and the practice mode, against the real API: with a ticket the widget uploads
// nothing and starts no session of its own, and submits that ticket; src must be the ticket's image
// (its size and sha256 are checked: BAD_ATTRIBUTE otherwise); campaign-session needs a ticket; a spent
// ticket that fails asks the page for a new one (annotation-ticket-needed); practice sends nothing.
import { sendMouse, setViewport } from '@web/test-runner-commands';
import type { AnnotationSubmittedDetail, AnnotationTicket, SaliencyExplainer } from '../src/index.js';
import { AssertionError, equal, ok } from './helpers/assert.js';
import { graphql } from './helpers/api.js';
import { apiUrl } from './helpers/commands.js';
import { toDataUrl } from '../src/image/load-image.js';
import { mount, nextDetail, nextError, part, settled, sha256Hex } from './helpers/element.js';

/** Poll until `check` holds (the limit only guards against a hang). */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new AssertionError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function clickPart(el: SaliencyExplainer, selector: string): Promise<void> {
  const r = part(el, selector).getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

/** Start, two clicks at a person's pace (the API's minimum intervals), Submit. */
async function startClickSubmit(el: SaliencyExplainer): Promise<void> {
  await until('the Start button', () => !!part(el, '[part=start]', true));
  await settled(el);
  await clickPart(el, '[part=start]');
  await until('the countdown', () => /\d:\d\d/.test(part(el, '[part=timer]', true)?.textContent ?? ''));
  await settled(el);
  for (const [fx, fy] of [[0.3, 0.4], [0.6, 0.5]]) {
    await new Promise((r) => setTimeout(r, 250));
    const r = part(el, 'canvas').getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(r.left + fx * r.width), Math.round(r.top + fy * r.height)] });
  }
  await settled(el);
  await clickPart(el, '[part=submit]');
}

/** The GraphQL operations the page sends (names of the widget's documents) while `fn` runs. */
async function operations(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const real = window.fetch;
  window.fetch = (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    const m = /"query":"(?:mutation|query)\s+(\w+)/.exec(body);
    if (m) seen.push(m[1]);
    return real(input, init);
  };
  try {
    await fn();
  } finally {
    window.fetch = real;
  }
  return seen;
}

const START = `mutation($input: StartAnnotationInput!) { startAnnotation(input: $input) {
  ticket annotatorToken prompt maxClicks timeLimitSeconds bubbleRadius blurSigma expiresAt image { id width height } } }`;

async function idOf(src: string): Promise<string> {
  return sha256Hex(new Uint8Array(await (await fetch(src)).arrayBuffer()));
}

describe('annotation with a ticket from outside, and practice', () => {
  let api: string;
  before(async () => {
    api = `${await apiUrl()}/graphql`;
    await setViewport({ width: 1000, height: 1000 });
  });
  afterEach(() => document.querySelectorAll('saliency-explainer').forEach((e) => e.remove()));

  async function ticketFor(src: string): Promise<AnnotationTicket> {
    const id = await idOf(src);
    await graphql(api, 'mutation($d: String!) { uploadImage(data: $d) { id } }', { d: await toDataUrl(await (await fetch(src)).blob()) });
    return (await graphql<{ startAnnotation: AnnotationTicket }>(api, START, { input: { imageId: id, task: 'DESCRIBE', maxClicks: 5 } })).startAnnotation;
  }

  it('submits the given ticket without uploading or starting a session; a spent one asks for another', async () => {
    const src = '/osie/1003.jpg';
    const ticket = await ticketFor(src);
    const { el } = mount({ annotate: '', api, src });
    let detail: AnnotationSubmittedDetail | null = null;
    const ops = await operations(async () => {
      el.ticket = ticket;
      const submitted = nextDetail<AnnotationSubmittedDetail>(el, 'annotation-submitted');
      await startClickSubmit(el);
      detail = await submitted;
    });
    equal(ops.join(','), 'Submit', 'the only request: the ticket\'s submission');
    ok(detail && /^c/.test((detail as AnnotationSubmittedDetail).annotationId ?? ''), 'a stored annotation id');
    equal(part(el, '[part=prompt]').textContent, ticket.prompt, 'the ticket\'s prompt');
    // the same ticket again: refused as a replay, and Start again asks the page for a new ticket
    el.ticket = { ...ticket };
    const failed = nextError(el);
    await startClickSubmit(el);
    equal((await failed).code, 'REPLAYED_SUBMISSION', 'the second submission');
    await until('the retry button', () => !!part(el, '[part~=retry]', true));
    await settled(el);
    const needed = nextDetail<{ reason: string }>(el, 'annotation-ticket-needed');
    await clickPart(el, '[part~=retry]');
    equal((await needed).reason, 'REPLAYED_SUBMISSION', 'annotation-ticket-needed\'s reason');
  });

  it('src must be the ticket\'s image: another image of the same size, or of another size, is BAD_ATTRIBUTE', async () => {
    const ticket = await ticketFor('/osie/1004.jpg');
    const same = mount({ annotate: '', api, src: '/osie/1005.jpg' });
    const e1 = nextError(same.el);
    same.el.ticket = ticket;
    const err1 = await e1;
    equal(err1.code, 'BAD_ATTRIBUTE', 'another image of the same size');
    ok(/src is not the ticket's image \(sha256/.test(err1.message), err1.message);
    const other = mount({ annotate: '', api, src: '/osie/1004.jpg' });
    const e2 = nextError(other.el);
    other.el.ticket = { ...ticket, image: { ...ticket.image, width: 640 } };
    const err2 = await e2;
    equal(err2.code, 'BAD_ATTRIBUTE', 'an image of another size');
    ok(/the ticket's image 640×600/.test(err2.message), err2.message);
    const noTicket = mount({ annotate: '', api, src: '/osie/1004.jpg', 'campaign-session': 'AAAAAAAAAAAAAAAAAAAAAA' });
    const err3 = await nextError(noTicket.el);
    equal(err3.code, 'BAD_ATTRIBUTE', 'campaign-session without a ticket');
    ok(/campaign-session needs the ticket property/.test(err3.message), err3.message);
  });

  it('practice: nothing is sent, the thank-you says so', async () => {
    let detail: AnnotationSubmittedDetail | null = null;
    const ops = await operations(async () => {
      const { el } = mount({ annotate: '', practice: '', src: '/osie/1006.jpg', 'max-clicks': '4' });
      const submitted = nextDetail<AnnotationSubmittedDetail>(el, 'annotation-submitted');
      await startClickSubmit(el);
      detail = await submitted;
      await settled(el);
      ok(/not saved/.test(part(el, '[part=thanks]').textContent ?? ''), 'the practice thank-you');
    });
    equal(ops.length, 0, `no GraphQL request (saw ${ops.join(',')})`);
    equal((detail as AnnotationSubmittedDetail | null)?.practice, true, 'detail.practice');
    equal((detail as AnnotationSubmittedDetail | null)?.annotationId, null, 'detail.annotationId');
    equal((detail as AnnotationSubmittedDetail | null)?.clicks.length, 2, 'clicks sent in the detail');
  });
});
