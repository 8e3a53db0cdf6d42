// Cross-check, step 1 (node, after `npx tsc -b packages/core packages/api`): writes into OUT (default
// /tmp/faithfulness-reference) SqueezeNet's fp32 weights, the preprocessed both.png, its Grad-CAM map
// for class 243 and a CAM-smooth random map, our faithfulness objects for both maps (both substrates),
// and our noise-free ROAD imputations. Step 2 is check.py, which runs the reference code on them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  Explainer, decodeModel, findModel, parseLabels, parseManifest, preprocess, measureFaithfulness, noisyLinearImpute,
  roadKeepMask, resizeBilinear, chwShape,
} from '@saliency-explainer/core';
import { normalizeModel } from '../../../../packages/core/dist/onnx/normalize.js';
import { tensorValues } from '../../../../packages/core/dist/onnx/proto.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const out = process.argv[2] ?? '/tmp/faithfulness-reference';
mkdirSync(out, { recursive: true });
const spec = findModel(parseManifest(readFileSync(join(root, 'models/manifest.json'), 'utf8')), 'squeezenet1.0');
const bytes = readFileSync(join(root, 'models/cache', spec.file));
const save = (name, floats) => writeFileSync(join(out, name), Buffer.from(Float32Array.from(floats).buffer));

// weights, fp32, one file + an index
const index = {};
const chunks = [];
let offset = 0;
for (const t of normalizeModel(decodeModel(bytes)).graph.initializer) {
  const v = Float32Array.from(tensorValues(t));
  index[t.name] = { dims: (t.dims ?? []).map(Number), offset, length: v.length };
  chunks.push(Buffer.from(v.buffer));
  offset += v.length;
}
writeFileSync(join(out, 'weights.bin'), Buffer.concat(chunks));
writeFileSync(join(out, 'weights.json'), JSON.stringify(index));

const labels = parseLabels(readFileSync(join(root, 'models/cache', spec.labels), 'utf8'));
const engine = await Explainer.create(ort, bytes, spec, labels);
const { data, info } = await sharp(join(root, '../shared/data/images/both.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const x = preprocess({ data, width: info.width, height: info.height, channels: 3 }, spec.input);
save('input.bin', x);
const cls = 243;
let a = 1; // mulberry32, as the CLI test's random map
const uniform = (n) => Float32Array.from({ length: n }, () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
});
const maps = {
  gradcam: (await engine.explain(x, { methods: ['gradcam'], classes: [cls] })).maps[0].map,
  random: { width: 224, height: 224, values: resizeBilinear(uniform(169), 13, 13, 224, 224) },
};
const shape = chwShape(engine.inputShape);
for (const [name, map] of Object.entries(maps)) {
  save(`${name}.bin`, map.values);
  const ours = {};
  for (const substrate of ['gaussian', 'rise']) ours[substrate] = await measureFaithfulness((b, n) => engine.forwardInputs(b, n), x, engine.inputShape, map, cls, { substrate });
  writeFileSync(join(out, `ours-${name}.json`), JSON.stringify(ours));
  for (const order of ['morf', 'lerf']) for (const p of [20, 80]) {
    const keep = roadKeepMask(map, p, order);
    save(`imputed-${name}-${order}-${p}.bin`, noisyLinearImpute(x, shape, keep, { noise: 0 }));
    writeFileSync(join(out, `keep-${name}-${order}-${p}.bin`), keep);
  }
}
await engine.release();
console.log(`wrote ${out}; now: python3 check.py ${out} PATH/TO/pytorch-grad-cam (1.5.5)`);
