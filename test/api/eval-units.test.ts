// The leaderboard's parts without a database: statistics (t intervals against tabulated quantiles),
// mapping model maps back to the image (geometry checked on synthetic ramps and on a real OSIE photo),
// image selection, shuffled-AUC negatives, protocol keys, leaderboard ordering, the column table and
// its faithfulness columns (hand-computed on a one-logit model), and argument parsing.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  cc, findModel, parseManifest, resampleMap, resizeForModel, type FloatMap, type InputSpec,
} from '../../packages/core/src/index.js';
import { decodeImage } from '../../packages/api/src/images/decode.js';
import { parseEvalArgs } from '../../packages/api/src/cli/eval-command.js';
import { CliError } from '../../packages/api/src/errors.js';
import { otherImages, selectImages } from '../../packages/api/src/eval/dataset.js';
import { buildLeaderboard, columnProtocol, entryLabel } from '../../packages/api/src/eval/leaderboard.js';
import { getLeaderboardColumn, leaderboardColumns, measureColumns } from '../../packages/api/src/eval/columns.js';
import { inputGeometry, mapToImage } from '../../packages/core/src/image/map-to-image.js';
import { defaultFaithfulnessProtocol, defaultProtocol, faithfulnessOptions, protocolKey } from '../../packages/api/src/eval/protocol.js';
import { niceTicks, metricSvg } from '../../packages/api/src/eval/report-html.js';
import { quantiles, studentTCdf, studentTQuantile, summarize } from '../../packages/api/src/eval/stats.js';
import type { EvalEntry, EvalScoreRecord } from '../../packages/api/src/storage/types.js';
import { getAlignmentMetric } from '../../packages/core/src/metrics/registry.js';

const root = resolve(__dirname, '../..');
const manifest = parseManifest(readFileSync(resolve(root, 'models/manifest.json'), 'utf8'));
const squeezenet = findModel(manifest, 'squeezenet1.0').input;

