// captionFacts on a tiny linear "model" (a plain ScoreFn): one call with the crop, the deletion and
// the control in one batch; every number recomputed here from the batch, the map and the model.
import { describe, it, expect } from 'vitest';
import { captionFacts, captionMap } from '../../../packages/core/src/caption/caption.js';
import { CaptionError, type CaptionFact } from '../../../packages/core/src/caption/facts.js';
import { humanAgreement, humanMap } from '../../../packages/core/src/annotation/human-map.js';
import { alignToHuman } from '../../../packages/core/src/metrics/align.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';
import { preprocess } from '../../../packages/core/src/image/preprocess.js';
import { blur11, topIndices } from './reference.js';
import { labels, S, spec, tinyLinear } from './tiny-linear.js';

const { image, input, logitsOf } = tinyLinear(11);
const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const probabilities = Float32Array.from(softmax(logitsOf(input)));

/** A map with a bright blob at (cx, cy) on the S×S grid. */
const blob = (cx: number, cy: number): FloatMap => ({
  width: S, height: S, values: Float32Array.from({ length: S * S }, (_, i) => Math.exp(-(((i % S) - cx) ** 2 + (Math.floor(i / S) - cy) ** 2) / 8)),
});

function recording() {
  const calls: { batch: Float32Array; n: number }[] = [];
  const score = async (batch: Float32Array, n: number) => {
    calls.push({ batch: Float32Array.from(batch), n });
    const out = new Float32Array(n * 3);
    for (let j = 0; j < n; j++) out.set(logitsOf(batch, j * 3 * S * S), j * 3);
    return out;
  };
  return { calls, score };
}

const pick = <K extends CaptionFact['kind']>(facts: CaptionFact[], kind: K) => facts.filter((f): f is Extract<CaptionFact, { kind: K }> => f.kind === kind);
const subject = { image, spec, input, probabilities, labels };

