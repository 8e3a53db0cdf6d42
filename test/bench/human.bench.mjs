// npm run bench (third part): the cost of human attention next to the cost of an explanation, side
// by side in one run, on OSIE photos (800×600, 15 observers each) and SqueezeNet 1.0:
//   engine                 Grad-CAM top-1 on the photo (decode + resize + explain): the reference cost
//   humanMap               15 observers' fixations → scoring frame 400×300, density and fixation map
//   humanAgreement         split-half (10 splits) + leave-one-out, CC, NSS, AUC-Judd, SIM
//   alignToHuman           one heatmap against the human map, the 8 default metrics (AUC-Borji: 100 splits)
//   alignToPredicted       spectral residual of the model's view + the 5 density metrics
//   API alignment          Heatmap.alignment over HTTP (eye tracking imported; pooled map cached)
//   API submitAnnotation   startAnnotation + submitAnnotation of 8 clicks, 1 client and 8 clients
// Medians in ms, and each row's ratio to the engine row.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  alignToHuman, alignToPredicted, Explainer, findModel, humanAgreement, humanMap, parseLabels, parseManifest, parseOsie,
  postprocess, predictedDensity, resizeForModel, toTensor,
} from '@saliency-explainer/core';
import { benchServer } from './server.mjs';
import { decodeImage } from '../../packages/api/dist/images/decode.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const osieDir = join(root, '..', 'shared', 'data', 'osie');
const IMAGES = Number(process.env.BENCH_HUMAN_IMAGES ?? 20);
const MODEL = 'squeezenet1.0';

const osie = parseOsie(JSON.parse(readFileSync(join(osieDir, 'fixations.json'), 'utf8'))).slice(0, IMAGES);
const photos = osie.map((o) => readFileSync(join(osieDir, 'stimuli', o.file)));
const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
async function timed(items, fn) {
  await fn(items[0], 0); // warm-up
  const t = [];
  for (let i = 0; i < items.length; i++) {
    const s = performance.now();
    await fn(items[i], i);
    t.push(performance.now() - s);
  }
  return median(t);
}

const manifest = parseManifest(readFileSync(join(root, 'models', 'manifest.json'), 'utf8'));
const spec = findModel(manifest, MODEL);
const labels = Array.isArray(spec.labels) ? spec.labels : parseLabels(readFileSync(join(root, 'models', 'cache', spec.labels), 'utf8'));
const engine = await Explainer.create(ort, readFileSync(join(root, 'models', 'cache', spec.file)), spec, labels);

const views = [];
const maps = [];
const rows = [];
const engineMs = await timed(photos, async (png, i) => {
  const view = resizeForModel((await decodeImage(png, 1e8)).image, spec.input);
  const r = await engine.explain(toTensor(view, spec.input), { methods: ['gradcam'] });
  views[i] = view;
  const m = r.maps[0];
  maps[i] = postprocess(m.raw.values ?? m.raw, m.raw.height ?? m.height, m.raw.width ?? m.width, spec.input.height, spec.input.width).map;
});
await engine.release();
rows.push({ case: 'engine: decode + resize + Grad-CAM top-1', ms: engineMs });
const humans = osie.map((o) => humanMap(o.observers, o.width, o.height));
rows.push({ case: 'humanMap (15 observers → 400×300)', ms: await timed(osie, (o) => humanMap(o.observers, o.width, o.height)) });
rows.push({ case: 'humanAgreement (split-half ×10 + leave-one-out)', ms: await timed(humans, (h) => humanAgreement(h)) });
rows.push({ case: 'alignToHuman (8 metrics)', ms: await timed(humans, (h, i) => alignToHuman(maps[i], spec.input, h)) });
rows.push({ case: 'alignToPredicted (spectral residual + 5 metrics)', ms: await timed(views, (v, i) => alignToPredicted(maps[i], predictedDensity(v))) });

// the API: eye tracking imported through the storage, then Heatmap.alignment and annotation submissions over HTTP
// the bench's 200 annotators come from one address: no limit on new annotators
const { server, gql, close } = await benchServer(MODEL, { SALIENCY_ANNOTATION_RATE: '0', SALIENCY_ANNOTATION_NEW_ANNOTATORS: '0' });
try {
  const ids = [];
  const explanations = [];
  for (const [i, png] of photos.entries()) {
    const id = (await gql('mutation($d: String!) { uploadImage(data: $d) { id } }', { d: png.toString('base64') })).uploadImage.id;
    ids.push(id);
    await server.services.storage.addAnnotations(osie[i].observers.filter((o) => o.length).map((points, k) => ({
      imageId: id, source: 'EYE_TRACKING', annotator: `osie:${k}`, task: 'FREE_VIEWING', classIndex: null, model: null, prompt: null, nonce: null,
      points: points.map((p) => ({ x: p.x, y: p.y })), durationMs: null,
    })));
    explanations.push((await gql('mutation($id: ID!) { explain(input: { imageId: $id }) { id } }', { id })).explain.id);
  }
  const ALIGN = 'query($id: ID!) { explanation(id: $id) { heatmaps { alignment { reference scores { metric value } } } } }';
  rows.push({ case: 'API Heatmap.alignment, first (pools the human map)', ms: await timed(explanations.slice(1), (id) => gql(ALIGN, { id })) });
  rows.push({ case: 'API Heatmap.alignment, again (map cached)', ms: await timed(explanations.slice(1), (id) => gql(ALIGN, { id })) });
  const START = 'mutation($id: ID!) { startAnnotation(input: { imageId: $id }) { ticket } }';
  const SUBMIT = 'mutation($t: String!, $c: [ClickInput!]!) { submitAnnotation(input: { ticket: $t, clicks: $c }) { id } }';
  // at a person's pace (the server refuses faster clicks); the last at 1.25 s, within the 2 s of grace
  const clicks = (o) => o.observers[0].slice(0, 8).map((p, j) => ({ x: p.x + 0.5, y: p.y + 0.5, t: 200 + 150 * j }));
  const annotate = async (i) => {
    const { ticket } = (await gql(START, { id: ids[i % ids.length] })).startAnnotation;
    await gql(SUBMIT, { t: ticket, c: clicks(osie[i % osie.length]) });
  };
  const one = Array.from({ length: 40 }, (_, i) => i);
  rows.push({ case: 'API start + submitAnnotation, 1 client', ms: await timed(one, (i) => annotate(i)) });
  const N = 160;
  const queue = Array.from({ length: N }, (_, i) => i);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => { for (let i = queue.shift(); i !== undefined; i = queue.shift()) await annotate(i); }));
  const rate = N / ((performance.now() - t0) / 1000);
  rows.push({ case: `API start + submitAnnotation, 8 clients: ${rate.toFixed(0)} annotations/s`, ms: (1000 / rate) });
} finally {
  await close();
}
console.log(`\nHuman attention next to an explanation: ${MODEL}, ${IMAGES} OSIE photos (800×600, 15 observers), medians`);
console.table(rows.map((r) => ({ case: r.case, ms: r.ms.toFixed(2), '× engine': (r.ms / engineMs).toFixed(2) })));