describe('statistics', () => {
  it('Student t quantiles match the tables to 1e-8', () => {
    // R: qt(0.975, df)
    const table: [number, number][] = [[1, 12.706204736], [2, 4.302652730], [3, 3.182446305], [10, 2.228138852], [30, 2.042272456], [100, 1.983971519], [1000, 1.962339081]];
    for (const [df, q] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 8);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138852, 8);
    expect(studentTQuantile(0.5, 7)).toBeCloseTo(0, 10);
    // pt(-1.5, 4) = 0.1040000 (R), and the CDF is symmetric
    expect(studentTCdf(-1.5, 4)).toBeCloseTo(0.1040000, 6);
    expect(studentTCdf(1.5, 4) + studentTCdf(-1.5, 4)).toBeCloseTo(1, 12);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });

  it('summarize: mean, sample std, 95 % t interval; nulls left out', () => {
    const s = summarize([1, 2, 3, 4, null, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBeCloseTo(3, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 12);
    // t(0.975, 4) = 2.776445105
    expect(s.ci).toBeCloseTo((2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 8);
    expect(s.ciLow! + s.ci!).toBeCloseTo(3, 12);
    expect(summarize([7])).toEqual({ n: 1, mean: 7, std: null, ci: null, ciLow: null, ciHigh: null });
    expect(summarize([null, null]).mean).toBeNull();
    expect(quantiles([4, 1, 3, 2, null])).toEqual({ min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4 });
  });
});

/** A map on the model grid holding f at the image point each model pixel centre comes from. */
function sampled(spec: InputSpec, width: number, height: number, f: (x: number, y: number) => number): FloatMap {
  const g = inputGeometry(spec, width, height);
  const values = new Float32Array(spec.width * spec.height);
  for (let j = 0; j < spec.height; j++) {
    for (let i = 0; i < spec.width; i++) {
      const x = (i + g.left + 0.5) * (width / g.resizedWidth) - 0.5;
      const y = (j + g.top + 0.5) * (height / g.resizedHeight) - 0.5;
      values[j * spec.width + i] = f(x, y);
    }
  }
  return { width: spec.width, height: spec.height, values };
}

describe('model maps back on the image', () => {
  const ramp = (x: number, y: number) => 0.3 + x / 2000 + y / 3000;

  it('stretch: a linear function sampled on the model grid comes back exactly (interior), and the range is kept', () => {
    const back = mapToImage(sampled(squeezenet, 800, 600, ramp), squeezenet, 800, 600);
    expect([back.width, back.height]).toEqual([800, 600]);
    let worst = 0;
    // inside the outermost model pixel centres (x ∈ [1.3, 797.7]) interpolation is exact for a linear f
    for (let y = 2; y < 598; y++) for (let x = 2; x < 798; x++) worst = Math.max(worst, Math.abs(back.values[y * 800 + x] - ramp(x, y)));
    expect(worst).toBeLessThan(2e-6);
    // the benchmark's aligned-corners resampling puts the same map up to ~1.8 px off: a visible error
    const aligned = resampleMap(sampled(squeezenet, 800, 600, ramp), 800, 600);
    let off = 0;
    for (let x = 2; x < 798; x++) off = Math.max(off, Math.abs(aligned.values[300 * 800 + x] - ramp(x, 300)));
    expect(off).toBeGreaterThan(5e-4);
  });

  it('shorter-crop: the crop region comes back in place, what the crop cut away is 0', () => {
    const spec: InputSpec = { ...squeezenet, resize: 'shorter-crop', resizeShorter: 256 };
    // 800×600 → 341×256, crop 224×224 at (58, 16) (torchvision: round(58.5) = 58)
    expect(inputGeometry(spec, 800, 600)).toEqual({ resizedWidth: 341, resizedHeight: 256, left: 58, top: 16 });
    const back = mapToImage(sampled(spec, 800, 600, ramp), spec, 800, 600);
    // visible image x: resized [57.5, 281.5] → image [(58)·800/341 − 0.5, (282)·800/341 − 0.5] = [135.6, 661.1]
    expect(back.values[300 * 800 + 100]).toBe(0);
    expect(back.values[300 * 800 + 700]).toBe(0);
    expect(back.values[10 * 800 + 400]).toBe(0); // above the crop: y < (16)·600/256 − 0.5 = 37
    for (const [x, y] of [[200, 100], [400, 300], [600, 500]]) expect(back.values[y * 800 + x]).toBeCloseTo(ramp(x, y), 5);
  });

  it('stretch on a real OSIE photo: the model\'s view mapped back lines up with the photo', async () => {
    const bytes = readFileSync(resolve(root, '../shared/data/osie/stimuli/1001.jpg'));
    const { image } = await decodeImage(bytes, 1e8);
    const gray = (img: { data: Uint8Array; width: number; height: number; channels: number }): FloatMap => {
      const v = new Float32Array(img.width * img.height);
      for (let i = 0; i < v.length; i++) v[i] = (img.data[i * img.channels] + img.data[i * img.channels + 1] + img.data[i * img.channels + 2]) / 765;
      return { width: img.width, height: img.height, values: v };
    };
    const view = gray(resizeForModel(image, squeezenet));
    const back = mapToImage(view, squeezenet, 800, 600);
    const photo = gray(image);
    expect(cc(back, photo)).toBeGreaterThan(0.95);
    // a map flipped left-right (a wrong geometry) does not
    const flipped = new Float32Array(view.values.length);
    for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) flipped[y * 224 + x] = view.values[y * 224 + 223 - x];
    expect(cc(mapToImage({ ...view, values: flipped }, squeezenet, 800, 600), photo)).toBeLessThan(0.6);
  });

  it('refuses a map of another size than the model input', () => {
    expect(() => mapToImage({ width: 13, height: 13, values: new Float32Array(169) }, squeezenet, 800, 600)).toThrow(/224×224/);
  });
});

describe('images and shuffled-AUC negatives', () => {
  it('selects the first N or a subset A:B', () => {
    expect(selectImages(700, { count: 3 })).toEqual([0, 1, 2]);
    expect(selectImages(700, { subset: [5, 8] })).toEqual([5, 6, 7]);
    expect(selectImages(700, { subset: [698, null] })).toEqual([698, 699]);
    expect(selectImages(700, { subset: [690, 800], count: 4 })).toEqual([690, 691, 692, 693]);
    expect(selectImages(10, { subset: [20, 30] })).toEqual([]);
  });

  it('other images: K distinct, never the image itself, seeded and different per image', () => {
    const a = otherImages(700, 5, 10, 0);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(a).not.toContain(5);
    expect(a.every((i) => i >= 0 && i < 700)).toBe(true);
    expect(otherImages(700, 5, 10, 0)).toEqual(a);
    expect(otherImages(700, 6, 10, 0)).not.toEqual(a);
    expect(otherImages(700, 5, 10, 1)).not.toEqual(a);
    expect(otherImages(3, 1, 10, 0)).toEqual([0, 2]);
  });
});

describe('protocol', () => {
  it('has a stable key that changes with any scoring parameter', () => {
    const p = defaultProtocol('osie');
    expect(p).toMatchObject({ sigma: 24, topP: 10, seed: 0, splits: 100, step: 0.1, shuffledImages: 10, ceilingRepetitions: 10, classRule: 'top1' });
    expect(protocolKey(p)).toMatch(/^[0-9a-f]{16}$/);
    expect(protocolKey(defaultProtocol('osie'))).toBe(protocolKey(p));
    expect(protocolKey({ ...p })).toBe(protocolKey(JSON.parse(JSON.stringify(p))));
    expect(protocolKey(defaultProtocol('osie', { sigma: 30 }))).not.toBe(protocolKey(p));
    expect(protocolKey(defaultProtocol('osie', { ceilingRepetitions: 2 }))).not.toBe(protocolKey(p));
  });

  it('keeps the alignment key of the scores stored before faithfulness columns existed', () => {
    // sha256 of the canonical JSON {"ceilingRepetitions":10,…,"version":1}, computed with Python's hashlib
    expect(protocolKey(defaultProtocol('osie'))).toBe('9de2ae694ba95661');
  });

  it('keys faithfulness scores by their own settings: step, percentiles, noise, seed', () => {
    const f = defaultFaithfulnessProtocol('osie');
    expect(f).toMatchObject({ classRule: 'top1', score: 'softmax', stepRows: 8, roadPercentiles: [20, 40, 60, 80], roadNoise: 0.01, seed: 0 });
    const key = protocolKey(f);
    expect(key).not.toBe(protocolKey(defaultProtocol('osie')));
    for (const changed of [{ stepRows: 4 }, { roadPercentiles: [10, 90] }, { roadNoise: 0 }, { seed: 1 }, { dataset: 'mit1003' }]) {
      expect(protocolKey({ ...f, ...changed })).not.toBe(key);
    }
    expect(protocolKey(defaultFaithfulnessProtocol('osie', { seed: 3 }))).toBe(protocolKey({ ...f, seed: 3 }));
    // RISE's step at 224²: 1,792 pixels
    expect(faithfulnessOptions(f, 224, 16)).toEqual({ step: 1792, roadPercentiles: [20, 40, 60, 80], roadNoise: 0.01, seed: 0, batchSize: 16 });
  });
});

describe('leaderboard columns', () => {
  it('one table: the nine alignment metrics for every row kind, faithfulness columns for model rows only', () => {
    const ids = leaderboardColumns.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['auc-judd', 'auc-borji', 'sauc', 'nss', 'cc', 'sim', 'kl', 'mae', 'iou', 'deletion', 'insertion', 'road', 'cammult', 'average-drop', 'increase']);
    expect(leaderboardColumns.filter((c) => c.kind === 'faithfulness').every((c) => c.rowKinds.join() === 'model')).toBe(true);
    expect(leaderboardColumns.filter((c) => c.kind === 'alignment').every((c) => c.rowKinds.length === 3)).toBe(true);
    const dir = Object.fromEntries(leaderboardColumns.map((c) => [c.id, c.higherIsBetter]));
    expect(dir).toMatchObject({ nss: true, kl: false, deletion: false, insertion: true, road: true, cammult: true, 'average-drop': false, increase: true });
    expect(() => getLeaderboardColumn('emd')).toThrow(/unknown metric 'emd'.*deletion/);
  });

  // a one-logit model: logits [w · mean(x), 0], so p = σ(w · mean(x)) by hand
  const w = 3;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const dims = [1, 3, 8, 8];
  const plane = 64;
  function model() {
    const calls: number[] = [];
    const score = async (batch: Float32Array, n: number) => {
      calls.push(n);
      const out = new Float32Array(2 * n);
      const size = batch.length / n;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < size; k++) s += batch[i * size + k];
        out[2 * i] = (w * s) / size;
      }
      return out;
    };
    return { score, calls };
  }

  it('CamMult, Average Drop and Increase from one model call, equal to the hand values', async () => {
    const input = new Float32Array(3 * plane).fill(1);
    const map = { width: 8, height: 8, values: new Float32Array(plane).fill(0.5) };
    const { score, calls } = model();
    const out = await measureColumns(score, input, dims, map, 0, ['cammult', 'average-drop', 'increase'], { batchSize: 16 });
    expect(calls).toEqual([2]);
    const y = sigmoid(3);
    const o = sigmoid(1.5);
    expect(out.map((c) => c.id)).toEqual(['cammult', 'average-drop', 'increase']);
    expect(out[0].value).toBeCloseTo(o - y, 6);
    expect(out[1].value).toBeCloseTo((y - o) / y, 6);
    expect(out[2].value).toBe(0);
  });

  it('deletion: the hand-computed trapezoid of σ(w · kept fraction), one step per map row', async () => {
    const input = new Float32Array(3 * plane).fill(1);
    // row r has saliency 8 − r: rows leave top first, one row (8 pixels) per step
    const map = { width: 8, height: 8, values: Float32Array.from({ length: plane }, (_, i) => 8 - Math.floor(i / 8)) };
    const { score } = model();
    const [del] = await measureColumns(score, input, dims, map, 0, ['deletion'], { step: 8, batchSize: 4 });
    const p = Array.from({ length: 9 }, (_, i) => sigmoid((w * (8 - i)) / 8));
    const auc = (p.reduce((a, b) => a + b, 0) - p[0] / 2 - p[8] / 2) / 8;
    expect(del.value).toBeCloseTo(auc, 6);
  });

  it('ROAD: the hand value on a constant input, a percentile that removes every pixel imputing 0', async () => {
    const input = new Float32Array(3 * plane).fill(1);
    // 26 of 64 pixels exactly 0: MoRF at percentile 20 has threshold 0 and removes every pixel (core
    // imputes 0: p = σ(0) = ½); every other mask keeps pixels, and a constant input imputes to itself
    const map = { width: 8, height: 8, values: Float32Array.from({ length: plane }, (_, i) => (i < 26 ? 0 : i / plane)) };
    const { score, calls } = model();
    const [road] = await measureColumns(score, input, dims, map, 0, ['road'], { roadNoise: 0, batchSize: 16 });
    // combined = (mean LeRF − mean MoRF)/2 = (0 − (½ − σ(3))/4)/2
    expect(road.value).toBeCloseTo((sigmoid(3) - 0.5) / 8, 6);
    expect(calls).toEqual([9]);
  });

  it('rejects an alignment metric where faithfulness columns are measured', async () => {
    const { score } = model();
    await expect(measureColumns(score, new Float32Array(3 * plane), dims, { width: 8, height: 8, values: new Float32Array(plane) }, 0, ['nss'], {})).rejects.toThrow(/not a faithfulness column/);
  });
});