describe('captionFacts on a tiny linear model', () => {
  it('runs the crop, the deletion and the control in one batch, and reports their probabilities', async () => {
    const { calls, score } = recording();
    const map = blob(4, 5);
    const facts = await captionFacts(score, subject, { classIndex: 1, map });
    expect(calls.map((c) => c.n)).toEqual([3]);
    const size = 3 * S * S;
    const rows = [0, 1, 2].map((j) => calls[0].batch.subarray(j * size, (j + 1) * size));

    const [p] = pick(facts, 'prediction');
    expect(p.probability).toBeCloseTo(probabilities[1], 7);
    expect(p.rank).toBe(1 + [0, 2].filter((j) => probabilities[j] > probabilities[1]).length);

    // image = model grid: the strong part is the pixels ≥ half the max, the crop its box padded by a tenth
    const [w] = pick(facts, 'where');
    const max = Math.max(...map.values);
    const strong = [...map.values.keys()].filter((i) => map.values[i] >= max / 2);
    const xs = strong.map((i) => i % S), ys = strong.map((i) => Math.floor(i / S));
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs) + 1, Math.max(...ys) + 1];
    expect(w.box).toEqual(box);
    expect(w.area).toBeCloseTo(strong.length / (S * S), 12);
    const [crop] = pick(facts, 'crop');
    const pw = 0.1 * (box[2] - box[0]), ph = 0.1 * (box[3] - box[1]);
    const cb = [Math.max(0, Math.floor(box[0] - pw)), Math.max(0, Math.floor(box[1] - ph)), Math.min(S, Math.ceil(box[2] + pw)), Math.min(S, Math.ceil(box[3] + ph))];
    expect(crop.box).toEqual(cb);
    const cw = cb[2] - cb[0], ch = cb[3] - cb[1];
    const cropped = { width: cw, height: ch, channels: 3 as const, data: new Uint8Array(cw * ch * 3) };
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) for (let c = 0; c < 3; c++) cropped.data[(y * cw + x) * 3 + c] = image.data[((cb[1] + y) * S + cb[0] + x) * 3 + c];
    expect(Array.from(rows[0])).toEqual(Array.from(preprocess(cropped, spec)));
    const pc = softmax(logitsOf(rows[0]));
    expect(crop.probability).toBeCloseTo(pc[1], 6);
    expect(crop.survives).toBe(pc[1] >= Math.max(...pc));

    // deletion: the 51 (= round(0.2·256)) most salient pixels take the blurred input's values
    const top = topIndices(map.values, 51);
    const blurred = blur11(input, 3, S, S);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < S * S; i++) {
        const j = c * S * S + i;
        if (top.has(i)) expect(rows[1][j]).toBeCloseTo(blurred[j], 5);
        else expect(rows[1][j]).toBe(input[j]);
      }
    }
    const [del] = pick(facts, 'deletion');
    expect([del.before, del.fraction]).toEqual([probabilities[1], 0.2]);
    expect(del.after).toBeCloseTo(softmax(logitsOf(rows[1]))[1], 6);

    // control: 51 pixels inside its square region take the blurred values, nothing else changes
    const [ctl] = pick(facts, 'control');
    let changed = 0, shared = 0;
    for (let i = 0; i < S * S; i++) {
      const x = i % S, y = Math.floor(i / S);
      const inRegion = x >= ctl.region[0] && x < ctl.region[2] && y >= ctl.region[1] && y < ctl.region[3];
      if (rows[2][i] !== input[i]) {
        changed++;
        expect(inRegion).toBe(true);
        expect(rows[2][i]).toBeCloseTo(blurred[i], 5);
        if (top.has(i)) shared++;
      }
    }
    expect(changed).toBe(51);
    expect(ctl.overlap).toBeCloseTo(shared / 51, 12);
    expect(ctl.after).toBeCloseTo(softmax(logitsOf(rows[2]))[1], 6);
  });

  it('contrasts another class by the IoU of the two top-20 % regions', async () => {
    const a = blob(4, 4), b = blob(9, 5);
    const facts = await captionFacts(recording().score, subject, { classIndex: 0, map: a }, [{ classIndex: 0, map: a }, { classIndex: 2, map: b }]);
    const [k, ...more] = pick(facts, 'contrast');
    expect(more).toHaveLength(0); // the map's own class is not contrasted with itself
    const ta = topIndices(a.values, 51), tb = topIndices(b.values, 51);
    const inter = [...ta].filter((i) => tb.has(i)).length;
    expect([k.classIndex, k.label]).toEqual([2, 'c']);
    expect(k.overlap).toBeCloseTo(inter / (ta.size + tb.size - inter), 12);
    expect(k.object).toBeUndefined(); // nothing detected
  });

  it('reads the map against people, as a share of their split-half agreement', async () => {
    const people = Array.from({ length: 6 }, (_, p) => Array.from({ length: 5 }, (_, i) => ({ x: 3 + ((p + i) % 3), y: 4 + ((p * i) % 3) })));
    const human = humanMap(people, S, S);
    const map = blob(4, 5);
    const facts = await captionFacts(recording().score, { ...subject, human: { map: human, source: 'eye-tracking' } }, { classIndex: 1, map });
    const [h] = pick(facts, 'human');
    const cc = alignToHuman(map, spec, human, { metrics: ['cc'] })[0].value!;
    const ceiling = humanAgreement(human, { metrics: ['cc'] })!.splitHalf.cc.mean;
    expect([h.metric, h.source, h.people]).toEqual(['cc', 'eye-tracking', 6]);
    expect(h.score).toBeCloseTo(cc, 12);
    expect(h.ceiling).toBeCloseTo(ceiling, 12);
    expect(h.share).toBeCloseTo(cc / ceiling, 12);
  });

  it('says only the prediction for an all-zero map, and renders text from the facts', async () => {
    const { calls, score } = recording();
    const zero = { width: S, height: S, values: new Float32Array(S * S) };
    const c = await captionMap(score, subject, { classIndex: 2, map: zero });
    expect(c.facts.map((f) => f.kind)).toEqual(['prediction']);
    expect(calls).toHaveLength(0);
    expect(c.text).toMatch(/^The model (sees|gives) /);
  });

  it('refuses bad classes, maps, options and model outputs with typed errors', async () => {
    const { score } = recording();
    const map = blob(4, 5);
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof CaptionError ? e.code : String(e)));
    expect(await code(captionFacts(score, subject, { classIndex: 3, map }))).toBe('BAD_CLASS');
    expect(await code(captionFacts(score, subject, { classIndex: 0, map: blob(1, 1) }, [{ classIndex: 1, map: { width: 4, height: 4, values: new Float32Array(16) } }]))).toBe('BAD_MAP');
    expect(await code(captionFacts(score, subject, { classIndex: 0, map }, [], { fraction: 1 }))).toBe('BAD_OPTION');
    expect(await code(captionFacts(score, { ...subject, input: input.subarray(1) }, { classIndex: 0, map }))).toBe('BAD_INPUT');
    expect(await code(captionFacts(async () => new Float32Array(5), subject, { classIndex: 0, map }))).toBe('BAD_MODEL_OUTPUT');
  });

  it('takes detections still coming: the batch goes out first, the facts are those of the finished list', async () => {
    const map = blob(4, 5);
    const detections = [
      { classIndex: 0, label: 'thing', score: 0.9, box: [0, 0, 9, 9] as [number, number, number, number] },
      { classIndex: 1, label: 'other', score: 0.8, box: [6, 6, 16, 16] as [number, number, number, number] },
    ];
    const others = [{ classIndex: 2, map: blob(12, 11) }];
    const want = await captionFacts(recording().score, { ...subject, detections }, { classIndex: 1, map }, others);
    expect(pick(want, 'object')).toHaveLength(2);
    let release!: () => void;
    const later = new Promise<typeof detections>((resolve) => (release = () => resolve(detections)));
    const { calls, score } = recording();
    const facts = captionFacts(score, { ...subject, detections: later }, { classIndex: 1, map }, others);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.map((c) => c.n)).toEqual([3]); // sent while the detections are still coming
    release();
    expect(await facts).toEqual(want);
    // a detector that fails fails the caption, also for a map with nothing to caption
    const failing = Promise.reject(new Error('detector down'));
    await expect(captionFacts(score, { ...subject, detections: failing }, { classIndex: 1, map: { width: S, height: S, values: new Float32Array(S * S) } })).rejects.toThrow('detector down');
  });
});
