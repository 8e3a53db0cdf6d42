// The docs' figure of selective erasing and inpainting, from real `augment` runs (after npm run build):
//   node examples/augment-figure.mjs [out.png] [OSIE image numbers…]
// Runs the CLI twice on the OSIE images (erase, then Telea inpainting: YOLOX-Nano EigenCAM against the
// people's fixations, MAE > 0.1, top 2.5 %) and lays out, per image: the photo, the EigenCAM map, the
// people's density, the erased and the inpainted image.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { DetectorExplainer, findDetector, parseLabels, parseManifest, overlay, densityMap, parseOsie } from '@saliency-explainer/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { decodeImage } = await import(resolve(root, 'packages/api/dist/images/decode.js'));
const [outArg, ...picked] = process.argv.slice(2);
const outFile = outArg ?? resolve(root, 'docs/images/augment-osie.png');
const names = picked.length ? picked : ['1001', '1141', '1456'];
const stimuli = resolve(root, '../shared/data/osie/stimuli');
const bin = resolve(root, 'packages/api/bin/saliency-explainer.js');
const runs = {};
for (const mode of ['erase', 'inpaint']) {
  runs[mode] = mkdtempSync(join(tmpdir(), `augment-${mode}-`));
  execFileSync(process.execPath, [bin, 'augment', '--model', 'yolox-nano', '--mode', mode, '-o', runs[mode], ...names.map((n) => join(stimuli, `${n}.jpg`))], { cwd: root, stdio: 'inherit' });
}
const spec = findDetector(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'yolox-nano');
const ex = await DetectorExplainer.create(ort, readFileSync(resolve(root, 'models/cache', spec.file)), spec, parseLabels(readFileSync(resolve(root, 'models/cache', spec.labels), 'utf8')));
const fix = parseOsie(JSON.parse(readFileSync(resolve(root, '../shared/data/osie/fixations.json'), 'utf8')));
const man = JSON.parse(readFileSync(join(runs.erase, 'manifest.json'), 'utf8'));
const W = 256, H = 192, pad = 6, label = 22, rowLabel = 18;
const cols = ['original', 'YOLOX-nano EigenCAM', 'people (OSIE, 15 observers)', 'erased: top 2.5 %, black', 'inpainted: OpenCV Telea'];
const png = (img) => sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer();
const width = cols.length * (W + pad) + pad;
const height = label + names.length * (H + rowLabel + pad) + pad;
const comps = [];
const text = (t, w, h, size) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif" font-size="${size}"><text x="2" y="${size}" fill="#222">${t}</text></svg>`);
cols.forEach((c, j) => comps.push({ input: text(c, W, label, 14), top: 2, left: pad + j * (W + pad) }));
for (let i = 0; i < names.length; i++) {
  const n = names[i];
  const e = man.images.find((x) => x.input.endsWith(`/${n}.jpg`));
  const image = (await decodeImage(readFileSync(join(stimuli, `${n}.jpg`)), 1e8)).image;
  const map = (await ex.eigenCam(await ex.run(image))).map;
  const im = fix.find((f) => f.file === `${n}.jpg`);
  const d = densityMap(im.observers.flat(), 800, 600, { sigma: 24, outOfBounds: 'drop' });
  let mx = 0; for (const v of d.values) mx = Math.max(mx, v);
  const dn = { width: 800, height: 600, values: Float32Array.from(d.values, (v) => v / mx) };
  const cells = [await png(image), await png(overlay(image, map)), await png(overlay(image, dn)),
    readFileSync(join(runs.erase, `${n}.erase.png`)), readFileSync(join(runs.inpaint, `${n}.inpaint.png`))];
  const top = label + i * (H + rowLabel + pad);
  comps.push({ input: text(`OSIE ${n}.jpg — MAE(EigenCAM, people) ${e.mae.toFixed(3)} &gt; 0.1: augmented; ${e.erasedPixels} px`, width - 2 * pad, rowLabel, 12), top, left: pad });
  for (let j = 0; j < cells.length; j++) comps.push({ input: await sharp(cells[j]).resize(W, H).toBuffer(), top: top + rowLabel, left: pad + j * (W + pad) });
}
await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(comps).png({ palette: true, quality: 95, effort: 10 }).toFile(outFile);
await ex.release();
console.log(outFile, width, height);
