// The organiser's dashboard of a campaign, GET /c/<id>/dashboard. The page holds no data: it asks for
// the admin key (kept in this tab's sessionStorage only), reads campaign(id) over GraphQL with
// `Authorization: Bearer <key>` and shows the progress per image, the participants, the exclusions with
// their reasons and the reliability curve (Campaign.reliabilitySvg, drawn by the server); it reviews,
// closes and exports (GET /c/<id>/export.tar with the key) on request. A wrong or missing key shows
// the API's error and asks again; it refreshes every DASHBOARD_REFRESH_SECONDS.
import { CAMPAIGN_ID } from '../campaigns/store.js';

/** How often the open dashboard reads the campaign again. */
export const DASHBOARD_REFRESH_SECONDS = 20;

export function dashboardPage(id: string): string {
  if (!CAMPAIGN_ID.test(id)) throw new Error(`not a campaign id: ${id}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Campaign dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<style>
 :root{color-scheme:light}
 body{font:15px/1.45 system-ui,sans-serif;max-width:64rem;margin:0 auto;padding:1rem 1.25rem 3rem;color:#1d2430;background:#fff}
 h1{font-size:1.35rem;margin:.3rem 0} h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
 .badge{display:inline-block;padding:0 .55rem;border-radius:999px;font-size:.8rem;font-weight:600;vertical-align:middle}
 .open{background:#dcfce7;color:#166534} .closed{background:#f1f5f9;color:#475569}
 .terms{color:#566;font-size:.92rem}
 .cards{display:flex;flex-wrap:wrap;gap:.75rem}
 .card{border:1px solid #d7dce4;border-radius:10px;padding:.6rem 1rem;background:#f8f9fb;min-width:9rem}
 .card b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}
 table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
 th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e6e9ef;vertical-align:middle}
 th{font-size:.85rem;color:#445;font-weight:600}
 .bar{position:relative;width:11rem;height:.8rem;border-radius:999px;background:#e6e9ef;overflow:hidden;display:inline-block;vertical-align:middle;margin-right:.5rem}
 .bar i{position:absolute;left:0;top:0;bottom:0;background:#2563eb} .bar i.kept{background:#1a7f37}
 code{font:13px ui-monospace,monospace}
 .rule{font:600 12px ui-monospace,monospace;background:#fef3c7;color:#92400e;padding:0 .4rem;border-radius:4px}
 button{font:inherit;padding:.35rem .9rem;border-radius:6px;border:1px solid #c5ccd8;background:#fff;cursor:pointer}
 button.primary{background:#2563eb;border-color:#2563eb;color:#fff;font-weight:600}
 .error{border-left:4px solid #b91c1c;padding:.4rem .9rem;background:#fef2f2}
 form{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap} input[type=password]{font:inherit;padding:.35rem .5rem;min-width:22rem}
 .actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.75rem 0}
 .muted{color:#667}
 [hidden]{display:none!important}
</style></head><body>
<section id="login">
  <h1>Campaign dashboard</h1>
  <p>The dashboard needs the server's admin key (<code>SALIENCY_ADMIN_KEY</code>). It stays in this tab only.</p>
  <form id="key-form"><input type="password" id="key" autocomplete="current-password" placeholder="admin key" aria-label="Admin key" required>
    <button class="primary" type="submit">Open</button></form>
</section>
<p class="error" id="error" role="alert" hidden></p>
<main id="board" hidden>
  <h1><span id="name"></span> <span class="badge" id="state"></span></h1>
  <p class="terms" id="terms"></p>
  <p>Participant link: <a id="link"></a></p>
  <div class="actions">
    <button type="button" id="refresh">Refresh</button>
    <button type="button" id="review">Review participants now</button>
    <button type="button" id="export">Download the data set (.tar)</button>
    <button type="button" id="close">Close the campaign</button>
    <button type="button" id="forget">Forget the key</button>
  </div>
  <div class="cards">
    <div class="card"><span class="muted">Annotations</span><b id="annotations"></b></div>
    <div class="card"><span class="muted">Images at quota</span><b id="at-quota"></b></div>
    <div class="card"><span class="muted">Sessions</span><b id="sessions"></b></div>
    <div class="card"><span class="muted">Finished</span><b id="finished"></b></div>
    <div class="card"><span class="muted">Excluded</span><b id="excluded"></b></div>
  </div>
  <h2>Reliability: is the pooled map stable yet?</h2>
  <p class="muted">Split-half agreement of the pooled crowd map (excluded participants left out) by the number of participants; with imported eye tracking, the pooled map's CC with it. Stop when the curve flattens.</p>
  <p><label>Curve of <select id="curve-of"><option value="">all images (mean at each number of participants)</option></select></label></p>
  <div id="plot"></div>
  <h2>Images</h2>
  <table id="images"><thead><tr><th>Image</th><th>Task</th><th>Accepted / quota <span class="muted">(<span style="color:#1a7f37">■</span> kept, <span style="color:#2563eb">■</span> excluded)</span></th><th>Kept</th><th>In flight</th><th id="stability-head" hidden title="Split-half CC of the pooled map of the kept participants: the adaptive assignment sends participants to the lowest first">Stability</th></tr></thead><tbody></tbody></table>
  <h2>Exclusions</h2>
  <p class="muted" id="no-exclusions">None stored. Participants are reviewed when the campaign closes, or with “Review participants now”.</p>
  <table id="exclusions"><thead><tr><th>Participant session</th><th>Rule</th><th>Why</th></tr></thead><tbody></tbody></table>
</main>
<script type="module">
const CAMPAIGN = ${JSON.stringify(id)};
const REFRESH_MS = ${DASHBOARD_REFRESH_SECONDS * 1000};
const KEY = 'saliency-admin-key';
const $ = (id) => document.getElementById(id);
const VIEW = 'query($id: ID!) { campaign(id: $id) { id name open link perImage perSession maxClicks minClicks timeLimitSeconds refractoryMs completionCode redirectUrl assignment createdAt closedAt'
  + ' images { image { id width height } task classIndex gold accepted kept inFlight quota stability } participants { sessions finished excluded }'
  + ' exclusions { session rule detail value threshold } reliability { participants splitHalf eyeTracking images } reliabilitySvg } }';

async function gql(query, variables) {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + sessionStorage.getItem(KEY) }, body: JSON.stringify({ query, variables }) });
  const body = await r.json();
  if (body.errors) { const e = new Error(body.errors[0].message); e.code = body.errors[0].extensions && body.errors[0].extensions.code; throw e; }
  return body.data;
}

function fail(e) {
  $('error').textContent = (e.code ? e.code + ': ' : '') + e.message;
  $('error').hidden = false;
  document.body.dataset.state = 'error';
  if (e.code === 'UNAUTHENTICATED' || e.code === 'ADMIN_DISABLED') { sessionStorage.removeItem(KEY); $('board').hidden = true; $('login').hidden = false; }
}

const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td; };

function render(c) {
  $('name').textContent = c.name;
  $('state').textContent = c.open ? 'open' : 'closed';
  $('state').className = 'badge ' + (c.open ? 'open' : 'closed');
  const end = c.completionCode ? 'completion code ' + c.completionCode : c.redirectUrl ? 'redirect ' + c.redirectUrl : 'no completion code';
  const adaptive = c.assignment === 'ADAPTIVE';
  $('terms').textContent = c.perImage + ' per image · ' + c.perSession + ' per session · ' + c.minClicks + '–' + c.maxClicks + ' clicks · ' + c.timeLimitSeconds + ' s · ' + c.refractoryMs + ' ms between clicks · ' + end + (adaptive ? ' · adaptive assignment (least stable first)' : '');
  $('stability-head').hidden = !adaptive;
  $('link').href = c.link; $('link').textContent = new URL(c.link, location.href).href;
  const regular = c.images.filter((i) => !i.gold);
  const accepted = regular.reduce((n, i) => n + i.accepted, 0);
  $('annotations').textContent = accepted + ' / ' + regular.length * c.perImage;
  $('at-quota').textContent = regular.filter((i) => i.accepted >= i.quota).length + ' / ' + regular.length;
  $('sessions').textContent = c.participants.sessions;
  $('finished').textContent = c.participants.finished;
  $('excluded').textContent = c.participants.excluded;
  const picked = $('curve-of').value;
  $('curve-of').replaceChildren($('curve-of').options[0], ...c.images.filter((i) => !i.gold).map((i) => {
    const o = document.createElement('option'); o.value = i.image.id; o.textContent = 'image ' + i.image.id.slice(0, 12) + ' (' + i.kept + ' kept)'; return o;
  }));
  $('curve-of').value = c.images.some((i) => i.image.id === picked) ? picked : '';
  if ($('curve-of').value === '') $('plot').innerHTML = c.reliabilitySvg;
  else plotOf($('curve-of').value);
  const rows = c.images.map((i) => {
    const tr = document.createElement('tr');
    tr.dataset.image = i.image.id;
    const name = cell(''); const code = document.createElement('code'); code.textContent = i.image.id.slice(0, 12); code.title = i.image.id; name.append(code, ' ' + i.image.width + '×' + i.image.height);
    const bar = document.createElement('td');
    const track = document.createElement('span'); track.className = 'bar';
    const quota = i.gold ? Math.max(1, i.accepted) : i.quota;
    const a = document.createElement('i'); a.style.width = (100 * Math.min(1, i.accepted / quota)) + '%';
    const k = document.createElement('i'); k.className = 'kept'; k.style.width = (100 * Math.min(1, i.kept / quota)) + '%';
    track.append(a, k); bar.append(track, i.gold ? i.accepted + ' (gold)' : i.accepted + ' / ' + i.quota);
    tr.append(name, cell(i.task.toLowerCase() + (i.classIndex !== null ? ' ' + i.classIndex : '')), bar, cell(String(i.kept)), cell(String(i.inFlight)));
    if (adaptive) tr.append(cell(i.stability === null ? '–' : i.stability.toFixed(3)));
    return tr;
  });
  $('images').tBodies[0].replaceChildren(...rows);
  $('no-exclusions').hidden = c.exclusions.length > 0;
  $('exclusions').hidden = c.exclusions.length === 0;
  $('exclusions').tBodies[0].replaceChildren(...c.exclusions.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.session = e.session;
    const rule = cell(''); const r = document.createElement('span'); r.className = 'rule'; r.textContent = e.rule; rule.append(r);
    const s = cell(''); const code = document.createElement('code'); code.textContent = e.session; s.append(code);
    tr.append(s, rule, cell(e.detail));
    return tr;
  }));
}

/** One image's curve (Campaign.reliabilitySvg(imageId)). */
async function plotOf(imageId) {
  try {
    const c = (await gql('query($id: ID!, $i: ID) { campaign(id: $id) { reliabilitySvg(imageId: $i) } }', { id: CAMPAIGN, i: imageId })).campaign;
    if ($('curve-of').value === imageId) $('plot').innerHTML = c.reliabilitySvg;
  } catch (e) { fail(e); }
}

let timer = null;
async function load() {
  try {
    const c = (await gql(VIEW, { id: CAMPAIGN })).campaign;
    if (!c) throw Object.assign(new Error('no campaign ' + CAMPAIGN), { code: 'NOT_FOUND' });
    $('error').hidden = true; $('login').hidden = true; $('board').hidden = false;
    render(c);
    document.body.dataset.state = 'ready';
    clearTimeout(timer);
    timer = setTimeout(load, REFRESH_MS);
  } catch (e) { fail(e); }
}

async function act(query) {
  try { await gql(query, { id: CAMPAIGN }); await load(); } catch (e) { fail(e); }
}

$('key-form').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem(KEY, $('key').value.trim()); $('key').value = ''; load(); });
$('refresh').addEventListener('click', load);
$('curve-of').addEventListener('change', () => { if ($('curve-of').value) plotOf($('curve-of').value); else load(); });
$('review').addEventListener('click', () => act('mutation($id: ID!) { reviewCampaign(id: $id) { rule } }'));
$('close').addEventListener('click', () => { if (confirm('Close the campaign? No new sessions or images after this.')) act('mutation($id: ID!) { closeCampaign(id: $id) { id } }'); });
$('forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); clearTimeout(timer); $('board').hidden = true; $('login').hidden = false; });
$('export').addEventListener('click', async () => {
  const r = await fetch('/c/' + CAMPAIGN + '/export.tar', { headers: { authorization: 'Bearer ' + sessionStorage.getItem(KEY) } });
  if (!r.ok) { const b = await r.json().catch(() => null); fail(Object.assign(new Error(b ? b.errors[0].message : 'HTTP ' + r.status), { code: b && b.errors[0].extensions.code })); return; }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await r.blob()); a.download = 'campaign-' + CAMPAIGN + '.tar';
  document.body.append(a); a.click(); a.remove();
});
if (sessionStorage.getItem(KEY)) load(); else document.body.dataset.state = 'login';
</script></body></html>`;
}
