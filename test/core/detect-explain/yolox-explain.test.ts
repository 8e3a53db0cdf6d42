// Detector explanations on the real YOLOX-Nano: the compiled forward finds what the plain detector
// finds; EigenCAM equals an independent first principal component (power iteration on the float64
// covariance of the mean-centred activations, either sign); the box-score gradient passes central
// differences at the layer's activations and at input pixels; gradient CAMs land on their box.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { Detector } from '../../../packages/core/src/detect/detector.js';
import { DetectorExplainer } from '../../../packages/core/src/detect-explain/explainer.js';
import { boxTargetValue, outputLayout } from '../../../packages/core/src/detect-explain/target.js';
import type { DetectorRun } from '../../../packages/core/src/detect-explain/types.js';
import { buildHeadModels, buildInputGradientModel, GRADIENTS, SEEDS } from '../../../packages/core/src/autodiff/compile.js';
import { postprocess } from '../../../packages/core/src/cam/pipeline.js';
import { encodeModel } from '../../../packages/core/src/onnx/proto.js';
import { findDetector, parseManifest } from '../../../packages/core/src/model/manifest.js';
import { parseLabels } from '../../../packages/core/src/model/labels.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';
import type { Box } from '../../../packages/core/src/detect/types.js';
import { ort, rng } from '../../helpers/ort.js';

const root = resolve(__dirname, '../../..');
const images = resolve(root, '../shared/data/images');
const cache = resolve(root, 'models/cache');
const ready = existsSync(images) && existsSync(resolve(cache, 'yolox-nano/model.onnx'));

async function photo(name: string): Promise<RgbImage> {
  const { data, info } = await sharp(resolve(images, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Mean of a map inside and outside a box (image pixels). */
function insideOutside(map: { width: number; height: number; values: Float32Array }, box: Box): [number, number] {
  let si = 0, ni = 0, so = 0, no = 0;
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      const v = map.values[y * map.width + x];
      if (x + 0.5 >= box[0] && x + 0.5 <= box[2] && y + 0.5 >= box[1] && y + 0.5 <= box[3]) { si += v; ni++; } else { so += v; no++; }
    }
  }
  return [si / ni, so / no];
}

/** First principal component projection of [C, P] activations, by power iteration on the C×C covariance (float64). */
function pcaProjection(a: Float32Array, C: number, P: number): { projection: Float64Array; residual: number; iterations: number } {
  const X = new Float64Array(C * P);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let p = 0; p < P; p++) m += a[c * P + p];
    m /= P;
    for (let p = 0; p < P; p++) X[c * P + p] = a[c * P + p] - m;
  }
  const S = new Float64Array(C * C);
  for (let i = 0; i < C; i++) {
    for (let j = i; j < C; j++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += X[i * P + p] * X[j * P + p];
      S[i * C + j] = S[j * C + i] = s;
    }
  }
  let v = new Float64Array(C).fill(1 / Math.sqrt(C));
  let lambda = 0;
  let iterations = 0;
  for (; iterations < 20000; iterations++) {
    const w = new Float64Array(C);
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) w[i] += S[i * C + j] * v[j];
    lambda = Math.hypot(...w);
    let change = 0;
    for (let i = 0; i < C; i++) {
      w[i] /= lambda;
      change = Math.max(change, Math.abs(w[i] - v[i]));
    }
    v = w;
    if (change < 1e-14) break;
  }
  // ‖S v − λ v‖ / λ: how exact the eigenvector is
  let residual = 0;
  for (let i = 0; i < C; i++) {
    let s = 0;
    for (let j = 0; j < C; j++) s += S[i * C + j] * v[j];
    residual = Math.max(residual, Math.abs(s - lambda * v[i]) / lambda);
  }
  const projection = new Float64Array(P);
  for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) projection[p] += X[c * P + p] * v[c];
  return { projection, residual, iterations };
}