describe('leaderboard rows', () => {
  const model: EvalEntry = { kind: 'model', model: 'm', layer: 'L', method: 'gradcam', target: 'LOGIT' };
  const ceiling: EvalEntry = { kind: 'ceiling', model: 'human', layer: '', method: 'split-half', target: '' };
  const centre: EvalEntry = { kind: 'baseline', model: 'bottom-up', layer: '', method: 'center-bias', target: '' };
  const empty: EvalEntry = { ...model, method: 'scorecam' };
  const run = { protocol: 'p', images: ['a', 'b', 'c'], entries: [model, ceiling, centre, empty] };
  const score = (e: EvalEntry, image: string, metric: string, value: number | null, protocol = 'p'): EvalScoreRecord => ({
    ...e, protocol, dataset: 'osie', image, metric, value, classIndex: null, runId: 'r',
  });
  const scores = [
    score(model, 'a', 'kl', 2), score(model, 'b', 'kl', 4), score(model, 'c', 'kl', null),
    score(ceiling, 'a', 'kl', 1), score(ceiling, 'b', 'kl', 1.5), score(ceiling, 'c', 'kl', 0.5),
    score(centre, 'a', 'kl', 1.2), score(centre, 'b', 'kl', 1.4), score(centre, 'c', 'kl', 1.3),
    // ignored: another image, another protocol, another metric
    score(model, 'z', 'kl', 100), score(model, 'a', 'kl', 100, 'q'), score(model, 'a', 'nss', 100),
  ];

  it('sorts best first by the metric\'s direction, rows without scores last', () => {
    const board = buildLeaderboard(run, 'kl', scores);
    expect(board.rows.map((r) => r.method)).toEqual(['split-half', 'center-bias', 'gradcam', 'scorecam']);
    expect(board.rows.map((r) => r.rank)).toEqual([1, 2, 3, null]);
    const m = board.rows[2];
    expect(m).toMatchObject({ n: 2, mean: 3, undefinedCount: 1, values: [2, 4, null] });
    expect(board.rows[3]).toMatchObject({ n: 0, mean: null, undefinedCount: 0 });
    const nss = buildLeaderboard(run, 'nss', scores.map((s) => ({ ...s, metric: 'nss' })).filter((s) => s.value !== 100));
    expect(nss.rows.map((r) => r.method)).toEqual(['gradcam', 'center-bias', 'split-half', 'scorecam']);
  });

  it('a faithfulness column: model rows only, from the run\'s faithfulness key, lower deletion first', () => {
    const other: EvalEntry = { ...model, method: 'eigencam' };
    const faithRun = { ...run, entries: [model, other, ceiling, centre], params: { protocolKeys: { alignment: 'p', faithfulness: 'f' } } };
    const del = [
      score(model, 'a', 'deletion', 0.3, 'f'), score(model, 'b', 'deletion', 0.5, 'f'),
      score(other, 'a', 'deletion', 0.1, 'f'), score(other, 'b', 'deletion', 0.2, 'f'),
      // ignored: under the alignment key
      score(model, 'a', 'deletion', 0.9, 'p'),
    ];
    const board = buildLeaderboard(faithRun, 'deletion', del);
    expect(board.metric).toMatchObject({ id: 'deletion', higherIsBetter: false, kind: 'faithfulness' });
    expect(board.rows.map((r) => [r.method, r.rank, r.n])).toEqual([['eigencam', 1, 2], ['gradcam', 2, 2]]);
    expect(board.rows[0].mean).toBeCloseTo(0.15, 12);
    expect(board.rows[1].mean).toBeCloseTo(0.4, 12);
    expect(columnProtocol(faithRun, getLeaderboardColumn('nss'))).toBe('p');
    // a run from before faithfulness columns has no faithfulness key: no scores are read for them
    expect(columnProtocol(run, getLeaderboardColumn('deletion'))).toBeNull();
    expect(buildLeaderboard(run, 'deletion', del).rows.every((r) => r.kind === 'model' && r.mean === null)).toBe(true);
  });

  it('labels rows for people and draws one SVG line per row', () => {
    expect(entryLabel(model)).toBe('m · L · Grad-CAM');
    expect(entryLabel({ ...model, target: 'PROBABILITY' })).toBe('m · L · Grad-CAM (probability)');
    expect(entryLabel(ceiling)).toBe('human ceiling (split-half)');
    expect(entryLabel(centre)).toBe('baseline: centre bias');
    const svg = metricSvg(getAlignmentMetric('kl'), buildLeaderboard(run, 'kl', scores).rows);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<text[^>]*text-anchor="end"/g)).toHaveLength(4);
    expect(niceTicks(0.42, 0.93)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
  });
});

