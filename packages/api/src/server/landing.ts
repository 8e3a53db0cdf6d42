// The local page served at / (Apollo's hosted explorer needs the internet): a small query console
// and a one-click demo that uploads an image and shows its Grad-CAM overlay.
export function landingPage(version: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>saliency-explainer API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:15px/1.45 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
 h1{font-size:1.4rem} code,textarea,pre{font:13px ui-monospace,monospace}
 textarea{width:100%;height:4.5rem;box-sizing:border-box} pre{background:#f4f6f9;padding:.8rem;overflow:auto;max-height:24rem}
 button{font:inherit;padding:.35rem .9rem;cursor:pointer} .row{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
 figure{margin:0} figcaption{font-size:13px;color:#566}
</style></head><body>
<h1>saliency-explainer API <small>${version}</small></h1>
<p>GraphQL endpoint: <code>POST /graphql</code> (JSON). Health: <a href="/health"><code>GET /health</code></a>.
The schema is introspectable; every error carries <code>extensions.code</code>.</p>
<h2>Try it: explain an image</h2>
<p><input type="file" id="file" accept="image/*"> <button id="go">Explain (Grad-CAM, top 3)</button> <span id="status" aria-live="polite"></span></p>
<div class="row" id="result"></div>
<h2>Query console</h2>
<textarea id="q">{ health { ok database executionProvider models } models { id inputWidth inputHeight labelsCount defaultLayer isDefault } methods { name displayName costClass } }</textarea>
<p><button id="run">Run</button></p>
<pre id="out"></pre>
<script type="module">
const gql = async (query, variables) => {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return r.json();
};
document.getElementById('run').onclick = async () => {
  document.getElementById('out').textContent = JSON.stringify(await gql(document.getElementById('q').value), null, 2);
};
document.getElementById('go').onclick = async () => {
  const f = document.getElementById('file').files[0];
  const status = document.getElementById('status');
  if (!f) { status.textContent = 'choose an image first'; return; }
  status.textContent = 'computing…';
  const data = await new Promise((ok) => { const r = new FileReader(); r.onload = () => ok(r.result); r.readAsDataURL(f); });
  const res = await gql('mutation($i: String!) { explain(input: { image: $i, topK: 3 }) { model { id } predictions { label score } heatmaps { label score png(overlay: true) } } }', { i: data });
  if (res.errors) { status.textContent = res.errors[0].extensions.code + ': ' + res.errors[0].message; return; }
  status.textContent = '';
  const box = document.getElementById('result'); box.replaceChildren();
  for (const h of res.data.explain.heatmaps) {
    const fig = document.createElement('figure'); const img = new Image(); img.src = h.png; img.alt = 'Grad-CAM for ' + h.label;
    const cap = document.createElement('figcaption'); cap.textContent = h.label + ' ' + (100 * h.score).toFixed(1) + '%';
    fig.append(img, cap); box.append(fig);
  }
};
</script></body></html>`;
}
