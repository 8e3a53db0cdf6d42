// The participant page of a campaign, GET /c/<id>: the instructions and a practice image (nothing
// stored), then the session's images one after another in <saliency-explainer annotate> (each with the
// campaign's ticket: the clicks go to the campaign session), a progress bar, and the completion code or
// the redirect at the end. The session token is kept in sessionStorage, so a reload continues the
// session; a platform's participant id (?PROLIFIC_PID=, ?workerId=, ?participant=) makes it one session
// per participant. Everything runs through the public GraphQL fields: no admin key here.
import { CAMPAIGN_ID } from '../campaigns/store.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The query parameters a crowdsourcing platform puts its participant id in, first found wins. */
export const PARTICIPANT_PARAMS = ['PROLIFIC_PID', 'workerId', 'participant'] as const;

export function campaignPage(id: string, name: string): string {
  if (!CAMPAIGN_ID.test(id)) throw new Error(`not a campaign id: ${id}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<script type="module" src="/widget/saliency-explainer.js" onerror="document.body.dataset.state='error';document.getElementById('message-text').textContent='This page could not load its annotation component (/widget/saliency-explainer.js). Please reload in a moment.';document.getElementById('message').hidden=false;document.getElementById('intro').hidden=true"></script>
<style>
 :root{color-scheme:light}
 body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem 1.25rem 3rem;color:#1d2430;background:#fff}
 header{display:grid;gap:.4rem;margin-bottom:1rem}
 h1{font-size:1.35rem;margin:.4rem 0 0}
 .progress{display:flex;align-items:center;gap:.75rem;font-variant-numeric:tabular-nums;color:#445}
 .track{flex:1;height:10px;border-radius:999px;background:#e6e9ef;overflow:hidden}
 .fill{height:100%;width:0;background:#2563eb;transition:width .3s}
 [hidden]{display:none!important}
 .card{border:1px solid #d7dce4;border-radius:10px;padding:1rem 1.25rem;background:#f8f9fb}
 .card ol{margin:.4rem 0;padding-left:1.3rem}
 button.go{font:inherit;font-weight:600;padding:.5rem 1.4rem;border-radius:8px;border:1px solid #2563eb;background:#2563eb;color:#fff;cursor:pointer}
 button.go:disabled{opacity:.45;cursor:not-allowed}
 .code{font:600 1.6rem ui-monospace,monospace;letter-spacing:.08em;padding:.4rem .9rem;border:2px dashed #1a7f37;border-radius:8px;display:inline-block;background:#f1faf3}
 .note{color:#566;font-size:.92rem}
 saliency-explainer{display:block;margin:.75rem 0}
 .message{border-left:4px solid #b45309;padding:.5rem 1rem;background:#fff7ed}
</style></head><body>
<header>
  <h1 id="title">${esc(name)}</h1>
  <div class="progress" id="progress" hidden>
    <div class="track" role="progressbar" id="bar" aria-label="Images done" aria-valuemin="0" aria-valuemax="1" aria-valuenow="0"><div class="fill" id="fill"></div></div>
    <span id="count"></span>
  </div>
</header>
<section id="intro">
  <div class="card">
    <p><strong>Thank you for taking part.</strong> You will see <span id="n-images">a few</span> images, one at a time, blurred.
      Each click reveals a sharp circle around where you clicked: <strong>click where you look</strong> to tell what the image shows.</p>
    <ol>
      <li>Read the task above the image, then press <strong>Start</strong>: the image and the clock appear.</li>
      <li>Click up to <span id="n-clicks">the allowed number of</span> times<span id="n-min"></span>, within <span id="n-seconds">the time limit</span>. <em>Undo last click</em> takes one back.</li>
      <li>Press <strong>Submit</strong>. The next image follows; at the end you get your completion code.</li>
    </ol>
    <p class="note">Only your clicks and their times are stored, with an anonymous id; nothing about you or your computer.</p>
  </div>
  <h2>Practice</h2>
  <p class="note">Try it once on this picture. Nothing you do here is saved.</p>
  <saliency-explainer id="practice" annotate practice alt="Practice picture"></saliency-explainer>
  <p><button class="go" id="begin" type="button" disabled>Start the study</button> <span class="note" id="begin-note">(after the practice)</span></p>
</section>
<section id="study" hidden>
  <saliency-explainer id="task" annotate api="/graphql" alt="Study image"></saliency-explainer>
</section>
<section id="done" hidden>
  <div class="card">
    <p><strong>All done — thank you!</strong></p>
    <div id="code-box" hidden><p>Your completion code:</p><p><span class="code" id="code"></span> <button type="button" id="copy">Copy</button></p>
      <p class="note">Paste it into the study platform to be paid.</p></div>
    <p id="redirect-box" hidden>Taking you back to the study platform… <a id="redirect" href="#">continue</a></p>
  </div>
</section>
<section id="message" hidden><p class="message" id="message-text"></p></section>
<script type="module">
const CAMPAIGN = ${JSON.stringify(id)};
const PARAMS = ${JSON.stringify(PARTICIPANT_PARAMS)};
const STEP = 'sessionToken campaignId done total finished noneLeft minClicks refractoryMs completionCode redirectUrl'
  + ' annotation { ticket annotatorToken prompt maxClicks timeLimitSeconds bubbleRadius blurSigma expiresAt image { id width height dataUrl } }';
const KEY = 'saliency-campaign:' + CAMPAIGN;
const $ = (id) => document.getElementById(id);
const show = (id, on = true) => { $(id).hidden = !on; };

async function gql(query, variables) {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await r.json();
  if (body.errors) { const e = new Error(body.errors[0].message); e.code = body.errors[0].extensions && body.errors[0].extensions.code; throw e; }
  return body.data;
}

function message(text) {
  $('message-text').textContent = text;
  show('message');
}

function progress(done, total) {
  show('progress');
  $('bar').setAttribute('aria-valuemax', String(total));
  $('bar').setAttribute('aria-valuenow', String(done));
  $('fill').style.width = (total ? (100 * done) / total : 0) + '%';
  $('count').textContent = done + ' of ' + total + ' images';
}

const task = $('task');
function apply(step) {
  sessionStorage.setItem(KEY, step.sessionToken);
  progress(step.done, step.total);
  show('intro', false);
  if (step.finished) {
    sessionStorage.removeItem(KEY);
    show('study', false);
    show('done');
    document.body.dataset.state = 'finished';
    if (step.completionCode) { $('code').textContent = step.completionCode; show('code-box'); }
    if (step.redirectUrl) {
      $('redirect').href = step.redirectUrl;
      show('redirect-box');
      setTimeout(() => location.assign(step.redirectUrl), 1500);
    }
    return;
  }
  if (step.noneLeft || !step.annotation) {
    show('study', false);
    document.body.dataset.state = 'none-left';
    message('Every image has all the annotations it needs right now. Please come back a little later (your progress is kept in this tab).');
    return;
  }
  show('message', false);
  show('study');
  document.body.dataset.state = 'annotating';
  task.campaignSession = step.sessionToken;
  task.ticket = Object.assign({}, step.annotation, { minClicks: step.minClicks, refractoryMs: step.refractoryMs });
}

async function run(fn) {
  try {
    apply(await fn());
  } catch (e) {
    if (e.code === 'BAD_SESSION') sessionStorage.removeItem(KEY);
    document.body.dataset.state = 'error';
    message(e.code === 'CAMPAIGN_CLOSED' ? 'This study is closed. Thank you for your interest.' : 'Something went wrong: ' + e.message + (e.code ? ' (' + e.code + ')' : ''));
  }
}

task.addEventListener('annotation-submitted', (e) => { if (e.detail.campaignStep) apply(e.detail.campaignStep); });
task.addEventListener('annotation-ticket-needed', () => run(async () => (await gql('mutation($t: String!) { nextCampaignImage(sessionToken: $t) { ' + STEP + ' } }', { t: sessionStorage.getItem(KEY) })).nextCampaignImage));

function participant() {
  const q = new URLSearchParams(location.search);
  for (const p of PARAMS) { const v = q.get(p); if (v) return v; }
  return null;
}

$('begin').addEventListener('click', () => {
  $('begin').disabled = true;
  run(async () => (await gql('mutation($c: ID!, $p: String) { startCampaignSession(campaignId: $c, participantId: $p) { ' + STEP + ' } }', { c: CAMPAIGN, p: participant() })).startCampaignSession);
});

/** The practice picture: drawn here (no study image is spent on practice). */
function practicePicture() {
  const c = document.createElement('canvas');
  c.width = 600; c.height = 400;
  const g = c.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, 260); sky.addColorStop(0, '#6fa8dc'); sky.addColorStop(1, '#cfe2f3');
  g.fillStyle = sky; g.fillRect(0, 0, 600, 260);
  g.fillStyle = '#6aa84f'; g.fillRect(0, 260, 600, 140);
  g.fillStyle = '#ffd966'; g.beginPath(); g.arc(500, 80, 42, 0, 2 * Math.PI); g.fill();
  g.fillStyle = '#b45f06'; g.fillRect(120, 170, 170, 120);
  g.fillStyle = '#990000'; g.beginPath(); g.moveTo(105, 172); g.lineTo(205, 95); g.lineTo(305, 172); g.closePath(); g.fill();
  g.fillStyle = '#fff2cc'; g.fillRect(150, 200, 40, 36); g.fillRect(225, 200, 40, 36);
  g.fillStyle = '#783f04'; g.fillRect(190, 235, 34, 55);
  g.fillStyle = '#7f6000'; g.fillRect(408, 200, 18, 90);
  g.fillStyle = '#38761d'; g.beginPath(); g.arc(417, 180, 48, 0, 2 * Math.PI); g.fill();
  g.fillStyle = '#fff'; g.beginPath(); g.arc(330, 330, 14, 0, 2 * Math.PI); g.arc(350, 322, 18, 0, 2 * Math.PI); g.fill();
  g.fillStyle = '#222'; g.beginPath(); g.arc(366, 318, 6, 0, 2 * Math.PI); g.fill();
  return c.toDataURL('image/png');
}

async function init() {
  const info = (await gql('query($c: ID!) { campaignInfo(id: $c) { name open perSession maxClicks timeLimitSeconds minClicks refractoryMs } }', { c: CAMPAIGN })).campaignInfo;
  if (!info) { show('intro', false); message('There is no such study.'); return; }
  $('n-images').textContent = String(info.perSession);
  $('n-clicks').textContent = String(info.maxClicks);
  $('n-seconds').textContent = info.timeLimitSeconds + ' seconds';
  if (info.minClicks > 1) $('n-min').textContent = ' (at least ' + info.minClicks + ')';
  const saved = sessionStorage.getItem(KEY);
  if (saved) { run(async () => (await gql('mutation($t: String!) { nextCampaignImage(sessionToken: $t) { ' + STEP + ' } }', { t: saved })).nextCampaignImage); return; }
  if (!info.open) { show('intro', false); message('This study is closed. Thank you for your interest.'); return; }
  const practice = $('practice');
  practice.ticket = { prompt: 'Practice: click where you look to tell what this picture shows.', maxClicks: info.maxClicks, timeLimitSeconds: info.timeLimitSeconds, minClicks: info.minClicks, refractoryMs: info.refractoryMs };
  practice.src = practicePicture();
  practice.addEventListener('annotation-submitted', () => { $('begin').disabled = false; $('begin-note').textContent = 'Practice done.'; });
  document.body.dataset.state = 'intro';
}
customElements.whenDefined('saliency-explainer').then(init, (e) => message(String(e)));
</script></body></html>`;
}
