// Bench (augment): what `saliency-explainer augment --model yolox-nano` spends per 800×600 OSIE image,
// piece by piece, in one run:
//   detector run + EigenCAM   the model's map on the image's pixels (DetectorExplainer.run + eigenCam)
//   human reference           all observers' fixations → Gaussian density (sigma 24 px)
//   predicted reference       spectral residual (the fallback when an image has no eye tracking)
//   MAE + IoU gate            core's mae and top-10 % IoU against the reference
//   top 2.5 % mask            numpy's percentile (one sort of 480 000 values) + the strict threshold
//   erase                     masked pixels to black
//   Telea inpaint             OpenCV.js cv.inpaint(INPAINT_TELEA, radius 3) + paste through the mask
//   PNG encode                the augmented image (sharp)
//   detector again            the accuracy table's second run on the augmented image
// Median and p90 milliseconds over REPS passes on three OSIE images in turn, after a warm-up.
// Run after a build: node test/bench/augment.bench.mjs (BENCH_REPS, default 10).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  DetectorExplainer, densityMap, eraseImage, findDetector, iou, mae, parseLabels, parseManifest, parseOsie, spectralResidual, topPercentMask,
} from '@saliency-explainer/core';
import { decodeImage } from '../../packages/api/dist/images/decode.js';
import { teleaInpainter } from '../../packages/api/dist/cli/augment-inpaint.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPS = Number(process.env.BENCH_REPS ?? 10);
const osie = join(root, '..', 'shared', 'data', 'osie');
const spec = findDetector(parseManifest(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')), 'yolox-nano');
const ex = await DetectorExplainer.create(ort, readFileSync(join(root, 'models', 'cache', spec.file)), spec,
  parseLabels(readFileSync(join(root, 'models', 'cache', spec.labels), 'utf8')));
const fixations = parseOsie(JSON.parse(readFileSync(join(osie, 'fixations.json'), 'utf8')));
const names = ['1001.jpg', '1141.jpg', '1456.jpg'];
const images = [];
for (const n of names) images.push((await decodeImage(readFileSync(join(osie, 'stimuli', n)), 1e8)).image);
const points = names.map((n) => fixations.find((f) => f.file === n).observers.flat());
const maps = [];
for (const im of images) maps.push((await ex.eigenCam(await ex.run(im))).map);
const refs = points.map((p) => densityMap(p, 800, 600, { sigma: 24, outOfBounds: 'drop' }));
const masks = maps.map((m) => topPercentMask(m, 2.5).mask);
const erased = images.map((im, i) => eraseImage(im, masks[i], 'black'));
const telea = teleaInpainter(3);
await telea.inpaint(images[0], masks[0]); // loads OpenCV.js once (≈1.5 s), outside the timings

const png = (img) => sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer();
const cases = [
  ['detector run + EigenCAM', async (i) => ex.eigenCam(await ex.run(images[i]))],
  ['human reference', (i) => densityMap(points[i], 800, 600, { sigma: 24, outOfBounds: 'drop' })],
  ['predicted reference', (i) => spectralResidual(images[i])],
  ['MAE + IoU gate', (i) => [mae(maps[i], refs[i]), iou(maps[i], refs[i], 10)]],
  ['top 2.5 % mask', (i) => topPercentMask(maps[i], 2.5)],
  ['erase', (i) => eraseImage(images[i], masks[i], 'black')],
  ['Telea inpaint', (i) => telea.inpaint(images[i], masks[i])],
  ['PNG encode', (i) => png(erased[i])],
  ['detector again', (i) => ex.run(erased[i])],
];

const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(`augment pieces per 800×600 OSIE image, ${REPS} passes over ${names.join(', ')} (ms)`);
console.log('| piece | median | p90 |\n|---|---|---|');
for (const [name, fn] of cases) {
  await fn(0); // warm-up
  const t = [];
  for (let r = 0; r < REPS; r++) {
    const i = r % images.length;
    const t0 = performance.now();
    await fn(i);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(`| ${name} | ${q(t, 0.5).toFixed(1)} | ${q(t, 0.9).toFixed(1)} |`);
}
await ex.release();