describe.skipIf(!ready)('YOLOX-Nano explanations', () => {
  let ex: DetectorExplainer;
  let detector: Detector;
  const runs = new Map<string, DetectorRun>();
  const run = async (name: string) => {
    if (!runs.has(name)) runs.set(name, await ex.run(await photo(name)));
    return runs.get(name)!;
  };
  beforeAll(async () => {
    const spec = findDetector(parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8')), 'yolox-nano');
    const labels = parseLabels(readFileSync(resolve(cache, spec.labels as string), 'utf8'));
    const bytes = readFileSync(resolve(cache, spec.file));
    ex = await DetectorExplainer.create(ort, bytes, spec, labels);
    detector = await Detector.create(ort, bytes, spec, labels);
  });
  afterAll(async () => {
    await ex?.release();
    await detector?.release();
  });

  it('levels: strides 8, 16, 32 with the head stems as default layers (64 channels each)', () => {
    expect(ex.levels.map((l) => [l.stride, l.height, l.width])).toEqual([[8, 52, 52], [16, 26, 26], [32, 13, 13]]);
    expect(ex.defaultLayers).toEqual(['1028', '1070', '1112']);
    for (const l of ex.defaultLayers) expect(ex.analysis.shapeOf(l)).toEqual([1, 64, ...ex.analysis.shapeOf(l).slice(2)]);
    const candidates = ex.candidateLayers();
    // the neck outputs (PAFPN) are candidates too
    for (const t of ['956', '990', '1024', ...ex.defaultLayers]) expect(candidates).toContain(t);
  });

  it('both.png: the dog and the cat, the same boxes as the plain detector', async () => {
    const r = await run('both.png');
    const plain = await detector.detect(await photo('both.png'));
    expect(r.detections.map(({ classIndex, label, score, box }) => ({ classIndex, label, score, box }))).toEqual(plain);
    const dog = r.detections.filter((d) => d.label === 'dog');
    const cat = r.detections.filter((d) => d.label === 'cat');
    expect(dog).toHaveLength(1);
    expect(cat).toHaveLength(1);
    // YOLOX's own pipeline scores 0.897 and 0.724 here (model.json's note says cat 0.81, dog 0.77)
    expect(dog[0].score).toBeCloseTo(0.897, 2);
    expect(cat[0].score).toBeCloseTo(0.724, 2);
    // each box's score is objectness × class probability of the row it came from
    const L = outputLayout(3549, 85, 416, 416, [8, 16, 32]);
    for (const d of r.detections) expect(boxTargetValue(r.output, L, { anchor: d.anchor, classIndex: d.classIndex })).toBeCloseTo(d.score, 6);
  });

  it('horses.jpg: two horses; coffee.png: a cup', async () => {
    expect((await run('horses.jpg')).detections.filter((d) => d.label === 'horse')).toHaveLength(2);
    expect((await run('coffee.png')).detections.some((d) => d.label === 'cup')).toBe(true);
  });

  it('EigenCAM on each level layer = the first principal component of the mean-centred activations (either sign)', async () => {
    const r = await run('both.png');
    const e = await ex.eigenCam(r);
    expect(e.layers).toEqual(ex.defaultLayers);
    for (const [k, layer] of e.layers.entries()) {
      const a = r.tensors[layer];
      const [, C, h, w] = a.dims;
      const ref = pcaProjection(a.data, C, h * w);
      expect(ref.residual).toBeLessThan(1e-10);
      const cam = e.cams[k];
      expect([cam.height, cam.width]).toEqual([h, w]);
      let scale = 0, plus = 0, minus = 0;
      for (let p = 0; p < h * w; p++) {
        scale = Math.max(scale, Math.abs(ref.projection[p]));
        plus = Math.max(plus, Math.abs(cam.values[p] - ref.projection[p]));
        minus = Math.max(minus, Math.abs(cam.values[p] + ref.projection[p]));
      }
      // float32 output of a float64 computation: 1e-5 of the largest value
      expect(Math.min(plus, minus) / scale).toBeLessThan(1e-5);
    }
    // one layer: the map is the classifier pipeline's (relu, scale, INTER_LINEAR to 416, scale)
    const one = await ex.eigenCam(r, ['1070']);
    const ref = postprocess(one.cams[0].values, 26, 26, 416, 416).map.values;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - one.inputMap.values[i]));
    expect(worst).toBeLessThan(1e-6);
    // back on the photo at its own size
    expect([e.map.width, e.map.height]).toEqual([224, 224]);
  });

  it('the box-score gradient at the layer matches central differences (dog and cat, plain and with IoU)', async () => {
    const r = await run('both.png');
    const L = outputLayout(3549, 85, 416, 416, [8, 16, 32]);
    const random = rng(7);
    for (const d of r.detections.slice(0, 2)) {
      const layer = ex.layerForBox(d);
      const head = buildHeadModels(ex.analysis, layer);
      const fwd = await ort.InferenceSession.create(encodeModel(head.forward));
      const A = r.tensors[layer];
      const n = A.data.length;
      // plain score, and score + IoU against the box moved 6 px right and 4 px down (away from IoU's ties)
      const moved: Box = [d.box[0] + 6, d.box[1] + 4, d.box[2] + 6, d.box[3] + 4];
      for (const iouBox of [undefined, moved]) {
        const target = ex.boxTarget(r, d, iouBox);
        if (iouBox) expect(target.value).toBeGreaterThan(d.score + 0.5);
        const g = await ex.boxGradients(r, layer, [d], iouBox);
        // the 10 largest gradient entries and 10 random ones
        const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => Math.abs(g[j]) - Math.abs(g[i]));
        const pos = [...order.slice(0, 10), ...Array.from({ length: 10 }, () => Math.floor(random() * n))];
        const h = 1e-2;
        const batch = new Float32Array(2 * pos.length * n);
        pos.forEach((p, j) => {
          batch.set(A.data, 2 * j * n);
          batch.set(A.data, (2 * j + 1) * n);
          batch[2 * j * n + p] += h;
          batch[(2 * j + 1) * n + p] -= h;
        });
        const feeds: Record<string, ort.Tensor> = { [layer]: new ort.Tensor('float32', batch, [2 * pos.length, ...A.dims.slice(1)]) };
        for (const t of head.sideInputs) feeds[t] = new ort.Tensor('float32', r.tensors[t].data, r.tensors[t].dims);
        const out = (await fwd.run(feeds))[fwd.outputNames[0]].data as Float32Array;
        const rowLen = 3549 * 85;
        let gmax = 0;
        for (const v of g) gmax = Math.max(gmax, Math.abs(v));
        pos.forEach((p, j) => {
          const up = boxTargetValue(out.subarray(2 * j * rowLen, (2 * j + 1) * rowLen), L, target.target);
          const down = boxTargetValue(out.subarray((2 * j + 1) * rowLen, (2 * j + 2) * rowLen), L, target.target);
          const fd = (up - down) / (2 * h);
          // relative 2 % of the entry, absolute 1e-3 of the largest entry (float32 forward, h = 0.01)
          if (process.env.DEBUG_FD && j < 10) console.log(`${layer} iou=${!!iouBox} top ${j}: gradient ${g[p].toExponential(3)}, relative error ${(Math.abs(fd - g[p]) / Math.abs(g[p])).toExponential(2)}`);
          expect(Math.abs(fd - g[p]), `${layer} iou=${!!iouBox} position ${p}: fd ${fd}, gradient ${g[p]}`).toBeLessThanOrEqual(0.02 * Math.abs(g[p]) + 1e-3 * gmax);
        });
      }
      await fwd.release();
    }
  });

  it('the box-score gradient at input pixels (through the Focus slices) matches central differences', async () => {
    const r = await run('both.png');
    const d = r.detections[0];
    const L = outputLayout(3549, 85, 416, 416, [8, 16, 32]);
    const target = ex.boxTarget(r, d);
    const gs = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(ex.analysis)));
    const x = r.letterbox.tensor;
    const go = await gs.run({ images: new ort.Tensor('float32', x, [1, 3, 416, 416]), [SEEDS]: new ort.Tensor('float32', target.seed, [1, target.seed.length]) });
    await gs.release();
    const g = go[GRADIENTS].data as Float32Array;
    let gmax = 0;
    for (const v of g) gmax = Math.max(gmax, Math.abs(v));
    // the pixels with the largest gradient inside the dog's box, plus random ones inside it
    const n = x.length;
    const inBox = (i: number) => {
      const px = i % 416, py = Math.floor(i / 416) % 416;
      return px >= d.box[0] * r.letterbox.ratio && px < d.box[2] * r.letterbox.ratio && py >= d.box[1] * r.letterbox.ratio && py < d.box[3] * r.letterbox.ratio;
    };
    const order = Array.from({ length: n }, (_, i) => i).filter(inBox).sort((i, j) => Math.abs(g[j]) - Math.abs(g[i]));
    const model = await ort.InferenceSession.create(readFileSync(resolve(cache, 'yolox-nano/model.onnx')));
    const score = async (xp: Float32Array) => boxTargetValue((await model.run({ images: new ort.Tensor('float32', xp, [1, 3, 416, 416]) })).output.data as Float32Array, L, target.target);
    // float32 scores near 0.9 carry ~6e-8 of rounding each: a difference quotient is good to ~4·6e-8 / (2h)
    const h = 2; // two 8-bit levels
    const noise = (4 * 6e-8) / (2 * h);
    // the 6 pixels with the largest gradient in the dog's box, one at a time
    for (const p of order.slice(0, 6)) {
      const up = Float32Array.from(x);
      const down = Float32Array.from(x);
      up[p] += h;
      down[p] -= h;
      const fd = (await score(up) - await score(down)) / (2 * h);
      if (process.env.DEBUG_FD) console.log(`pixel ${p}: gradient ${g[p].toExponential(3)}, relative error ${(Math.abs(fd - g[p]) / Math.abs(g[p])).toExponential(2)}`);
      expect(Math.abs(fd - g[p]), `pixel ${p}: fd ${fd}, gradient ${g[p]} (largest ${gmax})`).toBeLessThanOrEqual(0.03 * Math.abs(g[p]) + noise);
    }
    // and along two random ±0.02 directions over every pixel of the box (a small step: ~40k pixels move at once): <g, v> against the difference quotient
    const random = rng(3);
    for (let k = 0; k < 2; k++) {
      const up = Float32Array.from(x);
      const down = Float32Array.from(x);
      let dot = 0, mag = 0;
      for (const p of order) {
        const v = random() < 0.5 ? -1 : 1;
        up[p] += 0.02 * v;
        down[p] -= 0.02 * v;
        dot += g[p] * v;
        mag += Math.abs(g[p]);
      }
      const fd = (await score(up) - await score(down)) / 0.04;
      if (process.env.DEBUG_FD) console.log(`direction ${k}: <g, v> ${dot.toExponential(3)}, relative error ${(Math.abs(fd - dot) / Math.abs(dot)).toExponential(2)}`);
      expect(Math.abs(fd - dot), `direction ${k}: fd ${fd}, <g, v> ${dot} (Σ|g| ${mag})`).toBeLessThanOrEqual(0.03 * Math.abs(dot) + 0.01 * mag / Math.sqrt(order.length) + (4 * 6e-8) / 0.04);
    }
    await model.release();
  });

  it('gradient CAMs of each box land on the box (gradcam, gradcam++, hirescam, layercam)', async () => {
    const r = await run('both.png');
    for (const method of ['gradcam', 'gradcam++', 'hirescam', 'layercam']) {
      const maps = await ex.explainBoxes(r, r.detections.slice(0, 2), { method });
      for (const m of maps) {
        expect(m.layers).toEqual([ex.layerForBox(m.box!)]);
        expect([m.map.width, m.map.height]).toEqual([224, 224]);
        const [inside, outside] = insideOutside(m.map, m.box!.box);
        if (process.env.DEBUG_MAPS) console.log(method, m.box!.label, inside.toFixed(3), outside.toFixed(3));
        expect(inside, `${method} ${m.box!.label}`).toBeGreaterThan(1.4 * outside);
      }
    }
  });

  it('the spec can name the layers (here the neck outputs): EigenCAM and box maps use them', async () => {
    const spec = { ...ex.spec, layers: ['956', '990', '1024'] };
    const bytes = readFileSync(resolve(cache, spec.file));
    const neck = await DetectorExplainer.create(ort, bytes, spec, ex.labels);
    try {
      expect(neck.defaultLayers).toEqual(['956', '990', '1024']);
      const r = await neck.run(await photo('both.png'));
      const dog = r.detections.find((d) => d.label === 'dog')!;
      expect(neck.layerForBox(dog)).toBe(neck.defaultLayers[ex.defaultLayers.indexOf(ex.layerForBox(dog))]);
      const [m] = await neck.explainBoxes(r, [dog]);
      const [inside, outside] = insideOutside(m.map, dog.box);
      expect(inside).toBeGreaterThan(1.4 * outside);
      expect((await neck.eigenCam(r)).cams.map((c) => c.width)).toEqual([52, 26, 13]);
    } finally {
      await neck.release();
    }
    await expect(DetectorExplainer.create(ort, bytes, { ...spec, layers: ['956', '990', 'nope'] }, ex.labels)).rejects.toThrow(/nope/);
    await expect(DetectorExplainer.create(ort, bytes, { ...spec, layers: ['956'] }, ex.labels)).rejects.toThrow(/one tensor per stride/);
  });

  it('refuses perturbation methods and unknown layers', async () => {
    const r = await run('both.png');
    await expect(ex.explainBoxes(r, r.detections.slice(0, 1), { method: 'scorecam' })).rejects.toThrow(/not offered/);
    await expect(ex.explainBoxes(r, r.detections.slice(0, 1), { layers: ['nope'] })).rejects.toThrow(/nope/);
    await expect(ex.explainBoxes(r, r.detections.slice(0, 1), { layers: ['990'] })).rejects.toThrow(/did not keep/);
  });
});
