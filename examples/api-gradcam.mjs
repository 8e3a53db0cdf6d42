// Ask a running saliency-explainer API for the Grad-CAM heatmaps of an image and save them as PNGs.
//   node examples/api-gradcam.mjs <image> [out-dir] [api-url]
// Plain fetch, no dependencies: copy it into any project.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const [image, outDir = 'out', api = process.env.SALIENCY_API ?? 'http://127.0.0.1:4000/graphql'] = process.argv.slice(2);
if (!image) {
  console.error('usage: node examples/api-gradcam.mjs <image> [out-dir] [api-url]');
  process.exit(2);
}

const query = `mutation Explain($image: String!) {
  explain(input: { image: $image, methods: ["gradcam"], topK: 2 }) {
    id cached
    predictions { label score }
    heatmaps { method classIndex label score png(overlay: true) }
  }
}`;
const res = await fetch(api, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query, variables: { image: readFileSync(image).toString('base64') } }),
});
const { data, errors } = await res.json();
if (errors) {
  console.error(`${errors[0].extensions?.code}: ${errors[0].message}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const e = data.explain;
console.log(`explanation ${e.id}${e.cached ? ' (cached)' : ''}: ${e.predictions.map((p) => `${p.label} ${(100 * p.score).toFixed(1)}%`).join(', ')}`);
for (const h of e.heatmaps) {
  const file = join(outDir, `${basename(image, extname(image))}.api.${h.method}.${h.classIndex}.png`);
  writeFileSync(file, Buffer.from(h.png.slice(h.png.indexOf(',') + 1), 'base64'));
  console.log(`  ${file}`);
}