describe('eval arguments', () => {
  const usage = (argv: string[]) => {
    try {
      parseEvalArgs(argv);
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      return (e as CliError).exitCode === 2 ? (e as Error).message : `exit ${(e as CliError).exitCode}`;
    }
    return 'no error';
  };

  it('defaults: all methods, the default layer and the next, all metrics, sorted by NSS, ceiling and baselines', () => {
    const a = parseEvalArgs(['--dataset', 'osie']);
    if (a === 'help') throw new Error('help');
    // the ten CAMs and the seven pixel attributions of the method registry
    expect(a.methods).toHaveLength(17);
    expect(a.layers).toEqual(['default', '+1']);
    expect(a.metrics).toEqual(['auc-judd', 'auc-borji', 'sauc', 'nss', 'cc', 'sim', 'kl', 'mae', 'iou']);
    expect(a).toMatchObject({ sortMetric: 'nss', target: 'logit', ceiling: true, baselines: ['itti-koch', 'spectral-residual', 'center-bias'], resume: false, models: [] });
    expect(a.dataDir).toBe(resolve(root, '../shared/data/osie'));
    const b = parseEvalArgs(['--dataset', 'osie', '--metrics', 'kl,nss', '--subset', '10:', '--baselines', 'none', '--no-ceiling', '--resume', '--methods', 'gradcam++']);
    if (b === 'help') throw new Error('help');
    expect(b).toMatchObject({ metrics: ['nss', 'kl'], sortMetric: 'nss', images: { subset: [10, null] }, baselines: [], ceiling: false, resume: true, methods: ['gradcam++'] });
  });

  it('faithfulness columns: --faithfulness adds deletion, insertion, road; named ones alone; --sort by one', () => {
    const metrics = (argv: string[]) => {
      const a = parseEvalArgs(['--dataset', 'osie', ...argv]);
      if (a === 'help') throw new Error('help');
      return [a.metrics, a.sortMetric];
    };
    const nine = ['auc-judd', 'auc-borji', 'sauc', 'nss', 'cc', 'sim', 'kl', 'mae', 'iou'];
    expect(metrics(['--faithfulness'])).toEqual([[...nine, 'deletion', 'insertion', 'road'], 'nss']);
    expect(metrics(['--metrics', 'all,cammult'])).toEqual([[...nine, 'cammult'], 'nss']);
    expect(metrics(['--metrics', 'road,deletion', '--sort', 'road'])).toEqual([['deletion', 'road'], 'road']);
    expect(metrics(['--metrics', 'deletion,nss', '--faithfulness'])).toEqual([['nss', 'deletion', 'insertion', 'road'], 'nss']);
    expect(metrics(['--metrics', 'average-drop'])).toEqual([['average-drop'], 'average-drop']);
    expect(usage(['--dataset', 'osie', '--metrics', 'nss', '--sort', 'deletion'])).toMatch(/--sort deletion is not among/);
    expect(usage(['--dataset', 'osie', '--metrics', 'deletoin'])).toMatch(/unknown metric 'deletoin'/);
  });

  it('rejects what it cannot run before anything loads', () => {
    expect(usage([])).toMatch(/--dataset is required/);
    expect(usage(['--dataset', 'mit1003'])).toMatch(/--dataset mit1003 needs --data-dir/);
    expect(usage(['--dataset', 'My Crowd', '--data-dir', '.'])).toMatch(/--dataset must be 1-32 lower-case/);
    expect(parseEvalArgs(['--dataset', 'mit1003', '--data-dir', '/data/mit1003'])).toMatchObject({ dataset: 'mit1003', dataDir: '/data/mit1003' });
    expect(usage(['--dataset', 'osie', '--images', '3', '--subset', '0:3'])).toMatch(/cannot be used together/);
    expect(usage(['--dataset', 'osie', '--subset', '5:5'])).toMatch(/selects no image/);
    expect(usage(['--dataset', 'osie', '--subset', 'x'])).toMatch(/--subset must be A:B/);
    expect(usage(['--dataset', 'osie', '--class', '281'])).toMatch(/--class must be top1/);
    expect(usage(['--dataset', 'osie', '--metrics', 'nss,emd'])).toMatch(/unknown metric 'emd'/);
    expect(usage(['--dataset', 'osie', '--metrics', 'cc', '--sort', 'nss'])).toMatch(/--sort nss is not among/);
    expect(usage(['--dataset', 'osie', '--methods', 'gradcam,nope'])).toMatch(/nope/);
    expect(usage(['--dataset', 'osie', '--target', 'softmax'])).toMatch(/--target/);
    expect(usage(['--dataset', 'osie', '--baselines', 'deepgaze'])).toMatch(/unknown baseline/);
    expect(usage(['--dataset', 'osie', '--images', '0'])).toMatch(/--images must be an integer/);
    expect(usage(['--dataset', 'osie', '--sigma', '-1'])).toMatch(/--sigma/);
    expect(usage(['--dataset', 'osie', 'extra'])).toMatch(/positional/i);
  });
});
